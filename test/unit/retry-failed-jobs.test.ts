import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  FRESH_READ_MS,
  retryFailedJobs,
  type RetryFailedJobsOutput,
} from '../../src/activities/retry-failed-jobs';
import type { ObservedFailure } from '../../src/shared/batch-types';
import { DEFAULT_POLICY } from '../../src/shared/recovery-policy';
import { ErrorType } from '../../src/shared/errors';
import { JobTracker } from '../../src/workflows/job-tracker';
import { FakeBatchApi, lostAnswer } from '../support/fake-batch-api';

const now = () => new Date('2026-11-25T12:00:00Z');
const run = (api: FakeBatchApi, failures: ObservedFailure[], attempt = 1): Promise<RetryFailedJobsOutput> =>
  new MockActivityEnvironment({ attempt }).run(() => retryFailedJobs(api, { failures }, now));
/** `ms` before {@link now}, as the owner's read time of a first hand-over. */
const readBefore = (ms: number) => new Date(now().getTime() - ms).toISOString();

describe('retryFailedJobs', () => {
  it('retries every job still in the observed failure with one call', async () => {
    const api = new FakeBatchApi();
    const a = api.fail('job-aaaaaaaa');
    const b = api.fail('job-bbbbbbbb');
    const { outcomes } = await run(api, [
      { jobId: 'job-aaaaaaaa', endTime: a },
      { jobId: 'job-bbbbbbbb', endTime: b },
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['RETRIED', 'RETRIED']);
    expect(api.retryCalls).toEqual([['job-aaaaaaaa', 'job-bbbbbbbb']]);
  });

  it('sends a first hand-over on a fresh read at once, without reading the jobs again', async () => {
    const api = new FakeBatchApi();
    const a = api.fail('job-aaaaaaaa');
    const b = api.fail('job-bbbbbbbb');
    const { outcomes } = await run(api, [
      { jobId: 'job-aaaaaaaa', endTime: a, firstHandOverReadAt: readBefore(1_000) },
      { jobId: 'job-bbbbbbbb', endTime: b, firstHandOverReadAt: readBefore(FRESH_READ_MS) },
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['RETRIED', 'RETRIED']);
    expect(api.describeCalls).toEqual([]);
    expect(api.retryCalls).toEqual([['job-aaaaaaaa', 'job-bbbbbbbb']]);
  });

  it('reads the jobs first on a later attempt, on a stale read, or when one failure was handed over before', async () => {
    const cases: { failures: (a: string, b: string) => ObservedFailure[]; attempt: number }[] = [
      {
        attempt: 2,
        failures: (a, b) => [
          { jobId: 'job-aaaaaaaa', endTime: a, firstHandOverReadAt: readBefore(0) },
          { jobId: 'job-bbbbbbbb', endTime: b, firstHandOverReadAt: readBefore(0) },
        ],
      },
      {
        attempt: 1,
        failures: (a, b) => [
          { jobId: 'job-aaaaaaaa', endTime: a, firstHandOverReadAt: readBefore(0) },
          { jobId: 'job-bbbbbbbb', endTime: b, firstHandOverReadAt: readBefore(FRESH_READ_MS + 1) },
        ],
      },
      {
        attempt: 1,
        failures: (a, b) => [
          { jobId: 'job-aaaaaaaa', endTime: a, firstHandOverReadAt: readBefore(0) },
          { jobId: 'job-bbbbbbbb', endTime: b },
        ],
      },
    ];
    for (const { failures, attempt } of cases) {
      const api = new FakeBatchApi();
      const list = failures(api.fail('job-aaaaaaaa'), api.fail('job-bbbbbbbb'));
      await run(api, list, attempt);
      expect({ attempt, describeCalls: api.describeCalls }).toEqual({
        attempt,
        describeCalls: [['job-aaaaaaaa', 'job-bbbbbbbb']],
      });
    }
  });

  it('sorts out a first hand-over that someone else retried meanwhile: one refused call, then the read', async () => {
    const api = new FakeBatchApi();
    const a = api.fail('job-aaaaaaaa');
    const b = api.fail('job-bbbbbbbb');
    api.jobs.set('job-bbbbbbbb', { state: 'RUNNING' });
    const { outcomes } = await run(api, [
      { jobId: 'job-aaaaaaaa', endTime: a, firstHandOverReadAt: readBefore(0) },
      { jobId: 'job-bbbbbbbb', endTime: b, firstHandOverReadAt: readBefore(0) },
    ]);
    expect(outcomes).toEqual([
      expect.objectContaining({ jobId: 'job-aaaaaaaa', outcome: 'RETRIED' }),
      expect.objectContaining({ jobId: 'job-bbbbbbbb', outcome: 'ALREADY_RETRIED', currentState: 'RUNNING' }),
    ]);
    expect(api.retryCalls).toEqual([['job-aaaaaaaa', 'job-bbbbbbbb'], ['job-aaaaaaaa']]);
  });

  it('makes no second call when an earlier attempt applied the retry but lost the answer', async () => {
    const api = new FakeBatchApi();
    const endTime = api.fail('job-aaaaaaaa');
    api.afterRetryApplied = () => {
      api.afterRetryApplied = undefined;
      throw lostAnswer();
    };
    await expect(run(api, [{ jobId: 'job-aaaaaaaa', endTime }])).rejects.toMatchObject({
      type: ErrorType.TransportError,
    });
    const { outcomes } = await run(api, [{ jobId: 'job-aaaaaaaa', endTime }]);
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'ALREADY_RETRIED', currentState: 'PENDING' }),
    ]);
    expect(api.retryCalls).toHaveLength(1);
  });

  it('retries once a failure the API reported without an EndTime, and never a second time after a lost answer', async () => {
    const api = new FakeBatchApi();
    api.jobs.set('job-aaaaaaaa', { state: 'FAILED' });
    // What the workflow hands over for it: the tracker keys the failure to when it saw it.
    const observedAt = '2026-11-25T11:59:00.000Z';
    const tracker = new JobTracker(
      { ...DEFAULT_POLICY, backoff: { ...DEFAULT_POLICY.backoff, jitter: 0 } },
      0,
      ['job-aaaaaaaa'],
    );
    tracker.observe([{ jobId: 'job-aaaaaaaa', state: 'FAILED', observedAt }], 0);
    tracker.decideFailure('job-aaaaaaaa', 0, () => 0.5);
    const failures = tracker
      .retriesToHandOver(Number.MAX_SAFE_INTEGER, new Set())
      .map(({ notBeforeMs: _, ...failure }) => failure);
    expect(failures).toEqual([{ jobId: 'job-aaaaaaaa', endTime: observedAt, noEndTime: true }]);

    api.afterRetryApplied = () => {
      api.afterRetryApplied = undefined;
      throw lostAnswer();
    };
    await expect(run(api, failures)).rejects.toMatchObject({ type: ErrorType.TransportError });
    expect(api.retryCalls).toEqual([['job-aaaaaaaa']]);
    // The next attempt finds the job running again: that failure was answered.
    const { outcomes } = await run(api, failures);
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'ALREADY_RETRIED', currentState: 'PENDING' }),
    ]);
    expect(api.retryCalls).toHaveLength(1);
  });

  it('retries a failure without an EndTime when the job is still FAILED without one', async () => {
    const api = new FakeBatchApi();
    api.jobs.set('job-aaaaaaaa', { state: 'FAILED' });
    const { outcomes } = await run(api, [
      { jobId: 'job-aaaaaaaa', endTime: '2026-11-25T11:59:00.000Z', noEndTime: true },
    ]);
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'RETRIED' })]);
  });

  it('leaves a failure without an EndTime alone once the job failed again with one', async () => {
    const api = new FakeBatchApi();
    const endTime = api.fail('job-aaaaaaaa');
    const { outcomes } = await run(api, [
      { jobId: 'job-aaaaaaaa', endTime: '2026-11-25T11:59:00.000Z', noEndTime: true },
    ]);
    expect(outcomes).toEqual([
      { jobId: 'job-aaaaaaaa', outcome: 'ALREADY_RETRIED', currentState: 'FAILED', currentEndTime: endTime },
    ]);
    expect(api.retryCalls).toEqual([]);
  });

  it('treats a newer failure of the same job as already retried, leaving it to the next round', async () => {
    const api = new FakeBatchApi();
    const first = api.fail('job-aaaaaaaa');
    const second = api.fail('job-aaaaaaaa');
    const { outcomes } = await run(api, [{ jobId: 'job-aaaaaaaa', endTime: first }]);
    expect(outcomes).toEqual([
      { jobId: 'job-aaaaaaaa', outcome: 'ALREADY_RETRIED', currentState: 'FAILED', currentEndTime: second },
    ]);
    expect(api.retryCalls).toEqual([]);
  });

  it('does not let one refused job block the rest of the batch', async () => {
    const api = new FakeBatchApi();
    const ids = ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc', 'job-dddddddd', 'job-eeeeeeee'];
    const failures = ids.map((jobId) => ({ jobId, endTime: api.fail(jobId) }));
    // Between the activity's re-read and its call, another actor retries job c: the API refuses the whole request.
    const original = api.describeJobs.bind(api);
    api.describeJobs = async (input) => {
      const answer = await original(input);
      api.describeJobs = original;
      api.jobs.set('job-cccccccc', { state: 'RUNNING' });
      return {
        ...answer,
        jobs: answer.jobs.map((j) =>
          j.jobId === 'job-cccccccc' ? { ...j, jobState: 'FAILED' as const } : j,
        ),
      };
    };
    const { outcomes } = await run(api, failures);
    expect(Object.fromEntries(outcomes.map((o) => [o.jobId, o.outcome]))).toEqual({
      'job-aaaaaaaa': 'RETRIED',
      'job-bbbbbbbb': 'RETRIED',
      'job-cccccccc': 'ALREADY_RETRIED',
      'job-dddddddd': 'RETRIED',
      'job-eeeeeeee': 'RETRIED',
    });
    expect(
      api.retryCalls
        .flat()
        .filter((id) => id !== 'job-cccccccc')
        .sort(),
    ).toEqual(expect.arrayContaining(['job-aaaaaaaa', 'job-bbbbbbbb', 'job-dddddddd', 'job-eeeeeeee']));
  });

  it('sends the one job still in its failure on its own when the API refused a pair for the other', async () => {
    const api = new FakeBatchApi();
    const failures = ['job-aaaaaaaa', 'job-bbbbbbbb'].map((jobId) => ({ jobId, endTime: api.fail(jobId) }));
    // Between the activity's re-read and its call, another actor retries job b: the API refuses the pair.
    const original = api.describeJobs.bind(api);
    api.describeJobs = async (input) => {
      const answer = await original(input);
      api.describeJobs = original;
      api.jobs.set('job-bbbbbbbb', { state: 'RUNNING' });
      return answer;
    };
    const { outcomes } = await run(api, failures);
    expect(outcomes).toEqual([
      expect.objectContaining({ jobId: 'job-aaaaaaaa', outcome: 'RETRIED' }),
      expect.objectContaining({ jobId: 'job-bbbbbbbb', outcome: 'ALREADY_RETRIED', currentState: 'RUNNING' }),
    ]);
    expect(api.retryCalls).toEqual([['job-aaaaaaaa', 'job-bbbbbbbb'], ['job-aaaaaaaa']]);
  });

  it('answers a full call of 100 failures with one RetryJobs, and refuses 101', async () => {
    const api = new FakeBatchApi();
    const failures = Array.from({ length: 101 }, (_, i) => {
      const jobId = `job-${String(i).padStart(8, '0')}`;
      return { jobId, endTime: api.fail(jobId) };
    });
    await expect(run(api, failures)).rejects.toMatchObject({
      type: ErrorType.InvalidInput,
      message: expect.stringMatching(/at most 100 failures/),
    });
    const { outcomes } = await run(api, failures.slice(0, 100));
    expect(outcomes.filter((o) => o.outcome === 'RETRIED')).toHaveLength(100);
    expect(api.retryCalls.map((call) => call.length)).toEqual([100]);
  });

  it('isolates a job the API keeps refusing and reports its reason', async () => {
    const api = new FakeBatchApi();
    const failures = ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc'].map((jobId) => ({
      jobId,
      endTime: api.fail(jobId),
    }));
    const original = api.retryJobs.bind(api);
    api.retryJobs = (input) =>
      input.jobIds.includes('job-bbbbbbbb')
        ? Promise.reject(
            ApplicationFailure.create({
              message: 'job-bbbbbbbb cannot be retried',
              type: ErrorType.UnsupportedOperation,
              nonRetryable: true,
              details: [{ code: 'UnsupportedOperation', action: 'RetryJobs' }],
            }),
          )
        : original(input);
    const { outcomes } = await run(api, failures);
    expect(outcomes).toEqual([
      expect.objectContaining({ jobId: 'job-aaaaaaaa', outcome: 'RETRIED' }),
      {
        jobId: 'job-bbbbbbbb',
        outcome: 'NOT_RETRIABLE',
        code: 'UnsupportedOperation',
        reason: 'job-bbbbbbbb cannot be retried',
      },
      expect.objectContaining({ jobId: 'job-cccccccc', outcome: 'RETRIED' }),
    ]);
  });

  it('reports a deleted job as not retriable without calling RetryJobs for it', async () => {
    const api = new FakeBatchApi();
    const endTime = api.fail('job-aaaaaaaa');
    api.jobs.delete('job-aaaaaaaa');
    const { outcomes } = await run(api, [{ jobId: 'job-aaaaaaaa', endTime }]);
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'NOT_RETRIABLE', code: 'ResourceNotFound.Job' }),
    ]);
    expect(api.retryCalls).toEqual([]);
  });

  it.each([
    [[], /at least one failure/],
    [[{ jobId: 'nope', endTime: 'x' }], /not a job ID/],
    [
      [
        { jobId: 'job-aaaaaaaa', endTime: 'x' },
        { jobId: 'job-aaaaaaaa', endTime: 'y' },
      ],
      /listed twice/,
    ],
    [[{ jobId: 'job-aaaaaaaa', endTime: '' }], /endTime is required/],
  ])('refuses bad input %j with a non-retryable InvalidInput', async (failures, message) => {
    await expect(run(new FakeBatchApi(), failures)).rejects.toMatchObject({
      type: ErrorType.InvalidInput,
      nonRetryable: true,
      message: expect.stringMatching(message),
    });
  });
});
