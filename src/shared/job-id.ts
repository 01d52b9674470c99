import { MAX_JOB_IDS_PER_WORKFLOW } from './constants';

/**
 * Tencent Cloud Batch job IDs. Every documented example is `job-` followed by 8 characters of `[a-z0-9]`
 * (job-rybewp57, job-97zcl3wt); the exact rule is undocumented, so this is the one place to widen it.
 */
export const JOB_ID_PATTERN = /^job-[a-z0-9]{8}$/;

/** True when `value` has the shape of a Tencent Cloud Batch job ID. */
export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

/** Why a list of job IDs was refused; every problem is listed, not just the first. */
export interface JobIdListProblem {
  index: number;
  value: unknown;
  problem: string;
}

/** Result of {@link normalizeJobIds}: the de-duplicated IDs, in first-seen order, or every problem found. */
export type NormalizedJobIds =
  { ok: true; jobIds: string[] } | { ok: false; problems: JobIdListProblem[]; summary: string };

/**
 * Validates and de-duplicates a caller's job ID list. Pure, so both the workflow (input validation) and
 * Node code (activities, CLI) use the same rule.
 */
export function normalizeJobIds(input: unknown, maxJobs = MAX_JOB_IDS_PER_WORKFLOW): NormalizedJobIds {
  if (!Array.isArray(input)) {
    return fail([{ index: -1, value: input, problem: 'jobIds must be an array of job ID strings' }]);
  }
  if (input.length === 0) {
    return fail([{ index: -1, value: input, problem: 'jobIds must name at least one job' }]);
  }
  const problems: JobIdListProblem[] = [];
  const seen = new Set<string>();
  const jobIds: string[] = [];
  input.forEach((value: unknown, index) => {
    if (!isJobId(value)) {
      problems.push({ index, value, problem: `not a job ID (expected ${String(JOB_ID_PATTERN)})` });
    } else if (!seen.has(value)) {
      seen.add(value);
      jobIds.push(value);
    }
  });
  if (jobIds.length > maxJobs) {
    problems.push({
      index: -1,
      value: jobIds.length,
      problem: `${jobIds.length} distinct job IDs exceed the limit of ${maxJobs} per workflow; split the set`,
    });
  }
  return problems.length > 0 ? fail(problems) : { ok: true, jobIds };
}

function fail(problems: JobIdListProblem[]): NormalizedJobIds {
  const shown = problems
    .slice(0, 5)
    .map((p) => (p.index >= 0 ? `jobIds[${p.index}]=${JSON.stringify(p.value)}: ${p.problem}` : p.problem));
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return { ok: false, problems, summary: shown.join('; ') + more };
}

/** Splits `items` into chunks of at most `size`, keeping order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A 32-bit FNV-1a hash of `text`: the same on every worker and in every replay. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Which of `shards` shards `jobId` belongs to (0 when there is one): its job watcher and its RetryJobs dispatcher. */
export function shardOf(jobId: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(jobId) % shards;
}
