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
  },
  output: {
    ...options.output,
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
  },
  devtool: 'source-map',
});
