import { MockActivityEnvironment } from '@temporalio/testing';
import { describeJobFailures } from '../../src/activities/describe-job-failures';
import type { JobSnapshot } from '../../src/shared/batch-types';
import { ScriptedBatchApi } from '../support/scripted-batch-api';

const now = () => new Date('2026-11-25T10:00:00Z');

/** A scripted API that counts the jobs it was asked to describe. */
function countingApi(jobIds: string[]): { api: ScriptedBatchApi; described: string[] } {
  const api = new ScriptedBatchApi(1);
  for (const jobId of jobIds) api.script(jobId, ['FAILED']);
  const described: string[] = [];
  const describeJob = api.describeJob.bind(api);
  api.describeJob = (input) => {
    described.push(input.jobId);
    return describeJob(input);
  };
  return { api, described };
}

describe('describeJobFailures', () => {
  const jobIds = ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc'];

  it('records each described job in heartbeat details, and a retried attempt resumes after them', async () => {
    const { api, described } = countingApi(jobIds);
    await api.describeJobs({ jobIds }); // every job has failed
    const first = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    first.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const { jobs }: { jobs: JobSnapshot[] } = await first.run(() =>
      describeJobFailures(api, { jobIds }, now),
    );
    expect(jobs.map((j) => j.jobId)).toEqual(jobIds);
    expect(described).toEqual(jobIds);

    // The attempt that wrote the second heartbeat died; the next one starts from there.
    described.length = 0;
    const retried = new MockActivityEnvironment({ heartbeatDetails: heartbeats[1] });
    const resumed: { jobs: JobSnapshot[] } = await retried.run(() =>
      describeJobFailures(api, { jobIds }, now),
    );
    expect(described).toEqual(['job-cccccccc']);
    expect(resumed.jobs).toEqual(jobs);
  });

  it('starts over when the recorded progress is about other jobs', async () => {
    const { api, described } = countingApi(jobIds);
    await api.describeJobs({ jobIds });
    const progress = {
      described: [{ jobId: 'job-zzzzzzzz', state: 'FAILED', observedAt: now().toISOString() }],
    };
    await new MockActivityEnvironment({ heartbeatDetails: progress }).run(() =>
      describeJobFailures(api, { jobIds }, now),
    );
    expect(described).toEqual(jobIds);
  });
});
