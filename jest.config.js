// @ts-check
// Plain JavaScript: jest reads its config before any transformer is set up.

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // One dev server per run (started here, stopped in teardown); see test/helpers/temporal.ts.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/setup/closing-line-reporter.js'],
  // 2 cores: each worker may run a Temporal worker and a JVM test server of its own.
  maxWorkers: 2,
  // Server tests start workers and bundle workflows (seconds each); time-skipping tests still take real time.
  testTimeout: 60_000,
};
