import { groupByNotBefore } from '../../src/workflows/hand-over-groups';

const due = (jobId: string, notBeforeMs: number) => ({ jobId, endTime: 'e1', notBeforeMs });
const jobIds = (count: number, at: number) =>
  Array.from({ length: count }, (_, i) => due(`job-${String(i).padStart(8, '0')}`, at));

describe('groupByNotBefore', () => {
  it('sends no failure before its backoff ends, and groups those due within a second at the last of them', () => {
    const groups = groupByNotBefore([due('job-c', 2_500), due('job-a', 1_000), due('job-b', 1_900)]);
    expect(groups).toEqual([
      {
        failures: [
          { jobId: 'job-a', endTime: 'e1' },
          { jobId: 'job-b', endTime: 'e1' },
        ],
        notBeforeMs: 1_900,
      },
      { failures: [{ jobId: 'job-c', endTime: 'e1' }], notBeforeMs: 2_500 },
    ]);
  });

  it('keeps a lone failure at its own moment', () => {
    expect(groupByNotBefore([due('job-a', 1_000)])).toEqual([
      { failures: [{ jobId: 'job-a', endTime: 'e1' }], notBeforeMs: 1_000 },
    ]);
  });

  it('never puts more than 100 failures in a group', () => {
    const groups = groupByNotBefore(jobIds(250, 1_000));
    expect(groups.map((g) => g.failures.length)).toEqual([100, 100, 50]);
    expect(groups.every((g) => g.notBeforeMs === 1_000)).toBe(true);
  });

  it('hands over nothing for nothing due', () => {
    expect(groupByNotBefore([])).toEqual([]);
  });
});
