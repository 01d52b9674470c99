/**
 * Workflow entry point for the worker's bundle. Only workflow functions are exported from here: everything in
 * this folder runs inside Temporal's deterministic sandbox.
 */
export { recoverBatchJobsWorkflow } from './recover-batch-jobs-workflow';
export { retryJobsDispatcherWorkflow } from './retry-jobs-dispatcher-workflow';
export { jobStateWatcherWorkflow } from './job-state-watcher-workflow';
export { tencentApiBudgetWorkflow } from './tencent-api-budget-workflow';
