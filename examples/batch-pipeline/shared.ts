/**
 * The example pipeline's contract: its task queue, input and result. Imports only types, so both the workflow
 * sandbox and Node code (worker, starter, tests) use it.
 */
import type { JobOutcome, JobStatus, RecoveryPolicyInput } from '../../src/shared/recovery-types';

/** Task queue of the pipeline's own worker (its workflow and its submit activity). */
export const PIPELINE_TASK_QUEUE = 'batch-pipeline';

/** Workflow type name, for starting the pipeline by name (`temporal workflow start --type ...`). */
export const PIPELINE_WORKFLOW_TYPE = 'batchPipelineWorkflow';

/** One job of the pipeline. */
export interface PipelineJobSpec {
  /**
   * Unique within the pipeline: it becomes the job's JobName (at most 60 characters) and, with the workflow ID,
   * the idempotency key of its SubmitJob.
   */
  name: string;
  /** The API's `Job` object without `JobName`: `Tasks`, `Dependences`, `Tags`, `Priority`... */
  job: Record<string, unknown>;
}

/** Input of `batchPipelineWorkflow`. */
export interface BatchPipelineInput {
  /** Availability zone the jobs run in (`Placement.Zone`), e.g. `ap-guangzhou-3`. */
  zone: string;
  /** The jobs to submit, 1..100. */
  jobs: PipelineJobSpec[];
  /** Shown in the recovery's escalations and in the web UI. @default the pipeline's workflow ID */
  label?: string;
  /** How the recovery child watches and retries the jobs. */
  recovery?: {
    /** The recovery policy (see RecoveryPolicyInput). @default the package's defaults */
    policy?: RecoveryPolicyInput;
    /** Task queues of the recovery worker, for deployments that rename them. @default the package's names */
    taskQueues?: { workflow?: string; retry?: string; describe?: string };
  };
}

/** Input of the `submitJobs` activity. */
export interface SubmitJobsInput {
  zone: string;
  jobs: PipelineJobSpec[];
}

/** Output of the `submitJobs` activity: the job ID of each job, in input order. */
export interface SubmitJobsOutput {
  jobs: { name: string; jobId: string }[];
}

/** One job in the pipeline's result. */
export interface PipelineJobResult {
  name: string;
  jobId: string;
  outcome?: JobOutcome;
  /** RetryJobs the recovery sent for the job. */
  retries: number;
  lastKnownState?: JobStatus['lastKnownState'];
}

/** Result of `batchPipelineWorkflow`, built from its recovery child's result. */
export interface BatchPipelineResult {
  /** SUCCEEDED only when every job succeeded (possibly after retries). */
  overall: 'SUCCEEDED' | 'NEEDS_ATTENTION';
  /** The recovery child's workflow ID: `<pipeline workflow ID>-recovery`. */
  recoveryWorkflowId: string;
  jobs: PipelineJobResult[];
  submittedAt: string;
  finishedAt: string;
}
