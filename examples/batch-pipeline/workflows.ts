/**
 * `batchPipelineWorkflow`: submits a pipeline's Tencent Batch jobs, then hands them to the package's
 * `recoverBatchJobsWorkflow` as a CHILD workflow, which retries failures until every job succeeds or people
 * decide, and reports the pipeline's outcome from the child's result.
 *
 * Runs in the workflow sandbox: it imports the recovery workflow as a type only and starts it by name, so this
 * bundle holds none of the recovery's code; the child runs on the recovery worker's own task queue.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  executeChild,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_WORKFLOW_TASK_QUEUE,
  MAX_JOB_IDS_PER_REQUEST,
  RECOVER_BATCH_JOBS_WORKFLOW_TYPE,
} from '../../src/shared/constants';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../src/shared/errors';
import type { recoverBatchJobsWorkflow } from '../../src/workflows';
import {
  JOB_IDS_SEARCH_ATTRIBUTE,
  RECOVERY_STATE_SEARCH_ATTRIBUTE,
} from '../../src/workflows/search-attributes';
import type { createPipelineActivities } from './activities';
import type { BatchPipelineInput, BatchPipelineResult } from './shared';

const { submitJobs } = proxyActivities<ReturnType<typeof createPipelineActivities>>({
  // One SubmitJob per job, each answered in well under a second; 100 jobs at the API's 7/s fit in a minute.
  startToCloseTimeout: '2m',
  // A heartbeat after each job: a worker that dies mid-submit is noticed in 30 s, not at the 2-minute timeout.
  heartbeatTimeout: '30s',
  // Retries are safe: each job's ClientToken makes a repeated SubmitJob return the job the first one created.
  retry: {
    initialInterval: '1s',
    maximumInterval: '1m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  },
});

/** Submits `input.jobs`, recovers them through a child `recoverBatchJobsWorkflow`, and reports the outcome. */
export async function batchPipelineWorkflow(input: BatchPipelineInput): Promise<BatchPipelineResult> {
  validate(input);
  const submittedAt = new Date().toISOString();
  const { jobs } = await submitJobs({ zone: input.zone, jobs: input.jobs });
  const jobIds = jobs.map((j) => j.jobId);
  const queues = input.recovery?.taskQueues ?? {};
  const recoveryWorkflowId = `${workflowInfo().workflowId}-recovery`;

  const recovery = await executeChild<typeof recoverBatchJobsWorkflow>(RECOVER_BATCH_JOBS_WORKFLOW_TYPE, {
    workflowId: recoveryWorkflowId,
    taskQueue: queues.workflow ?? DEFAULT_WORKFLOW_TASK_QUEUE,
    args: [
      {
        jobIds,
        label: input.label ?? workflowInfo().workflowId,
        ...(input.recovery?.policy ? { policy: input.recovery.policy } : {}),
        ...(queues.retry || queues.describe
          ? { taskQueues: { retry: queues.retry, describe: queues.describe } }
          : {}),
      },
    ],
    // REQUEST_CANCEL: if the pipeline ends without cancelling the child (terminated, timed out, reset), the
    // recovery is asked to cancel: it takes back retries not sent yet and ends Cancelled, each job's last known
    // state readable through its status query. TERMINATE (the
    // default) would cut it off without that record; ABANDON would keep retrying jobs, spending quota and compute,
    // for a pipeline nobody waits for any more.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    // Operators find the recovery by job ID at once, before its first task upserts them.
    typedSearchAttributes: [
      { key: JOB_IDS_SEARCH_ATTRIBUTE, value: jobIds },
      { key: RECOVERY_STATE_SEARCH_ATTRIBUTE, value: 'WATCHING' },
    ],
    staticSummary: `Recover the ${jobIds.length} job(s) of pipeline ${workflowInfo().workflowId}`,
  });

  const byId = new Map(recovery.jobs.map((j) => [j.jobId, j]));
  return {
    overall: recovery.overall,
    recoveryWorkflowId,
    jobs: jobs.map(({ name, jobId }) => {
      const status = byId.get(jobId);
      return {
        name,
        jobId,
        outcome: status?.outcome,
        retries: status?.retries ?? 0,
        lastKnownState: status?.lastKnownState,
      };
    }),
    submittedAt,
    finishedAt: recovery.finishedAt,
  };
}

/** Input no retry can fix fails the pipeline at once, before any job is submitted. */
function validate(input: BatchPipelineInput): void {
  const problems: string[] = [];
  if (typeof input?.zone !== 'string' || input.zone === '') problems.push('zone must be a non-empty string');
  const jobs = Array.isArray(input?.jobs) ? input.jobs : [];
  if (jobs.length < 1 || jobs.length > MAX_JOB_IDS_PER_REQUEST) {
    problems.push(`jobs must hold 1 to ${MAX_JOB_IDS_PER_REQUEST} jobs`);
  }
  const names = jobs.map((j) => j?.name);
  for (const [i, name] of names.entries()) {
    if (typeof name !== 'string' || name === '' || name.length > 60) {
      problems.push(`jobs[${i}].name must be 1-60 characters`);
    } else if (names.indexOf(name) !== i) {
      problems.push(`jobs[${i}].name ${JSON.stringify(name)} repeats an earlier job's name`);
    }
  }
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      message: `invalid batchPipelineWorkflow input: ${problems.join('; ')}`,
      type: ErrorType.InvalidInput,
      nonRetryable: true,
      details: [{ problems }],
    });
  }
}
