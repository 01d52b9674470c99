/**
 * The pipeline's activity: submitting its jobs through the package's typed Batch client. Built by a factory
 * that receives the client, so tests pass one pointed at the emulator and the worker passes the real one.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { BatchApi } from '../../src/batch/batch-api';
import { ErrorType } from '../../src/shared/errors';
import type { SubmitJobsInput, SubmitJobsOutput } from './shared';

/** What the pipeline's activities need. */
export interface PipelineActivityDependencies {
  /** Tencent Cloud Batch through the package's classified client (`createBatchApi`). */
  batchApi: BatchApi;
}

/** Builds the pipeline's activities; the returned object's keys are the activity type names. */
export function createPipelineActivities(deps: PipelineActivityDependencies) {
  return {
    /**
     * SubmitJob for each job, in order. Idempotent: each job carries a ClientToken derived from the workflow ID and
     * the job's name, so a retried attempt (lost answer, worker crash) gets back the job the first attempt
     * created instead of a duplicate. Failures are the client layer's classified ApplicationFailures.
     */
    async submitJobs(input: SubmitJobsInput): Promise<SubmitJobsOutput> {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (workflowId === undefined) {
        // Outside a workflow there is no stable key for the ClientTokens: a retry could duplicate jobs.
        throw ApplicationFailure.create({
          message:
            'submitJobs must run as an activity of a workflow (its ClientTokens derive from the workflow ID)',
          type: ErrorType.InvalidInput,
          nonRetryable: true,
        });
      }
      const jobs: SubmitJobsOutput['jobs'] = [];
      for (const spec of input.jobs) {
        const { jobId, requestId } = await deps.batchApi.submitJob({
          placement: { zone: input.zone },
          job: { ...spec.job, JobName: spec.name },
          clientToken: submitClientToken(workflowId, spec.name),
        });
        jobs.push({ name: spec.name, jobId });
        log.info('Batch job submitted', { name: spec.name, jobId, requestId });
        Context.current().heartbeat({ submitted: jobs.length });
      }
      return { jobs };
    },
  };
}

/**
 * The ClientToken of one job of one pipeline: 64 hex characters (the API's maximum length) of
 * sha256(workflowId + "\n" + jobName). The run ID is left out on purpose: a reset or retried pipeline run must get
 * the same jobs back. So pipeline workflow IDs must be unique per pipeline run (e.g. carry the run's date).
 */
export function submitClientToken(workflowId: string, jobName: string): string {
  return createHash('sha256').update(`${workflowId}\n${jobName}`).digest('hex');
}
