import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  collectDirectory,
  generateKeyPair,
  packFiles,
  parseManifest,
  parseTrustedKeys,
  PluginPackageError,
  signPackage,
  verifyPackage,
  type PluginManifest,
  type SignatureAlgorithm,
  type SourceFile,
} from '@keel/plugin-package';
import { CliError, usageError } from './cli-error';
import { compareDeclarations, describePlugin } from './declarations-check';
import { runtimeDirectory, VENDORED_SDK_PATH, vendoredPackageJson } from './vendor';

/** The package library's errors, as the CLI reports them: the message and the stable code. */
function reported(error: unknown): never {
  if (error instanceof PluginPackageError) throw new CliError(`${error.message} (${error.code})`);
  throw error;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** A plugin directory's manifest, checked as the package reader will check it. */
export async function readManifest(cwd: string, dir: string): Promise<PluginManifest> {
  const root = resolve(cwd, dir);
  if (!existsSync(join(root, 'manifest.yaml')))
    throw new CliError(`${dir} has no manifest.yaml: is it a plugin directory?`);
  const text = await readText(join(root, 'manifest.yaml'), 'the manifest');
  try {
    return parseManifest(text);
  } catch (error) {
    return reported(error);
  }
}

/** The manifest's `meta.runner.entrypoint`, for `run`. */
export async function readEntrypoint(cwd: string, dir: string): Promise<string> {
  return (await readManifest(cwd, dir)).meta.runner.entrypoint;
}

/** The SDK runtime as package files under `node_modules/@keel/plugin-sdk/`. */
async function vendoredFiles(): Promise<SourceFile[]> {
  const lib = runtimeDirectory();
  const names = (await readdir(lib)).filter((name) => name.endsWith('.js')).sort();
  const files: SourceFile[] = [
    { path: `${VENDORED_SDK_PATH}/package.json`, bytes: Buffer.from(vendoredPackageJson()) },
  ];
  for (const name of names)
    files.push({ path: `${VENDORED_SDK_PATH}/lib/${name}`, bytes: await readFile(join(lib, name)) });
  return files;
}

/** Write a file through a temporary sibling and a rename, so a failure never leaves half a file. */
async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export interface PackResult {
  file: string;
  files: number;
  bytes: number;
  /** Where the YAML declarations and the code disagree (see declarations-check.ts). */
  warnings: string[];
}

/**
 * `keel-plugin pack <dir> [-o file]`: the directory's files (as the package library collects
 * them: no .git, no earlier packages, no private keys) plus the SDK runtime of this CLI as
 * `node_modules/@keel/plugin-sdk` (replacing any copy in the directory), zipped and checked by
 * the library. Default file: `<name>-<version>.keelpkg` in the current directory. Unless told not
 * to, it starts the plugin to compare what the code registers with the YAML (warnings only).
 */
export async function pack(options: {
  cwd: string;
  dir: string;
  output?: string;
  /** Compare the YAML declarations with what the code registers (default true). */
  check?: boolean;
  env?: Record<string, string | undefined>;
}): Promise<PackResult> {
  const root = resolve(options.cwd, options.dir);
  const manifest = await readManifest(options.cwd, options.dir);
  const output = resolve(options.cwd, options.output ?? `${manifest.name}-${manifest.version}.keelpkg`);
  const outputInside = relative(root, output);
  try {
    const own = await collectDirectory(root, {
      // The SDK comes from this CLI; an output written inside the directory is never packed.
      ignore: (path) => path === VENDORED_SDK_PATH || path === outputInside,
    });
    const files = [...own, ...(await vendoredFiles())];
    const zip = await packFiles(files);
    const warnings: string[] = [];
    if (options.check !== false) {
      try {
        const description = await describePlugin(root, manifest.meta.runner.entrypoint, options.env);
        warnings.push(...compareDeclarations(manifest, own, description));
      } catch (error) {
        warnings.push(`could not compare the YAML with the code: the plugin ${(error as Error).message}`);
      }
    }
    await writeAtomically(output, zip);
    return { file: relative(options.cwd, output) || output, files: files.length, bytes: zip.length, warnings };
  } catch (error) {
    return reported(error);
  }
}

const ALGORITHMS: Record<string, SignatureAlgorithm> = {
  ed25519: 'ed25519',
  rsa: 'rsa-sha256',
  'rsa-sha256': 'rsa-sha256',
};

/**
 * `keel-plugin keygen`: a new key pair as `private.pem` (mode 0600) and `public.pem` in the
 * current directory. Refuses to overwrite either unless `force`.
 */
export async function keygen(options: { cwd: string; force: boolean; algorithm?: string }): Promise<string[]> {
  const algorithm = ALGORITHMS[options.algorithm ?? 'ed25519'];
  if (!algorithm) throw usageError(`--algorithm must be ed25519 or rsa, not ${options.algorithm}`);
  const privatePath = join(options.cwd, 'private.pem');
  const publicPath = join(options.cwd, 'public.pem');
  if (!options.force) {
    const existing = [privatePath, publicPath].filter((path) => existsSync(path));
    if (existing.length > 0) {
      throw new CliError(
        `${existing.map((path) => basename(path)).join(' and ')} already exist here; use --force to replace them`,
      );
    }
  }
  const pair = generateKeyPair(algorithm);
  try {
    await writeFile(privatePath, pair.privateKeyPem, { mode: 0o600 });
    await writeFile(publicPath, pair.publicKeyPem, { mode: 0o644 });
  } catch (error) {
    throw new CliError(`cannot write the keys: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return ['private.pem', 'public.pem'];
}

/** `keel-plugin sign <pkg> --key <pem> [-o file]`: the signature goes into the zip comment. */
export async function sign(options: { cwd: string; pkg: string; key: string; output?: string }): Promise<string> {
  const pkgPath = resolve(options.cwd, options.pkg);
  const zip = await readFile(pkgPath).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read the package ${options.pkg}: ${error.code ?? error.message}`);
  });
  const pem = await readText(resolve(options.cwd, options.key), 'the private key');
  let signed: Buffer;
  try {
    signed = await signPackage(zip, pem);
  } catch (error) {
    return reported(error);
  }
  const output = resolve(options.cwd, options.output ?? options.pkg);
  await writeAtomically(output, signed);
  return relative(options.cwd, output) || output;
}

export interface VerifyResult {
  valid: boolean;
  reason?: string;
  detail?: string;
}

/** `keel-plugin verify <pkg> --pubkey <pem>...`: valid only when one of the given keys signed it. */
export async function verify(options: { cwd: string; pkg: string; pubkeys: string[] }): Promise<VerifyResult> {
  try {
    const keys = [];
    for (const file of options.pubkeys) {
      keys.push(...parseTrustedKeys(await readText(resolve(options.cwd, file), 'the public key'), file));
    }
    const zip = await readFile(resolve(options.cwd, options.pkg)).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read the package ${options.pkg}: ${error.code ?? error.message}`);
    });
    const result = await verifyPackage(zip, keys);
    if (result.status !== 'verified')
      return { valid: false, reason: `${result.status}: ${result.reason ?? 'not verified'}` };
    return {
      valid: true,
      detail: [
        result.algorithm,
        result.key_fingerprint && `key ${result.key_fingerprint.slice(0, 16)}…`,
        result.signed_at && `signed ${result.signed_at}`,
      ]
        .filter(Boolean)
        .join(', '),
    };
  } catch (error) {
    return reported(error);
  }
}
