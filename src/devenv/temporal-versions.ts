/**
 * Versions of the local Temporal servers this package builds and caches. Changing one changes the cache
 * directory name, so an upgrade never reuses a stale build.
 */

/**
 * Temporal CLI built from source for `temporal server start-dev` (Temporal server 1.29.1).
 * Tags from v1.6.0 on carry a `replace` directive that `go install pkg@version` refuses, so 1.5.1 is the
 * newest release that builds with a plain `go install`.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';

/** Oldest `temporal` found on PATH that is used as is: 1.5 is the first CLI with every start-dev flag used here. */
export const MIN_TEMPORAL_CLI_ON_PATH: readonly [number, number, number] = [1, 5, 0];

/** Java time-skipping test server (`io.temporal:temporal-test-server` on Maven Central). */
export const TEMPORAL_TEST_SERVER_VERSION = '1.31.0';

/**
 * Temporal server run as four services on PostgreSQL (`go.temporal.io/server`), with its SQL schema tool: the
 * same server version as the dev server above, so both backends run the same server code.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

/** Temporal web UI server (`github.com/temporalio/ui-server/v2`, UI assets embedded): the UI of the CLI above. */
export const TEMPORAL_UI_SERVER_VERSION = '2.42.1';

/** Oldest PostgreSQL the server's `postgres12` schema supports. */
export const MIN_POSTGRES_MAJOR_VERSION = 12;
