/** One step of the durable-steps workflow, as the activity that ran it recorded it. */
export interface StepRecord {
  index: number;
  /** Pid of the worker process that ran the step: shows which worker did what. */
  workerPid: number;
}

/** Test-only activities; `workerPid` identifies the worker process that hosts them. */
export function createDurableStepsActivities(deps: { workerPid: number }) {
  return {
    /** Records that step `index` ran, and where. */
    recordStep(input: { index: number }): Promise<StepRecord> {
      return Promise.resolve({ index: input.index, workerPid: deps.workerPid });
    },
  };
}
