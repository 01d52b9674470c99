/**
 * Environment variables through which the jest global setup hands the shared Temporal servers to test
 * files (jest workers inherit the setup process's environment). Read them through test/helpers/temporal.ts.
 */

/**
 * `host:port` of the run's shared dev server. Set it before running jest to use an existing server instead
 * (it must have the package's search attributes registered).
 */
export const TEMPORAL_TEST_ADDRESS_ENV = 'TEMPORAL_TEST_ADDRESS';

/** JSON of the provisioned time-skipping test server (`ResolvedServerBinary`), so test files skip resolving it. */
export const TEMPORAL_TEST_TIME_SKIPPING_SERVER_ENV = 'TEMPORAL_TEST_TIME_SKIPPING_SERVER';

/**
 * `host:port` of the frontend of the run's shared Temporal cluster on PostgreSQL (the `postgresql` jest project).
 * Set it before running jest to use an existing cluster instead (with the package's search attributes).
 */
export const TEMPORAL_TEST_CLUSTER_ADDRESS_ENV = 'TEMPORAL_TEST_CLUSTER_ADDRESS';
