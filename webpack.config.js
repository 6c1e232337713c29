// Nest's webpack builder bundles src/ and libs/ together, so every entry point lands at the top of
// dist/ (dist/main.js, later dist/worker.js) whatever directory the libraries compile from.
// node_modules stay external: native drivers (better-sqlite3) and pino's transports load at run time.
const path = require('node:path');

/** @param {import('webpack').Configuration} options */
module.exports = (options) => ({
  ...options,
  entry: {
    main: path.resolve(__dirname, 'src/main.ts'),
    worker: path.resolve(__dirname, 'src/worker.ts'),
    cli: path.resolve(__dirname, 'src/cli/keel.cli.ts'),
  },
  output: {
    ...options.output,
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
  },
  module: {
    ...options.module,
    rules: [
      ...(options.module?.rules ?? []),
      // Text assets that code imports as strings (the built-in tools' YAML definitions and SVG
      // icons) are bundled verbatim: `import text from './x.yaml'` gives the file's text, so the
      // single dist/main.js needs no files beside it. jest.text-asset-transform.js does the same
      // under Jest; the `declare module` types are in src/modules/tools/builtin/text-assets.d.ts.
      { test: /\.(ya?ml|svg)$/, type: 'asset/source' },
    ],
  },
  devtool: 'source-map',
});
