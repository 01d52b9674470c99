/** DescribeJob {JobId} → the job with its tasks, dependences and metrics. */
import { describeJobView } from '../job-views';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { findJob } from './job-lookup';

const FIELDS = { JobId: p.required(p.string()) };

/** DescribeJob. */
export const describeJob: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as { JobId: string };
  return { response: describeJobView(findJob(store, params.JobId, region), now) };
};
