/**
 * Heartbeats that keep an activity's progress. Temporal records only the last heartbeat's details, so a heartbeat
 * sent while waiting (for an API slot, say) must repeat the progress rather than erase it; a retried attempt
 * reads that progress back and resumes instead of starting over.
 */
import { Context } from '@temporalio/activity';

const progressOf = new WeakMap<Context, unknown>();

/** The current activity's context, or undefined outside an activity (the worker's own health checks). */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Records `details` as the attempt's progress and heartbeats it. */
export function recordProgress(details: unknown): void {
  const context = currentActivity();
  if (!context) return;
  progressOf.set(context, details);
  context.heartbeat(details);
}

/** Heartbeats the progress recorded last (if any) in this attempt or the previous one. */
export function heartbeatProgress(): void {
  const context = currentActivity();
  if (!context) return;
  context.heartbeat(progressOf.has(context) ? progressOf.get(context) : context.info.heartbeatDetails);
}

/** The progress the previous attempt recorded, for the current attempt to resume from. */
export function resumedProgress(): unknown {
  return currentActivity()?.info.heartbeatDetails;
}

/**
 * Waits `ms`, heartbeating at least every 5 s; inside an activity, cancellation (and a worker shutting down) ends
 * the wait with the activity's CancelledFailure.
 */
export async function pauseHeartbeating(ms: number): Promise<void> {
  const context = currentActivity();
  if (!context) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return;
  }
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    heartbeatProgress();
    await context.sleep(Math.min(left, 5_000));
  }
}
