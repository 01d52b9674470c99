/**
 * The Temporal server a chaos run disrupts, on either backend: its own file-backed dev server (restarted whole), or
 * its own Temporal cluster on PostgreSQL (one service process SIGKILLed and restarted at a time; PostgreSQL
 * restarted). Never the jest run's shared server: disrupting that one would break every other test file.
 */
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_TASK_QUEUE_PARTITIONS } from '../../src/devenv/cluster-config';
import { silentProgress } from '../../src/devenv/progress';
import { startTemporalCluster, type TemporalService } from '../../src/devenv/temporal-cluster';
import { startRestartableDevServer } from './restartable-dev-server';

/** Which Temporal server a chaos run runs on. */
export type ChaosBackend = 'dev-server' | 'postgresql';

/** The services a chaos run kills; the worker service runs no task of the package's workflows. */
export const KILLED_SERVICES = [
  'matching',
  'history',
  'frontend',
] as const satisfies readonly TemporalService[];
export type KilledService = (typeof KILLED_SERVICES)[number];

/** A Temporal server that a chaos run may disrupt. */
export interface ChaosTemporal {
  readonly backend: ChaosBackend;
  /** `host:port` of the frontend; the same before and after every disruption. */
  readonly address: string;
  /** Server processes: 1 for the dev server, 4 for the cluster. */
  readonly services: number;
  /** Partitions of the run's (uniquely named) task queues. */
  readonly partitions: number;
  /** Stops the whole dev server and starts it again; resolves with the downtime in ms. Dev server only. */
  restartServer(): Promise<number>;
  /** SIGKILLs one service and starts it again; resolves with the time until the frontend answers. Cluster only. */
  killService(service: KilledService): Promise<number>;
  /** Restarts PostgreSQL on the same port and data; resolves with its downtime in ms. Cluster only. */
  restartPostgres(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the run's own server on `backend`, with its data and logs in `workDir`. */
export async function startChaosTemporal(backend: ChaosBackend, workDir: string): Promise<ChaosTemporal> {
  if (backend === 'dev-server') {
    const server = await startRestartableDevServer(workDir);
    const unsupported = (what: string) => () =>
      Promise.reject(new Error(`${what} needs the postgresql backend`));
    return {
      backend,
      address: server.address,
      services: 1,
      // The dev server keeps the default partitions (DEV_SERVER_DYNAMIC_CONFIG sets none).
      partitions: DEFAULT_TASK_QUEUE_PARTITIONS,
      restartServer: () => server.restart(),
      killService: unsupported('killing a service'),
      restartPostgres: unsupported('restarting PostgreSQL'),
      stop: () => server.stop(),
    };
  }
  // PostgreSQL runs as its own account when the run is root: it must be able to reach its data directory.
  await chmod(workDir, 0o755);
  const cluster = await startTemporalCluster({
    dataDir: path.join(workDir, 'cluster'),
    durable: false,
    retention: '24h',
    log: silentProgress,
  });
  return {
    backend,
    address: cluster.address,
    services: 4,
    partitions: DEFAULT_TASK_QUEUE_PARTITIONS,
    restartServer: () => Promise.reject(new Error('the postgresql backend restarts services one at a time')),
    async killService(service) {
      const killedAt = Date.now();
      await cluster.killAndRestartService(service);
      await frontendAnswers(cluster.address, cluster.namespace);
      return Date.now() - killedAt;
    },
    restartPostgres: () => cluster.restartPostgres(),
    stop: () => cluster.stop(),
  };
}

/** A restarted service rejoins in seconds; one that takes longer than this is broken. */
const SERVICE_RECOVERY_TIMEOUT_MS = 60_000;

/** Waits until a new connection to the frontend can describe the namespace. */
async function frontendAnswers(address: string, namespace: string): Promise<void> {
  const deadline = Date.now() + SERVICE_RECOVERY_TIMEOUT_MS;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`the frontend did not answer again within ${SERVICE_RECOVERY_TIMEOUT_MS} ms`, {
          cause: error,
        });
      await delay(200);
    } finally {
      await connection?.close();
    }
  }
}
