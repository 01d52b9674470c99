import type { Duration } from '@temporalio/common';
import { sleep } from '@temporalio/workflow';

/** Input of {@link longSleepWorkflow}. */
export interface LongSleepInput {
  /** How long the workflow sleeps (a durable timer). */
  sleepFor: Duration;
}

/** What the workflow's own clock said before and after the sleep (epoch ms, workflow time). */
export interface LongSleepResult {
  startedAtMs: number;
  wokeAtMs: number;
}

/** Test-only: sleeps on a durable timer and reports how far workflow time moved. */
export async function longSleepWorkflow(input: LongSleepInput): Promise<LongSleepResult> {
  const startedAtMs = Date.now();
  await sleep(input.sleepFor);
  return { startedAtMs, wokeAtMs: Date.now() };
}
