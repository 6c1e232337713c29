// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // libs/*/dist: build output of a lib built on its own (the plugin SDK's runtime and CLI).
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'webpack.config.js', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only src/config reads the environment; inject AppConfig instead.',
        },
      ],
    },
  },
  {
    // Features reach infrastructure through the libs' services, never through driver SDKs.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['ioredis', 'bull', '@nestjs/bull', 'keyv', 'cache-manager', 'lru-cache', 'nodemailer', '@aws-sdk/*', '@azure/*', '@google-cloud/*'],
              message: 'Use the extension in libs/ (e.g. RedisService, QueueService, CacheService) instead of the driver SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // Infrastructure never depends on the application.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/*', '../../src/**'], message: 'libs/* must not import from src/.' }] }],
    },
  },
  {
    files: ['src/config/**/*.ts', 'test/**/*.ts', 'test/**/*.mjs', 'bench/**/*.{ts,mjs}', '**/*.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests poke at untyped JSON bodies on purpose.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain Node scripts (benchmarks, the ESM-only SDK check, the plugin SDK's build script and
    // bin launcher): not part of the TypeScript project.
    files: ['bench/**/*.mjs', 'test/**/*.mjs', 'libs/*/scripts/**/*.mjs', 'libs/*/bin/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
