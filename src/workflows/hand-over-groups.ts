/**
 * How a recovery workflow groups the retries it hands to the RetryJobs dispatcher. Pure, so it is unit-tested on
 * its own.
 */
import type { ObservedFailure } from '../shared/batch-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import type { HandOverGroup } from './dispatcher-link';

/** Failures due within this long of the first of a group go with it, at the group's last moment. */
const HAND_OVER_GROUP_SPAN_MS = 1_000;

/**
 * Groups failures into hand-overs of at most 100 (the dispatcher's unit): each group starts at the earliest due
 * failure left and takes those due within {@link HAND_OVER_GROUP_SPAN_MS} of it, and goes when the last of them
 * is due. A failure is never sent before its backoff ends, and jittered backoffs do not make a request each.
 */
export function groupByNotBefore(due: (ObservedFailure & { notBeforeMs: number })[]): HandOverGroup[] {
  const sorted = [...due].sort((a, b) => a.notBeforeMs - b.notBeforeMs);
  const groups: HandOverGroup[] = [];
  let current: (ObservedFailure & { notBeforeMs: number })[] = [];
  const close = (): void => {
    if (current.length === 0) return;
    const notBeforeMs = (current[current.length - 1] as { notBeforeMs: number }).notBeforeMs;
    groups.push({ failures: current.map(({ notBeforeMs: _, ...failure }) => failure), notBeforeMs });
    current = [];
  };
  for (const failure of sorted) {
    const first = current[0];
    const fits =
      first !== undefined &&
      failure.notBeforeMs - first.notBeforeMs <= HAND_OVER_GROUP_SPAN_MS &&
      current.length < MAX_JOB_IDS_PER_REQUEST;
    if (!fits) close();
    current.push(failure);
  }
  close();
  return groups;
}
