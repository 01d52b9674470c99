/**
 * The main job's demo: a recovery workflow over the emulator's demo jobs, narrated as it goes. One job
 * succeeds, two fail and are retried to success, one keeps failing and is escalated to wait for a decision.
 */
import type { Client } from '@temporalio/client';
import type { DemoJob } from '../emulator';
import { statusQuery } from '../shared/messages';
import type { JobStatus, RecoverBatchJobsResult } from '../shared/recovery-types';
import { recoverBatchJobsWorkflow } from '../workflows';
import type { RecoveryTaskQueues } from '../runtime/recovery-workers';

/** Starts the demo workflow and narrates it until it ends or `until` settles. */
export async function runDemo(options: {
  client: Client;
  jobs: DemoJob[];
  taskQueues: RecoveryTaskQueues;
  print: (line: string) => void;
  until: Promise<unknown>;
}): Promise<RecoverBatchJobsResult | undefined> {
  const { client, jobs, taskQueues, print } = options;
  await endEarlierDemos(client, print);
  const names = new Map(jobs.map((j) => [j.jobId, j.jobName]));
  const workflowId = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const handle = await client.workflow.start(recoverBatchJobsWorkflow, {
    taskQueue: taskQueues.workflow,
    workflowId,
    args: [
      {
        jobIds: jobs.map((j) => j.jobId),
        label: 'npm start demo',
        taskQueues: { retry: taskQueues.retry, describe: taskQueues.describe },
        // Seconds instead of minutes, so the whole story fits in a minute.
        policy: {
          pollInterval: '2s',
          maxRetriesPerJob: 2,
          backoff: { initialInterval: '3s', maxInterval: '6s', jitter: 0.1 },
          escalation: { decisionTimeout: '1h' },
        },
      },
    ],
  });
  print(`\nDemo: workflow ${workflowId} watches ${jobs.length} emulated jobs:`);
  for (const j of jobs) print(`  ${j.jobId}  ${j.jobName}: ${j.story}`);

  const seen = new Map<string, string>();
  let stopped = false;
  void options.until.finally(() => (stopped = true));
  let hinted = false;
  let done = false;
  // Polls instead of awaiting handle.result(): a long-poll still open when Ctrl-C closes the connection would
  // crash the process on its way out.
  while (!stopped && !done) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    for (const job of status?.jobs ?? []) {
      const line = describeJob(job);
      if (seen.get(job.jobId) !== line) {
        seen.set(job.jobId, line);
        print(`  [${new Date().toISOString().slice(11, 19)}] ${names.get(job.jobId) ?? job.jobId}: ${line}`);
      }
      if (job.phase === 'AWAITING_DECISION' && !hinted) {
        hinted = true;
        print(
          `\n  ${job.jobId} needs a person. Decide with the operator CLI (or the web UI):\n` +
            `    npm run cli -- decide ${workflowId} retry --job ${job.jobId} --extra-retries 1\n` +
            `    npm run cli -- decide ${workflowId} abandon --job ${job.jobId}\n`,
        );
      }
    }
    done = (await handle.describe().catch(() => undefined))?.status.name !== 'RUNNING';
    if (!done) await Promise.race([new Promise((resolve) => setTimeout(resolve, 1_000)), options.until]);
  }
  const final = done && !stopped ? await handle.result().catch(() => undefined) : undefined;
  if (final) {
    print(`\nDemo finished: ${final.overall}`);
    for (const j of final.jobs)
      print(`  ${names.get(j.jobId) ?? j.jobId}: ${j.outcome} after ${j.retries} retries`);
  }
  return final;
}

function describeJob(job: JobStatus): string {
  const state = job.lastKnownState ?? 'unknown';
  switch (job.phase) {
    case 'DONE':
      return `${job.outcome ?? 'DONE'} (Batch state ${state}, ${job.retries} retries)`;
    case 'WAITING_TO_RETRY':
      return `FAILED${job.lastFailure?.stateReason ? ` (${job.lastFailure.stateReason})` : ''}: retry ${job.retries + 1} at ${job.nextRetryAt?.slice(11, 19) ?? '?'}`;
    case 'AWAITING_DECISION':
      return `ESCALATED (${job.escalation?.reason ?? '?'}: ${job.escalation?.message ?? ''}), waiting for a decision`;
    default:
      if (state === 'FAILED' && job.retries > 0)
        return `retry ${job.retries} sent (RetryJobs accepted), waiting for the job to restart`;
      return `${state}${job.retries > 0 ? ` (after ${job.retries} retries)` : ''}`;
  }
}

/**
 * Demo workflows of an earlier `npm start` still wait on jobs of an emulator that is gone (its state lives in
 * memory): end them so they do not poll, and say so.
 */
async function endEarlierDemos(client: Client, print: (line: string) => void): Promise<void> {
  let ended = 0;
  for await (const wf of client.workflow.list({
    query: `WorkflowId STARTS_WITH "demo-" AND ExecutionStatus = "Running"`,
  })) {
    await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate('a new npm start began; the emulated jobs of this demo are gone')
      .then(() => (ended += 1))
      .catch(() => undefined);
  }
  if (ended > 0) print(`Ended ${ended} demo workflow(s) left running by an earlier npm start.`);
}
