/**
 * Jest's counterpart of webpack's `asset/source` rule (webpack.config.js): a text asset imported
 * from code (`import text from './x.yaml'`) is a module whose default export is the file's text.
 */
module.exports = {
  process(sourceText) {
    return { code: `module.exports = ${JSON.stringify(sourceText)};` };
  },
};
