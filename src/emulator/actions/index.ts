/** The action handlers by action name. */
import type { BatchAction } from '../batch-api-constants';
import type { ActionHandler } from './action';
import { deleteJob } from './delete-job';
import { describeJob } from './describe-job';
import { describeJobs } from './describe-jobs';
import { describeTask } from './describe-task';
import { retryJobs } from './retry-jobs';
import { submitJob } from './submit-job';
import { terminateJob } from './terminate-job';

export type { ActionContext, ActionHandler, ActionResult } from './action';
export { SCRIPT_TAG_KEY } from './submit-job';

/** Every implemented action's handler. */
export const ACTION_HANDLERS: Readonly<Record<BatchAction, ActionHandler>> = {
  SubmitJob: submitJob,
  DescribeJob: describeJob,
  DescribeJobs: describeJobs,
  DescribeTask: describeTask,
  RetryJobs: retryJobs,
  TerminateJob: terminateJob,
  DeleteJob: deleteJob,
};
