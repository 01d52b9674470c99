/**
 * The Temporal server as production runs it: PostgreSQL for persistence and visibility, and the four services
 * (history, matching, frontend, worker) as four processes, each under the parent watchdog. Used by the jest
 * PostgreSQL project (test/setup/cluster-global-setup.ts), the cluster chaos run and `npm run stack`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../shared/constants';
import { provisionClusterBinaries, type ClusterBinaries } from './cluster-binaries';
import {
  clusterConfig,
  clusterDynamicConfigText,
  DEFAULT_TASK_QUEUE_PARTITIONS,
  DEPLOYMENT_DYNAMIC_CONFIG_FILE,
  TEMPORAL_DATABASES,
  TEMPORAL_SERVICES,
  type ServicePorts,
  type TemporalService,
} from './cluster-config';
import type { SearchAttributeTypeName } from './dev-server-options';
import { findFreePort, findFreePortInRange } from './free-port';
import { waitForFrontend } from './frontend-readiness';
import { POSTGRES_SUPERUSER, startPostgres, type RunningPostgres } from './postgres-server';
import { stderrProgress, type ProgressLog } from './progress';
import { runLongProcess } from './run-process';
import { TEMPORAL_SERVER_VERSION } from './temporal-versions';
import { spawnWatched, type WatchedProcess } from './watched-process';

export { TEMPORAL_SERVICES, type TemporalService } from './cluster-config';

/** Options of {@link startTemporalCluster}. */
export interface TemporalClusterOptions {
  /**
   * Holds everything: `postgres/` (the database cluster), `config/`, `logs/`. Reused when it already holds a
   * cluster: workflows survive a stop and a new start on the same directory.
   */
  dataDir: string;
  /** @default provisionClusterBinaries({ log }) */
  binaries?: ClusterBinaries;
  /** Frontend gRPC port. @default a free port */
  port?: number;
  /** Namespace created at start (if missing). @default 'default' */
  namespace?: string;
  /** How long the namespace keeps closed workflows. @default '72h' */
  retention?: Duration;
  /** @default SEARCH_ATTRIBUTE_DEFINITIONS (this package's) */
  searchAttributes?: Readonly<Record<string, SearchAttributeTypeName>>;
  /** Dynamic config values added to the deployment's (deploy/temporal/dynamicconfig.yaml): keys it does not set. */
  dynamicConfig?: Readonly<Record<string, unknown>>;
  /** PostgreSQL flushes every commit to disk. Off for throw-away test data. @default true */
  durable?: boolean;
  /** @default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Let this process exit while the cluster runs (the watchdogs then stop it). @default false */
  unref?: boolean;
  /** Deadline for the services to serve the namespace with its search attributes. @default 120_000 */
  readyTimeoutMs?: number;
  /** @default stderrProgress */
  log?: ProgressLog;
}

/** A running cluster. */
export interface TemporalCluster {
  /** `host:port` of the frontend, for clients and workers. */
  readonly address: string;
  readonly namespace: string;
  readonly dataDir: string;
  /** Where each service's and PostgreSQL's output goes. */
  readonly logDir: string;
  readonly postgresPort: number;
  /** Partitions of a task queue the dynamic config does not name. */
  readonly defaultPartitions: number;
  readonly binaries: ClusterBinaries;
  /**
   * SIGKILLs one service process (no shutdown at all, as a crash) and starts it again on the same ports. Any service
   * that exits on its own after the start is started again a second later.
   */
  killAndRestartService(service: TemporalService): Promise<void>;
  /** Stops PostgreSQL (fast shutdown) and starts it again on the same port; resolves with the downtime in ms. */
  restartPostgres(): Promise<number>;
  /** Stops the services, then PostgreSQL, and waits for all of them. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Times a service may exit during the cluster's first start before the start gives up. */
const MAX_STARTUP_RESTARTS = 3;

/** Pause before a service that exited on its own is started again. */
const SERVICE_RESTART_DELAY_MS = 1_000;

/** The server and UI need a namespace to start workflows in: created once, at the first start. */
const NAMESPACE_RETENTION_DEFAULT = '72h';

/** Starts PostgreSQL and the four Temporal services; resolves once the namespace and its attributes are served. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const log = options.log ?? stderrProgress;
  const binaries = options.binaries ?? (await provisionClusterBinaries({ log }));
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'logs');
  const configDir = path.join(dataDir, 'config');
  await mkdir(logDir, { recursive: true });
  await mkdir(configDir, { recursive: true });
  const namespace = options.namespace ?? 'default';
  const searchAttributes = options.searchAttributes ?? SEARCH_ATTRIBUTE_DEFINITIONS;
  const unref = options.unref ?? false;

  const postgresPort = await findFreePort();
  const startDatabase = (): Promise<RunningPostgres> =>
    startPostgres({
      installation: binaries.postgres,
      dataDir: path.join(dataDir, 'postgres'),
      port: postgresPort,
      logFile: path.join(logDir, 'postgres.log'),
      durable: options.durable ?? true,
      unref,
      log,
    });
  let postgres = await startDatabase();
  const services = new Map<TemporalService, WatchedProcess>();
  /** Starting: a service that exits is started again a few times; up: always; stopped: never. */
  let phase: 'starting' | 'up' | 'stopped' = 'starting';
  const stopAll = async (): Promise<void> => {
    phase = 'stopped';
    await Promise.all([...services.values()].map((service) => service.stop()));
    await postgres.stop();
  };
  try {
    await setUpSchema(binaries.sqlTool, postgresPort, dataDir, log);
    const ports = await servicePorts(options.port);
    const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
    await writeFile(
      dynamicConfigFile,
      clusterDynamicConfigText(
        await readFile(DEPLOYMENT_DYNAMIC_CONFIG_FILE, 'utf8'),
        options.dynamicConfig ?? {},
      ),
    );
    await writeFile(
      path.join(configDir, 'cluster.yaml'),
      JSON.stringify(
        clusterConfig({
          postgresPort,
          ports,
          frontendHttpPort: await findFreePort(),
          historyShards: 4,
          dynamicConfigFile,
          logLevel: options.logLevel ?? 'warn',
        }),
        null,
        2,
      ),
    );
    const startService = (service: TemporalService): void => {
      const watched = spawnWatched(
        binaries.server,
        [
          '--root',
          dataDir,
          '--config',
          'config',
          '--env',
          'cluster',
          '--allow-no-auth',
          'start',
          '--service',
          service,
        ],
        {
          // No network here: the frontend must not try to reach Temporal's version service.
          env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
          output: { file: path.join(logDir, `${service}.log`) },
          unref,
        },
      );
      services.set(service, watched);
      // A service that exits on its own is started again, as a supervisor (systemd, Kubernetes) does in production:
      // e.g. one restarted while PostgreSQL is down exits at its schema check. During the first start too, a few
      // times: on a new database the four services race to write the cluster metadata, and the loser exits.
      void watched.exited.then(async () => {
        await delay(SERVICE_RESTART_DELAY_MS);
        if (phase === 'stopped' || services.get(service) !== watched) return;
        const exits = (startupExits.get(service) ?? 0) + 1;
        if (phase === 'starting') startupExits.set(service, exits);
        if (phase === 'up' || exits <= MAX_STARTUP_RESTARTS) startService(service);
      });
    };
    const startupExits = new Map<TemporalService, number>();
    TEMPORAL_SERVICES.forEach(startService);
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    const gaveUp = (): string | undefined => {
      const dead = [...services].find(
        ([name, service]) =>
          service.exitStatus() !== undefined && (startupExits.get(name) ?? 0) >= MAX_STARTUP_RESTARTS,
      );
      return dead
        ? `service ${dead[0]} exited during startup (log: ${path.join(logDir, `${dead[0]}.log`)})`
        : undefined;
    };
    const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    await registerNamespace(
      address,
      namespace,
      options.retention ?? NAMESPACE_RETENTION_DEFAULT,
      searchAttributes,
      {
        deadline: Date.now() + readyTimeoutMs,
        gaveUp,
      },
    );
    await waitForFrontend({
      address,
      namespace,
      searchAttributes: Object.keys(searchAttributes),
      timeoutMs: readyTimeoutMs,
      gaveUp,
    });
    phase = 'up';
    log(
      `Temporal ${TEMPORAL_SERVER_VERSION} on PostgreSQL ${binaries.postgres.majorVersion}: ${address} (${dataDir})`,
    );
    let stopped: Promise<void> | undefined;
    return {
      address,
      namespace,
      dataDir,
      logDir,
      postgresPort,
      defaultPartitions: DEFAULT_TASK_QUEUE_PARTITIONS,
      binaries,
      async killAndRestartService(service) {
        await services.get(service)?.kill();
        startService(service);
      },
      async restartPostgres() {
        const stoppedAt = Date.now();
        await postgres.stop();
        postgres = await startDatabase();
        return Date.now() - stoppedAt;
      },
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw new Error(`the Temporal cluster in ${dataDir} did not start (logs in ${logDir})`, { cause: error });
  }
}

/**
 * Below 32768: the server records each service's ports in PostgreSQL `smallint` columns (cluster_membership), and
 * a service whose port is above it exits at start (checked with 1.29.1). Above the usual well-known services.
 */
const SERVICE_PORT_RANGE = { min: 20_000, max: 32_767 } as const;

async function servicePorts(
  frontendPort: number | undefined,
): Promise<Record<TemporalService, ServicePorts>> {
  const ports: Partial<Record<TemporalService, ServicePorts>> = {};
  const freePort = (): Promise<number> => findFreePortInRange(SERVICE_PORT_RANGE.min, SERVICE_PORT_RANGE.max);
  for (const service of TEMPORAL_SERVICES) {
    const grpc = service === 'frontend' && frontendPort !== undefined ? frontendPort : await freePort();
    ports[service] = { grpc, membership: await freePort() };
  }
  return ports as Record<TemporalService, ServicePorts>;
}

/**
 * Creates both databases and brings their schema to the server's version with the schema embedded in the tool.
 * Every step is a no-op when already done (checked: an existing database is kept, `setup-schema -v 0.0` skips a
 * newer schema, `update-schema` applies only missing versions), so a restart on the same data runs them again;
 * docker-compose.yml's `temporal-schema` job runs the same steps.
 */
async function setUpSchema(sqlTool: string, port: number, dataDir: string, log: ProgressLog): Promise<void> {
  for (const [kind, database] of Object.entries(TEMPORAL_DATABASES)) {
    const run = (...args: string[]): Promise<number> =>
      runLongProcess(
        sqlTool,
        [
          ...['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(port)],
          ...['-u', POSTGRES_SUPERUSER, '--db', database, ...args],
        ],
        { cwd: dataDir, log, label: `temporal-sql-tool ${args[0] ?? ''} ${database}` },
      );
    await run('create-database');
    await run('setup-schema', '-v', '0.0');
    await run(
      'update-schema',
      '--schema-name',
      `postgresql/v12/${kind === 'persistence' ? 'temporal' : 'visibility'}`,
    );
  }
}

const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, temporal.api.enums.v1.IndexedValueType> = {
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Creates the namespace and its custom search attributes once the frontend answers (it starts in seconds, but
 * only after history and matching have joined the ring). Both calls are idempotent: a second start of the same
 * data directory finds them in place.
 */
async function registerNamespace(
  address: string,
  namespace: string,
  retention: Duration,
  searchAttributes: Readonly<Record<string, SearchAttributeTypeName>>,
  wait: { deadline: number; gaveUp: () => string | undefined },
): Promise<void> {
  let lastProblem = '';
  for (;;) {
    const reason = wait.gaveUp();
    if (reason !== undefined) throw new Error(`Temporal cluster at ${address}: ${reason}`);
    if (Date.now() > wait.deadline)
      throw new Error(`could not create namespace ${namespace}: ${lastProblem}`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: '2s' });
      await ensureNamespace(connection, namespace, retention);
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          Object.entries(searchAttributes).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
        ),
      });
      return;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
      await delay(500);
    } finally {
      await connection?.close();
    }
  }
}

async function ensureNamespace(
  connection: Connection,
  namespace: string,
  retention: Duration,
): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs(retention),
  });
}

/** gRPC NOT_FOUND (5). */
function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 5;
}
