/**
 * The consumer's workflow bundle: its own pipeline workflow next to the package's workflows, all from the one
 * @temporalio/workflow this project installs.
 */
import { executeChild, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import type { RecoverBatchJobsResult, RecoveryPolicyInput } from 'tencent-batch-recovery';
import { recoverBatchJobsWorkflow } from 'tencent-batch-recovery/workflows';

export {
  jobStateWatcherWorkflow,
  recoverBatchJobsWorkflow,
  retryJobsDispatcherWorkflow,
  tencentApiBudgetWorkflow,
} from 'tencent-batch-recovery/workflows';

export interface NightlyPipelineInput {
  jobIds: string[];
  policy?: RecoveryPolicyInput;
  taskQueues: { retry: string; describe: string };
}

export interface NightlyPipelineResult {
  overall: RecoverBatchJobsResult['overall'];
  recoveryWorkflowId: string;
  jobs: { jobId: string; outcome: string | undefined; retries: number }[];
}

/** This team's pipeline: its Batch jobs ran elsewhere; the package's workflow recovers them as a child. */
export async function nightlyPipelineWorkflow(input: NightlyPipelineInput): Promise<NightlyPipelineResult> {
  const recoveryWorkflowId = `${workflowInfo().workflowId}-recovery`;
  const recovery = await executeChild(recoverBatchJobsWorkflow, {
    workflowId: recoveryWorkflowId,
    args: [{ jobIds: input.jobIds, label: 'nightly', policy: input.policy, taskQueues: input.taskQueues }],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
  return {
    overall: recovery.overall,
    recoveryWorkflowId,
    jobs: recovery.jobs.map((j) => ({ jobId: j.jobId, outcome: j.outcome, retries: j.retries })),
  };
}
