// @ts-check
// Plain JavaScript: jest reads its config before any transformer is set up.

/** What every project shares. */
const common = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/lib/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'dev-server',
      roots: ['<rootDir>/src', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      // One dev server per run (started here, stopped in teardown); see test/helpers/temporal.ts.
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      // After each file that handed out Tencent Cloud credentials: none of them in a history or a process's output.
      setupFilesAfterEnv: ['<rootDir>/test/setup/scan-secrets-after-file.ts'],
    },
    {
      // The end-to-end and chaos tests once more, on the Temporal server as production runs it: PostgreSQL, four
      // service processes, default task-queue partitions. Its setup runs only when one of its files is selected.
      ...common,
      displayName: 'postgresql',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/chaos/**/*.chaos.test.ts'],
      // The API budget's own test asks for the dev server with default partitions (the cluster has them too, and
      // rate-limit.e2e and the chaos runs cover the budget there); run on both it would add minutes to CI.
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/test/e2e/api-budget.e2e.test.ts'],
      globalSetup: '<rootDir>/test/setup/cluster-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/cluster-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/scan-secrets-after-file.ts'],
      // Read by test/helpers/temporal.ts: which shared server this project's files use.
      globals: { TEMPORAL_TEST_BACKEND: 'postgresql' },
    },
  ],
  reporters: ['default', '<rootDir>/test/setup/closing-line-reporter.js'],
  // 2 cores: each worker may run a Temporal worker and a JVM test server of its own.
  maxWorkers: 2,
  // Server tests start workers and bundle workflows (seconds each); time-skipping tests still take real time.
  testTimeout: 60_000,
};
