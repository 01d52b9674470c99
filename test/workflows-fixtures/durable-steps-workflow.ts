import type { Duration } from '@temporalio/common';
import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { createDurableStepsActivities, StepRecord } from './durable-steps-activities';

const { recordStep } = proxyActivities<ReturnType<typeof createDurableStepsActivities>>({
  // Short: a step that was running on a killed worker is retried after this, not after minutes.
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms' },
});

/** How many steps have completed so far. */
export const completedStepsQuery = defineQuery<number>('completedSteps');

/** Input of {@link durableStepsWorkflow}. */
export interface DurableStepsInput {
  /** Number of steps to run. */
  steps: number;
  /** Durable timer between two steps. */
  pause: Duration;
}

/** Test-only: runs `steps` activities with a timer after each, and returns what every step recorded. */
export async function durableStepsWorkflow(input: DurableStepsInput): Promise<{ steps: StepRecord[] }> {
  const steps: StepRecord[] = [];
  setHandler(completedStepsQuery, () => steps.length);
  for (let index = 0; index < input.steps; index += 1) {
    steps.push(await recordStep({ index }));
    await sleep(input.pause);
  }
  return { steps };
}
