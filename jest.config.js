/**
 * One `npm test` for everything: unit specs next to the code (`*.spec.ts`) and end-to-end suites
 * that boot the real app over HTTP (`test/e2e/*.e2e-spec.ts`). SWC transpiles (with decorator
 * metadata, which Nest's injector needs); `npm run lint` type-checks.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  transform: {
    '^.+\\.ts$': swc,
    // What webpack's `asset/source` rule does for the build (see webpack.config.js).
    '^.+\\.(ya?ml|svg)$': '<rootDir>/jest.text-asset-transform.js',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@keel/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@keel/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // Global, not per project: e2e suites start servers and wait for them.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{src,libs}/**/*.spec.ts'] },
    // Static checks of docker/: the image, the compose stack and the Helm chart, parsed and validated.
    { ...shared, displayName: 'packaging', testMatch: ['<rootDir>/test/packaging/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
