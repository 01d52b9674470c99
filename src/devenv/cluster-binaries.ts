import path from 'node:path';
import { devenvCacheRoot } from './cache-dir';
import { goBuiltBinaries } from './go-built-binaries';
import { findPostgres, type PostgresInstallation } from './postgres-installation';
import { stderrProgress, type ProgressLog } from './progress';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from './temporal-versions';

/** Everything the PostgreSQL backend runs. */
export interface ClusterBinaries {
  /** `temporal-server` (go.temporal.io/server/cmd/server): each of the four services is one process of it. */
  server: string;
  /** `temporal-sql-tool`: creates the databases and applies the server's embedded schema. */
  sqlTool: string;
  /** `ui-server`: the Temporal web UI with its assets embedded. */
  uiServer: string;
  postgres: PostgresInstallation;
}

/** Options of {@link provisionClusterBinaries}. */
export interface ProvisionClusterOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default devenvCacheRoot(env) */
  cacheRoot?: string;
  /** @default stderrProgress */
  log?: ProgressLog;
}

/**
 * Finds PostgreSQL on the machine and finds, or builds once per machine with `go install` from the Go module proxy,
 * the Temporal server, its SQL schema tool and the web UI server, into `<cacheRoot>/temporal-server-<version>/` and
 * `<cacheRoot>/temporal-ui-server-<version>/`. The server build reuses most of the Temporal CLI's Go build cache
 * (the CLI embeds the same server), so it takes about two minutes after the CLI's.
 */
export async function provisionClusterBinaries(
  options: ProvisionClusterOptions = {},
): Promise<ClusterBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrProgress;
  const cacheRoot = options.cacheRoot ?? devenvCacheRoot(env);
  const postgres = await findPostgres(env);
  const server = await goBuiltBinaries(
    {
      cacheDir: path.join(cacheRoot, `temporal-server-${TEMPORAL_SERVER_VERSION}`),
      title: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
      version: `v${TEMPORAL_SERVER_VERSION}`,
      packages: {
        'go.temporal.io/server/cmd/tools/sql': 'temporal-sql-tool',
        'go.temporal.io/server/cmd/server': 'temporal-server',
      },
    },
    log,
  );
  const ui = await goBuiltBinaries(
    {
      cacheDir: path.join(cacheRoot, `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`),
      title: `Temporal UI server ${TEMPORAL_UI_SERVER_VERSION}`,
      version: `v${TEMPORAL_UI_SERVER_VERSION}`,
      packages: { 'github.com/temporalio/ui-server/v2/cmd/server': 'ui-server' },
    },
    log,
  );
  return {
    server: server['temporal-server'],
    sqlTool: server['temporal-sql-tool'],
    uiServer: ui['ui-server'],
    postgres,
  };
}
