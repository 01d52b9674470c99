/** Demo jobs for `cli.ts --seed-demo`: one of each kind of life a job can have. */
import type { EmulatorControls } from './emulator-controls';

/** A demo job and what it will do. */
export interface DemoJob {
  jobId: string;
  jobName: string;
  story: string;
}

/** Creates the demo jobs and returns them. Times are emulated seconds. */
export function seedDemoJobs(emulator: Pick<EmulatorControls, 'createJob'>): DemoJob[] {
  const spot = { outcome: 'FAILED', exitCode: 137, reason: 'Instance reclaimed (spot)' } as const;
  const demos: (Parameters<EmulatorControls['createJob']>[0] & { jobName: string; story: string })[] = [
    {
      jobName: 'demo-succeeds',
      story: 'succeeds after 30 s',
      script: { runSeconds: 30 },
    },
    {
      jobName: 'demo-spot-twice-then-succeeds',
      story: 'fails twice with exit 137 (spot reclaimed), succeeds on the 2nd retry',
      script: { runSeconds: 30, attempts: [spot, spot, { outcome: 'SUCCEED' }] },
    },
    {
      jobName: 'demo-always-fails',
      story: 'fails with exit 1 on every attempt',
      script: {
        runSeconds: 20,
        attempts: [{ outcome: 'FAILED', exitCode: 1, reason: 'Segmentation fault in train.py' }],
      },
    },
    {
      jobName: 'demo-dag-train-fails-once',
      story: 'prepare → train → report; train fails once, the retry reruns train and report only',
      tasks: [{ taskName: 'prepare' }, { taskName: 'train', instances: 2 }, { taskName: 'report' }],
      dependences: [
        { startTask: 'prepare', endTask: 'train' },
        { startTask: 'train', endTask: 'report' },
      ],
      script: {
        runSeconds: 20,
        attempts: [{ ...spot, taskName: 'train', instanceIndexes: [1] }, { outcome: 'SUCCEED' }],
      },
    },
    {
      jobName: 'demo-interrupted',
      story: 'ends FAILED_INTERRUPTED (instance kept; RetryJobs refuses it, TerminateJob makes it FAILED)',
      script: {
        runSeconds: 20,
        attempts: [{ outcome: 'FAILED_INTERRUPTED', exitCode: 1, reason: 'Task interrupted' }],
      },
    },
  ];
  return demos.map(({ story, ...spec }) => ({
    jobId: emulator.createJob(spec),
    jobName: spec.jobName,
    story,
  }));
}
