/**
 * The operator's command: `keel <command>` (`node dist/cli.js`, or `npx keel` in the project).
 * Reads the same environment (and `.env`) as the server.
 */
import 'reflect-metadata';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/config.loader';
import { ConfigValidationError } from '../config/config-validation.error';
import { createAdmin, resetPassword } from './account.commands';
import { processOutput } from './command-output';
import { doctor } from './doctor.command';
import { exportWorkspace } from './export-workspace.command';
import { importWorkspace } from './import-workspace.command';
import { migrate } from './migrate.command';
import { rotateSecretKey } from './rotate-secret-key.command';
import { readSecret } from './secret-input';
import { UsageError } from './usage.error';

const USAGE = `usage: keel <command>

  migrate [--dry-run]      apply pending database migrations (--dry-run: list them, change nothing)
  doctor                   check the configuration, database, Redis, storage, mail and model providers
  create-admin --email E [--name N] [--workspace ID]
                           the first-run setup (owner and workspace), or a new admin of a workspace;
                           the password is read from standard input
  reset-password --email E set an account's password (read from standard input); its sessions end
  export --workspace ID [--output FILE] [--include-secrets]
                           a workspace's apps, model providers and tool providers as JSON; secrets
                           only with --include-secrets, sealed with a passphrase from standard input
  import --workspace ID --file FILE
                           add what an export holds to a workspace (the passphrase on standard
                           input when the file has secrets); all or nothing
  rotate-secret-key [--generate] [--dry-run]
                           re-encrypt every stored credential under a new SECRET_KEY (read from
                           standard input, or generated); --dry-run checks they all decrypt
  help                     this text`;

const OPTIONS = {
  migrate: { 'dry-run': { type: 'boolean' } },
  doctor: {},
  'create-admin': { email: { type: 'string' }, name: { type: 'string' }, workspace: { type: 'string' } },
  'reset-password': { email: { type: 'string' } },
  export: { workspace: { type: 'string' }, output: { type: 'string' }, 'include-secrets': { type: 'boolean' } },
  import: { workspace: { type: 'string' }, file: { type: 'string' } },
  'rotate-secret-key': { generate: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
} as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    processOutput.say(USAGE);
    return command ? 0 : 2;
  }
  if (!(command in OPTIONS)) throw new UsageError(`unknown command ${command}`);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: ParseArgsConfig['options'] = OPTIONS[command as keyof typeof OPTIONS];
    values = parseArgs({ args, options, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
  // The libraries' own logs stay quiet; the command says what happened.
  Logger.overrideLogger(command === 'doctor' ? false : ['error']);
  switch (command) {
    case 'doctor':
      return doctor(processOutput);
    case 'migrate':
      return migrate(loadConfig(), values['dry-run'] === true, processOutput);
    case 'create-admin':
      return createAdmin(
        loadConfig(),
        {
          email: values.email as string | undefined,
          name: values.name as string | undefined,
          workspace: values.workspace as string | undefined,
          password: await readSecret('Password for the new admin: '),
        },
        processOutput,
      );
    case 'export':
      return exportWorkspace(
        loadConfig(),
        {
          workspace: values.workspace as string | undefined,
          output: values.output as string | undefined,
          includeSecrets: values['include-secrets'] === true,
          passphrase: () => readSecret('Passphrase to seal the secrets with: '),
        },
        processOutput,
      );
    case 'import':
      return importWorkspace(
        loadConfig(),
        {
          workspace: values.workspace as string | undefined,
          file: values.file as string | undefined,
          passphrase: () => readSecret('Passphrase of the export: '),
        },
        processOutput,
      );
    case 'rotate-secret-key': {
      const generated = values.generate === true;
      const dryRun = values['dry-run'] === true;
      const newKey = generated || dryRun ? undefined : await readSecret('New SECRET_KEY: ');
      return rotateSecretKey(loadConfig(), { newKey, generated, dryRun }, processOutput);
    }
    default:
      return resetPassword(
        loadConfig(),
        { email: values.email as string | undefined, password: await readSecret('New password: ') },
        processOutput,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      processOutput.error(`keel: ${error.message}`);
      processOutput.error(USAGE);
      process.exit(2);
    }
    processOutput.error(error instanceof ConfigValidationError ? error.message : `keel: ${(error as Error).message}`);
    process.exit(1);
  },
);
