/**
 * DescribeJobs {JobIds? | Filters?, Offset?, Limit?} → {JobSet, TotalCount}.
 *
 * - JobIds and Filters are exclusive (both → `InvalidParameter.InvalidParameterCombination`).
 * - Jobs are regional: those of another region are neither listed nor found by ID.
 * - With JobIds, an ID the emulator does not know is simply absent from JobSet and from TotalCount (the
 *   API has no error for it, and a deleted job must not fail a batch lookup); a malformed ID fails the
 *   request with `InvalidParameter.JobIdMalformed`. Repeated IDs count once; JobSet keeps request order.
 * - Otherwise jobs are listed newest first, filtered by job-id, job-name, job-state, zone, tag-key,
 *   tag-value and tag:<key> (exact matches; ANDed across filters, ORed across one filter's values). An
 *   unknown filter name is `InvalidFilter`, a job-state value that is no state or a zone outside the region
 *   `InvalidParameterValue.InvalidFilter` / `InvalidZone.MismatchRegion`, more than 10 filters or 5 values
 *   `InvalidParameterValue.LimitExceeded`: the codes the official list gives DescribeJobs.
 */
import { ApiError } from '../api-error';
import { DESCRIBE_JOBS_LIMIT, MAX_JOB_IDS_PER_REQUEST } from '../batch-api-constants';
import { type Job, jobStateAt } from '../job-model';
import { jobView } from '../job-views';
import { checkParams, p } from '../params';
import type { ActionHandler } from './action';
import { JOB_STATES } from '../../shared/batch-types';
import { checkZone, zoneInRegion } from '../regions';
import { type Filter, checkFilterNames, filtersSchema } from './filters';
import { checkJobIdsWellFormed, distinct, jobInRegion } from './job-lookup';

const FILTER_NAMES = ['job-id', 'job-name', 'job-state', 'zone', 'tag-key', 'tag-value'] as const;

const FIELDS = {
  JobIds: p.optional(p.array(p.string(), { maxItems: MAX_JOB_IDS_PER_REQUEST })),
  Filters: p.optional(filtersSchema('InvalidParameterValue.LimitExceeded')),
  Offset: p.optional(p.integer({ min: 0 })),
  Limit: p.optional(p.integer({ min: 1, max: DESCRIBE_JOBS_LIMIT.max })),
};

interface DescribeJobsParams {
  JobIds?: string[];
  Filters?: Filter[];
  Offset?: number;
  Limit?: number;
}

/** DescribeJobs. */
export const describeJobs: ActionHandler = (body, { store, now, encoding, region }) => {
  const params = checkParams(body, FIELDS, encoding) as DescribeJobsParams;
  if (params.JobIds !== undefined && params.Filters !== undefined) {
    throw new ApiError(
      'InvalidParameter.InvalidParameterCombination',
      'The parameters `JobIds` and `Filters` cannot be used together.',
    );
  }
  let jobs: Job[];
  if (params.JobIds !== undefined) {
    checkJobIdsWellFormed(params.JobIds);
    jobs = distinct(params.JobIds).flatMap((id) => jobInRegion(store, id, region) ?? []);
  } else {
    const filters = params.Filters ?? [];
    checkFilterNames(filters, FILTER_NAMES, { allowTagKey: true, code: 'InvalidFilter' });
    checkFilterValues(filters, region);
    jobs = store
      .list()
      .reverse()
      .filter((job) => zoneInRegion(job.placement.Zone, region))
      .filter((job) =>
        filters.every((filter) => filter.Values.some((value) => matches(job, filter.Name, value, now))),
      );
  }
  const offset = params.Offset ?? 0;
  const limit = params.Limit ?? DESCRIBE_JOBS_LIMIT.default;
  return {
    response: {
      JobSet: jobs.slice(offset, offset + limit).map((job) => jobView(job, now)),
      TotalCount: jobs.length,
    },
  };
};

function checkFilterValues(filters: readonly Filter[], region: string | undefined): void {
  filters.forEach((filter, i) => {
    filter.Values.forEach((value, j) => {
      const path = `Filters.${i}.Values.${j}`;
      if (filter.Name === 'zone') checkZone(value, region, path);
      if (filter.Name === 'job-state' && !(JOB_STATES as readonly string[]).includes(value)) {
        throw new ApiError(
          'InvalidParameterValue.InvalidFilter',
          `The value ${JSON.stringify(value)} of \`${path}\` is not a job state (${JOB_STATES.join(', ')}).`,
        );
      }
    });
  });
}

function matches(job: Job, name: string, value: string, now: number): boolean {
  switch (name) {
    case 'job-id':
      return job.id === value;
    case 'job-name':
      return job.name === value;
    case 'job-state':
      return jobStateAt(job, now) === value;
    case 'zone':
      return job.placement.Zone === value;
    case 'tag-key':
      return job.tags.some((tag) => tag.Key === value);
    case 'tag-value':
      return job.tags.some((tag) => tag.Value === value);
    default: {
      const key = name.slice('tag:'.length);
      return job.tags.some((tag) => tag.Key === key && tag.Value === value);
    }
  }
}
