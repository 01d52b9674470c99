/**
 * The secrets check of a chaos run (test/support/secrets-scan.ts): no credential the worker processes were given
 * appears in a history on the run's server — it is the run's own, so every workflow and every run on it is checked,
 * the package's helper workflows (job watcher, RetryJobs dispatcher, API budget) included — or in the output of any
 * worker process the fleet started, the killed ones included. The audit turns what it finds into violations.
 */
import type { Client } from '@temporalio/client';
import type { StartedProcess } from '../../test/helpers/test-file-footprint';
import {
  credentialsInEnv,
  findSecrets,
  secretsOf,
  type SecretFinding,
} from '../../test/support/secrets-scan';
import { historyEvents, listRuns } from '../../test/support/workflow-histories';

/** Where the run's credentials were found: nowhere, when all is well. */
export interface ChaosSecretFindings {
  inHistories: SecretFinding[];
  inWorkerOutput: SecretFinding[];
}

/** Scans every history on the run's server and the output of every worker in `workers`. */
export async function findChaosRunSecrets(
  client: Client,
  workers: readonly StartedProcess[],
): Promise<ChaosSecretFindings> {
  const secrets = secretsOf(workers.map(({ env }) => credentialsInEnv(env)));
  const histories = await historyEvents(client, await listRuns(client));
  return {
    inHistories: findSecrets(histories, secrets),
    inWorkerOutput: findSecrets(
      workers.map((worker) => ({ where: `output of ${worker.name}`, content: worker.output() })),
      secrets,
    ),
  };
}
