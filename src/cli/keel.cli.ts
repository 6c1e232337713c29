/**
 * The operator's command: `keel <command>` (`node dist/cli.js`, or `npx keel` in the project).
 * Reads the same environment (and `.env`) as the server.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/config.loader';
import { ConfigValidationError } from '../config/config-validation.error';
import { processOutput } from './command-output';
import { doctor } from './doctor.command';
import { migrate } from './migrate.command';

const USAGE = `usage: keel <command>

  migrate [--dry-run]   apply pending database migrations (--dry-run: list them, change nothing)
  doctor                check the configuration, database, Redis, storage, mail and model providers
  help                  this text`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    processOutput.say(USAGE);
    return command ? 0 : 2;
  }
  const unknownFlag = args.find((arg) => !(command === 'migrate' && arg === '--dry-run'));
  if (!['migrate', 'doctor'].includes(command) || unknownFlag) {
    processOutput.error(
      unknownFlag ? `keel ${command}: unknown option ${unknownFlag}` : `keel: unknown command ${command}`,
    );
    processOutput.error(USAGE);
    return 2;
  }
  // The libraries' own logs stay quiet; the command says what happened.
  Logger.overrideLogger(command === 'doctor' ? false : ['error']);
  if (command === 'doctor') return doctor(processOutput);
  return migrate(loadConfig(), args.includes('--dry-run'), processOutput);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    processOutput.error(error instanceof ConfigValidationError ? error.message : `keel: ${(error as Error).message}`);
    process.exit(1);
  },
);
