import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SDK_VERSION } from '../version';
import { CliError } from './cli-error';

/** Where a plugin finds the SDK: `node_modules/@keel/plugin-sdk` inside the package. */
export const VENDORED_SDK_PATH = 'node_modules/@keel/plugin-sdk';

/**
 * The built runtime (`dist/lib`) beside the CLI: `dist/cli.js` → `dist/lib`; under ts-node or
 * Jest (`src/cli/*.ts`) → the package's `dist/lib`, if it has been built.
 */
export function runtimeDirectory(): string {
  const candidates = [join(__dirname, 'lib'), join(__dirname, '..', '..', 'dist', 'lib')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.js')));
  if (!found) throw new CliError('the SDK runtime is not built (dist/lib/index.js is missing): run `npm run build`');
  return found;
}

/**
 * Write the SDK runtime as a package into `nodeModules/@keel/plugin-sdk`: its compiled modules and
 * a package.json. The runtime needs nothing but Node, so this is all a plugin needs to run.
 */
export async function vendorRuntime(nodeModules: string): Promise<string> {
  const source = runtimeDirectory();
  const target = join(nodeModules, '@keel', 'plugin-sdk');
  await mkdir(join(target, 'lib'), { recursive: true });
  const files = (await readdir(source)).filter((name) => name.endsWith('.js'));
  await Promise.all(files.map((name) => copyFile(join(source, name), join(target, 'lib', name))));
  await writeFile(join(target, 'package.json'), vendoredPackageJson());
  return target;
}

/** The package.json of the vendored runtime. */
export function vendoredPackageJson(): string {
  const manifest = {
    name: '@keel/plugin-sdk',
    version: SDK_VERSION,
    description: 'The Keel plugin SDK runtime, vendored by keel-plugin pack.',
    license: 'Apache-2.0',
    main: 'lib/index.js',
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
