// Text assets bundled as strings: webpack's `asset/source` rule in the build, a Jest transform in
// tests (see webpack.config.js and jest.config.js). The default export is the file's text.
declare module '*.yaml' {
  const text: string;
  export default text;
}

declare module '*.svg' {
  const text: string;
  export default text;
}
