// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no SDK clients,
// no activity implementations (only `import type`).
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  // consumer-test/ is another project: it resolves the package from its packed tarball, and test/consumer
  // typechecks it with its own tsconfig.
  { ignores: ['lib/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', 'consumer-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      'no-console': 'error',
    },
  },
  {
    // A long-running workflow stays readable in one sitting: every function and method fits on a screen or two.
    files: ['src/workflows/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow and shared code must not use Node built-ins.',
            })),
            { name: 'tencentcloud-sdk-nodejs', message: 'SDK clients belong in activities.' },
            { name: '@temporalio/client', message: 'Clients do not belong in workflow code.' },
            { name: '@temporalio/worker', message: 'Worker code does not belong in workflow code.' },
            { name: '@temporalio/activity', message: 'Activity context does not belong in workflow code.' },
          ],
          patterns: [
            { group: ['tencentcloud-sdk-nodejs/*'], message: 'SDK clients belong in activities.' },
            {
              group: ['**/activities/*', '**/activities', '**/batch/*', '**/emulator/*', '**/devenv/*'],
              allowTypeImports: true,
              message: 'Import Node-side modules into workflow code as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Scripts, tests, benchmarks and CLIs may print.
    files: [
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'src/**/cli.ts',
      'src/**/*-cli.ts',
      'src/cli/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
