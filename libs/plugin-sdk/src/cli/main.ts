import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SDK_VERSION } from '../version';
import { CliError, usageError } from './cli-error';
import { AUTHOR_PATTERN, init } from './init';
import { keygen, pack, readEntrypoint, sign, verify } from './package-commands';
import { run, RUN_HELP } from './run';

export interface CliIo {
  cwd: string;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
}

export const HELP = `keel-plugin ${SDK_VERSION}: make, package and sign Keel plugins.

Usage:
  keel-plugin init <name> [--author <author>]   create ./<name>/: a plugin with one tool that packs as it is
  keel-plugin pack <dir> [-o <file>] [--skip-check]
                                                package a plugin directory (the SDK runtime included);
                                                default file: <name>-<version>.keelpkg here. It starts
                                                the plugin to warn where the YAML and the code differ
  keel-plugin keygen [--algorithm ed25519|rsa] [--force]
                                                write a key pair (default Ed25519): private.pem
                                                and public.pem, here; never over existing files
  keel-plugin sign <pkg> --key <pem> [-o <file>]  sign a package (in place, or into <file>)
  keel-plugin verify <pkg> --pubkey <pem>...    exit 0 only if a given public key verifies the signature
  keel-plugin run <dir> [--raw] [--verbose]     start the plugin and send it requests typed on stdin

"run" drives the plugin locally, as the host does (JSON lines over stdio): it answers the
plugin's storage calls in memory and refuses its LLM and tool calls. Connecting a plugin to a
running Keel server's debugging endpoint comes with the server's plugin runtime.

Exit status: 0 success, 1 failure (an invalid signature included), 2 bad usage.`;

type Options = NonNullable<ParseArgsConfig['options']>;

interface Parsed {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

function parse(args: string[], options: Options, positionals: number, usage: string): Parsed | undefined {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${(error as Error).message}\nusage: ${usage}`);
  }
  if (parsed.values.help) return undefined;
  if (parsed.positionals.length !== positionals) {
    throw usageError(`expected ${positionals} argument${positionals === 1 ? '' : 's'}\nusage: ${usage}`);
  }
  return parsed;
}

function defaultAuthor(): string {
  try {
    const name = userInfo()
      .username.toLowerCase()
      .replace(/[^a-z0-9_-]/g, '');
    if (AUTHOR_PATTERN.test(name)) return name;
  } catch {
    // no user name (some containers): fall through
  }
  return 'author';
}

/** Run one command; resolves to the exit status. Failures print one line on stderr. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const helpFor = (usage: string): number => {
    say(usage);
    return 0;
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        say(HELP);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        say(SDK_VERSION);
        return 0;
      case 'init': {
        const usage = 'keel-plugin init <name> [--author <author>]';
        const parsed = parse(rest, { author: { type: 'string' } }, 1, usage);
        if (!parsed) return helpFor(usage);
        const name = parsed.positionals[0];
        const author = (parsed.values.author as string | undefined) ?? defaultAuthor();
        await init({ name, author, cwd: io.cwd });
        say(`created ${name}/ (author ${author}); try: keel-plugin run ${name}  then  keel-plugin pack ${name}`);
        return 0;
      }
      case 'pack': {
        const usage = 'keel-plugin pack <dir> [-o <file>] [--skip-check]';
        const parsed = parse(
          rest,
          { output: { type: 'string', short: 'o' }, 'skip-check': { type: 'boolean' } },
          1,
          usage,
        );
        if (!parsed) return helpFor(usage);
        const result = await pack({
          cwd: io.cwd,
          dir: parsed.positionals[0],
          output: parsed.values.output as string | undefined,
          check: !parsed.values['skip-check'],
          env: io.env,
        });
        for (const warning of result.warnings) io.stderr.write(`keel-plugin: warning: ${warning}\n`);
        say(`packed ${result.file} (${result.files} files, ${result.bytes} bytes)`);
        return 0;
      }
      case 'keygen': {
        const usage = 'keel-plugin keygen [--algorithm ed25519|rsa] [--force]';
        const parsed = parse(rest, { force: { type: 'boolean' }, algorithm: { type: 'string' } }, 0, usage);
        if (!parsed) return helpFor(usage);
        const written = await keygen({
          cwd: io.cwd,
          force: Boolean(parsed.values.force),
          algorithm: parsed.values.algorithm as string | undefined,
        });
        say(
          `wrote ${written.join(' and ')}; keep the private key secret, give the public key to the Keel servers that install your plugins`,
        );
        return 0;
      }
      case 'sign': {
        const usage = 'keel-plugin sign <pkg> --key <pem> [-o <file>]';
        const parsed = parse(rest, { key: { type: 'string' }, output: { type: 'string', short: 'o' } }, 1, usage);
        if (!parsed) return helpFor(usage);
        const key = parsed.values.key;
        if (typeof key !== 'string') throw usageError(`--key <pem> is required\nusage: ${usage}`);
        const file = await sign({
          cwd: io.cwd,
          pkg: parsed.positionals[0],
          key,
          output: parsed.values.output as string | undefined,
        });
        say(`signed ${file}`);
        return 0;
      }
      case 'verify': {
        const usage = 'keel-plugin verify <pkg> --pubkey <pem> [--pubkey <pem>...]';
        const parsed = parse(rest, { pubkey: { type: 'string', multiple: true } }, 1, usage);
        if (!parsed) return helpFor(usage);
        const keys = (parsed.values.pubkey as string[] | undefined) ?? [];
        if (keys.length === 0) throw usageError(`--pubkey <pem> is required\nusage: ${usage}`);
        const result = await verify({ cwd: io.cwd, pkg: parsed.positionals[0], pubkeys: keys });
        if (!result.valid) {
          io.stderr.write(`keel-plugin: ${parsed.positionals[0]}: ${result.reason}\n`);
          return 1;
        }
        say(`${parsed.positionals[0]}: valid signature${result.detail ? ` (${result.detail})` : ''}`);
        return 0;
      }
      case 'run': {
        const usage = 'keel-plugin run <dir> [--raw] [--verbose]';
        const parsed = parse(rest, { raw: { type: 'boolean' }, verbose: { type: 'boolean' } }, 1, usage);
        if (!parsed) return helpFor(`${usage}\n\n${RUN_HELP}`);
        const dir = parsed.positionals[0];
        const entrypoint = await readEntrypoint(io.cwd, dir);
        return await run({
          dir: resolve(io.cwd, dir),
          entrypoint,
          input: io.stdin,
          output: io.stdout,
          errors: io.stderr,
          raw: Boolean(parsed.values.raw),
          verbose: Boolean(parsed.values.verbose),
          env: io.env,
        });
      }
      default:
        throw usageError(`unknown command "${command}"; run keel-plugin --help`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`keel-plugin: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`keel-plugin: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
