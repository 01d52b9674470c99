import type { ApiBudget } from '../../src/activities';

/**
 * For tests whose Batch API is a scripted fake (no rate limit to keep) and whose workflow clock is skipped (a
 * budget's slots, in workflow time, would mean nothing to the activities' real clock). Every other test and the
 * worker use the budget workflow.
 */
export const noApiBudget: ApiBudget = {
  take: () => Promise.resolve(Date.now()),
  refused: () => Promise.resolve(),
};
