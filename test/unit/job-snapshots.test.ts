import { readJobSnapshots } from '../../src/activities/job-snapshots';
import { FakeBatchApi } from '../support/fake-batch-api';

describe('readJobSnapshots', () => {
  it('reads 250 jobs with three DescribeJobs calls of at most 100 IDs', async () => {
    const api = new FakeBatchApi();
    const ids = Array.from({ length: 250 }, (_, i) => `job-${String(i).padStart(8, '0')}`);
    ids.forEach((id) => api.fail(id));
    const calls: number[] = [];
    const describe = api.describeJobs.bind(api);
    api.describeJobs = (input) => {
      calls.push(input.jobIds.length);
      return describe(input);
    };
    const snapshots = await readJobSnapshots(api, ids, () => new Date());
    expect(calls).toEqual([100, 100, 50]);
    expect(snapshots.map((s) => s.jobId)).toEqual(ids);
  });

  it('reports a job the API does not return as NOT_FOUND', async () => {
    const api = new FakeBatchApi();
    api.fail('job-aaaaaaaa');
    const snapshots = await readJobSnapshots(api, ['job-aaaaaaaa', 'job-bbbbbbbb'], () => new Date(0));
    expect(snapshots.map((s) => [s.jobId, s.state])).toEqual([
      ['job-aaaaaaaa', 'FAILED'],
      ['job-bbbbbbbb', 'NOT_FOUND'],
    ]);
  });
});
