/**
 * Evidence of a broken invariant, kept for whoever investigates: the history of each workflow involved and of
 * every helper workflow the recovery workflows rely on (RetryJobs dispatcher, job watcher: every run, since they
 * continue as new), as binary protobuf that replays exactly (as test/fixtures/histories), and what the server says
 * of each involved workflow now (status, pending activities). The ledger and the process logs are already in the
 * work directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { RECOVER_BATCH_JOBS_WORKFLOW_TYPE } from '../../src/shared/constants';
import type { ChaosViolation } from './chaos-audit';
import { countBy } from './count-by';

/** Histories saved at most: enough to see the pattern, not a dump of the whole run. */
const MAX_WORKFLOWS = 10;

/** Saves what the server holds about the workflows named in `violations`, under `dir/evidence`. */
export async function saveViolationEvidence(
  client: Client,
  violations: readonly ChaosViolation[],
  dir: string,
): Promise<void> {
  const ids = [...new Set(violations.map((v) => ('workflowId' in v ? v.workflowId : undefined)))]
    .filter((id): id is string => id !== undefined)
    .slice(0, MAX_WORKFLOWS);
  if (ids.length === 0) return;
  const evidenceDir = path.join(dir, 'evidence');
  mkdirSync(evidenceDir, { recursive: true });
  await Promise.all(ids.map((id) => saveWorkflowEvidence(client, id, evidenceDir).catch(() => undefined)));
  await saveHelperHistories(client, evidenceDir).catch(() => undefined);
}

/** Every helper workflow run of this run's server (it is the run's own, so every one belongs to the run). */
const HELPER_QUERY = `WorkflowType != '${RECOVER_BATCH_JOBS_WORKFLOW_TYPE}'`;

/**
 * Runs of each helper workflow type (dispatcher, watcher): more than one means it continued as new during the run,
 * a hand-over that a chaos run should have crossed.
 */
export async function countHelperWorkflowRuns(client: Client): Promise<Record<string, number>> {
  const types: string[] = [];
  for await (const execution of client.workflow.list({ query: HELPER_QUERY })) types.push(execution.type);
  return countBy(types, (type) => type);
}

/** Every run of every helper workflow. */
async function saveHelperHistories(client: Client, dir: string): Promise<void> {
  for await (const execution of client.workflow.list({ query: HELPER_QUERY })) {
    const name = `${execution.workflowId}.${execution.runId}.pb`.replace(/[^\w.:-]/g, '_');
    await saveHistory(client, execution.workflowId, execution.runId, path.join(dir, name)).catch(
      () => undefined,
    );
  }
}

async function saveWorkflowEvidence(client: Client, workflowId: string, dir: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  writeFileSync(
    path.join(dir, `${workflowId}.describe.json`),
    JSON.stringify(
      {
        status: description.status.name,
        runId: description.runId,
        historyLength: description.historyLength,
        pendingActivities: description.raw.pendingActivities?.map((a) => ({
          activityType: a.activityType?.name,
          state: a.state,
          attempt: a.attempt,
          lastWorkerIdentity: a.lastWorkerIdentity,
          lastFailure: a.lastFailure?.message,
        })),
      },
      null,
      2,
    ),
  );
  await saveHistory(client, workflowId, undefined, path.join(dir, `${workflowId}.pb`));
}

async function saveHistory(
  client: Client,
  workflowId: string,
  runId: string | undefined,
  file: string,
): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
}
