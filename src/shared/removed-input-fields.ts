/**
 * Input fields that earlier development versions took and this one no longer does. A caller that still sets one is told
 * so by name, at once, instead of having it ignored: each chose a code path that no longer exists.
 */
const REMOVED_INPUT_FIELDS: Readonly<Record<string, string>> = {
  coalescePolls: 'job states are always read by the shared job watcher',
  coalesceRetries: 'retries always go through the RetryJobs dispatcher',
};

/** One problem per removed field that `input` still sets. */
export function removedInputFieldProblems(input: object): string[] {
  return Object.entries(REMOVED_INPUT_FIELDS)
    .filter(([field]) => field in input)
    .map(([field, why]) => `${field} was removed (${why}); leave it out`);
}
