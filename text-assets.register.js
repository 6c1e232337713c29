/**
 * Node's counterpart of webpack's `asset/source` rule (webpack.config.js) for scripts that run the
 * TypeScript sources directly (`node -r @swc-node/register -r ./text-assets.register.js …`): a text
 * asset imported from code (`import text from './x.yaml'`) is a module whose export is its text.
 * Registered after swc-node on purpose: Node tries extensions in registration order, and
 * `./time.provider` must find `time.provider.ts` before `time.provider.yaml`.
 */
const { readFileSync } = require('node:fs');

for (const extension of ['.yaml', '.yml', '.svg']) {
  require.extensions[extension] = (module, filename) => {
    module.exports = readFileSync(filename, 'utf8');
  };
}
