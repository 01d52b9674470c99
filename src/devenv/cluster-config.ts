/**
 * The Temporal server's configuration for the PostgreSQL backend, written by us from the server's documented
 * options (its `config/development-postgres12.yaml` is the model): SQL persistence and SQL visibility on one
 * PostgreSQL server, the four services each on ports of their own on 127.0.0.1. Written as JSON, which the
 * server's YAML loader reads as is.
 */
import path from 'node:path';
import { POSTGRES_SUPERUSER } from './postgres-server';

/** The four services of a Temporal server, each run as a process of its own. */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** Databases the schema tool creates: workflow state, and visibility (list and search, custom attributes). */
export const TEMPORAL_DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;

/** The ports of one service. */
export interface ServicePorts {
  grpc: number;
  /** Ringpop gossip between the services. */
  membership: number;
}

/** What the configuration is made of. */
export interface ClusterConfigInput {
  postgresPort: number;
  ports: Record<TemporalService, ServicePorts>;
  /** Frontend's HTTP API port. */
  frontendHttpPort: number;
  /**
   * History shards: fixed for the life of the database. 4, as the server's own development config: enough to
   * spread work over a history process without the per-shard overhead a 2-core machine notices.
   */
  historyShards: number;
  dynamicConfigFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * The dynamic config a deployment of this package runs with (docker-compose.yml mounts the same file): default
 * task-queue partitions, except one for the two rate-limited queues, so that their limits are exact.
 */
export const DEPLOYMENT_DYNAMIC_CONFIG_FILE = path.resolve(
  __dirname,
  '../../deploy/temporal/dynamicconfig.yaml',
);

export { DEFAULT_TASK_QUEUE_PARTITIONS } from '../shared/constants';

/**
 * The cluster's dynamic config file: the deployment's, as is, plus `overrides` (keys it does not set) in YAML's
 * flow style, which is JSON.
 */
export function clusterDynamicConfigText(
  deploymentText: string,
  overrides: Readonly<Record<string, unknown>>,
): string {
  const extra = Object.entries(overrides).map(([key, value]) => `${key}: ${JSON.stringify([{ value }])}`);
  return [deploymentText.trimEnd(), ...extra, ''].join('\n');
}

/** The server configuration (`<config dir>/<env>.yaml`). */
export function clusterConfig(input: ClusterConfigInput): Record<string, unknown> {
  const datastore = (databaseName: string, maxConns: number): Record<string, unknown> => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${input.postgresPort}`,
      connectProtocol: 'tcp',
      user: POSTGRES_SUPERUSER,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (name: TemporalService): Record<string, unknown> => ({
    rpc: {
      grpcPort: input.ports[name].grpc,
      membershipPort: input.ports[name].membership,
      bindOnLocalHost: true,
      ...(name === 'frontend' ? { httpPort: input.frontendHttpPort } : {}),
    },
  });
  return {
    log: { stdout: true, level: input.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.historyShards,
      datastores: {
        'postgres-default': datastore(TEMPORAL_DATABASES.persistence, 10),
        'postgres-visibility': datastore(TEMPORAL_DATABASES.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(TEMPORAL_SERVICES.map((name) => [name, service(name)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${input.ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}
