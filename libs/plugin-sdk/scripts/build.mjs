// Builds the plugin SDK (run by the root `npm run build`, after `nest build`):
//   dist/lib/*.js  the runtime, compiled module by module with tsc; `keel-plugin pack` copies it
//                  into every plugin as node_modules/@keel/plugin-sdk, so it must require nothing
//                  but Node's standard library and itself (checked here, on the output).
//   dist/cli.js    the keel-plugin CLI, bundled with webpack: @keel/plugin-package and its
//                  dependencies (yauzl, yazl, yaml, ...) are inside, so the CLI needs no
//                  node_modules and no tsconfig path aliases at run time. Starts with a shebang.
// bin/keel-plugin.js (committed, linked by npm at install time) loads dist/cli.js.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(sdk, '..', '..');
const require = createRequire(join(repo, 'package.json'));
const dist = join(sdk, 'dist');

function fail(message) {
  console.error(`plugin-sdk build: ${message}`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });

// 1. The runtime.
const tsc = require.resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(sdk, 'tsconfig.runtime.json')], { stdio: 'inherit' });
if (compiled.status !== 0) fail('tsc failed on the runtime');
const lib = join(dist, 'lib');
for (const file of readdirSync(lib).filter((name) => name.endsWith('.js'))) {
  const source = readFileSync(join(lib, file), 'utf8');
  for (const [, specifier] of source.matchAll(/require\("([^"]+)"\)/g)) {
    if (!specifier.startsWith('node:') && !specifier.startsWith('./')) {
      fail(`dist/lib/${file} requires "${specifier}": the runtime may use only node:* modules and its own files`);
    }
  }
}

// 2. The CLI.
const webpack = require('webpack');
const compiler = webpack({
  mode: 'production',
  target: 'node20',
  context: sdk,
  entry: join(sdk, 'src', 'cli', 'cli.ts'),
  output: { path: dist, filename: 'cli.js', library: { type: 'commonjs2' } },
  resolve: {
    extensions: ['.ts', '.js', '.json'],
    alias: { '@keel/plugin-package': join(repo, 'libs', 'plugin-package', 'src') },
  },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        loader: require.resolve('ts-loader'),
        options: {
          transpileOnly: true,
          configFile: join(repo, 'tsconfig.json'),
          compilerOptions: { sourceMap: false },
        },
      },
    ],
  },
  // __dirname stays the real directory: the CLI finds the runtime it vendors beside itself (dist/lib).
  node: { __dirname: false, __filename: false },
  optimization: { minimize: false },
  devtool: false,
  performance: { hints: false },
  plugins: [new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true })],
});
compiler.run((error, stats) => {
  compiler.close(() => undefined);
  if (error) fail(error.stack ?? String(error));
  if (stats.hasErrors()) fail(stats.toString({ all: false, errors: true, colors: false }));
  const cli = join(dist, 'cli.js');
  if (!readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')) fail('dist/cli.js lacks its shebang');
  chmodSync(cli, 0o755);
  console.log('plugin-sdk build: dist/lib (runtime) and dist/cli.js (keel-plugin)');
});
