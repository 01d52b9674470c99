import type { JobSnapshot } from '../../src/shared/batch-types';
import { WATCH_REGISTRATION_TTL_MS, type CarriedOwner } from '../../src/shared/watcher-types';
import { WatchRegistry } from '../../src/workflows/watch-registry';

const snap = (jobId: string, state: JobSnapshot['state'], endTime?: string): JobSnapshot => ({
  jobId,
  state,
  endTime,
  observedAt: '2026-01-01T00:00:00Z',
});

describe('WatchRegistry', () => {
  it('reads each job once however many owners watch it, at the shortest interval asked for', () => {
    const r = new WatchRegistry();
    r.register({ ownerWorkflowId: 'a', jobs: [{ jobId: 'job-aaaaaaaa' }], pollIntervalMs: 60_000 }, 0);
    r.register(
      {
        ownerWorkflowId: 'b',
        jobs: [{ jobId: 'job-aaaaaaaa' }, { jobId: 'job-bbbbbbbb' }],
        pollIntervalMs: 5_000,
      },
      0,
    );
    expect(r.jobIds()).toEqual(['job-aaaaaaaa', 'job-bbbbbbbb']);
    expect(r.pollIntervalMs()).toBe(5_000);
  });

  it('forgets what it read of the jobs of an owner that asks for a look now', () => {
    const r = new WatchRegistry();
    const jobs = [{ jobId: 'job-aaaaaaaa', state: 'RUNNING' as const }];
    r.register({ ownerWorkflowId: 'a', jobs, pollIntervalMs: 1_000 }, 0);
    r.changesFor([snap('job-aaaaaaaa', 'RUNNING')], 0);
    expect(r.unseenJobIds()).toEqual([]);
    r.register({ ownerWorkflowId: 'a', jobs, pollIntervalMs: 1_000 }, 1);
    expect(r.unseenJobIds()).toEqual([]);
    expect(r.takeAskedFor()).toEqual([]);
    r.register({ ownerWorkflowId: 'a', jobs, pollIntervalMs: 1_000, lookNow: true }, 2);
    expect(r.unseenJobIds()).toEqual(['job-aaaaaaaa']);
    // The look it asked for goes out before other reads, without gathering others, once.
    expect(r.takeAskedFor()).toEqual(['job-aaaaaaaa']);
    expect(r.takeAskedFor()).toEqual([]);
  });

  it('polls no faster than the DescribeJobs budget can read every part', () => {
    const r = new WatchRegistry();
    const jobs = (owner: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ jobId: `job-${String(owner * 1_000 + i).padStart(8, '0')}` }));
    r.register({ ownerWorkflowId: 'a', jobs: jobs(1, 1_000), pollIntervalMs: 60_000 }, 0);
    // 10 parts at 575 ms apart fit in a minute: the interval asked for stands.
    expect(r.pollIntervalMs()).toBe(60_000);
    for (let owner = 2; owner <= 200; owner++) {
      r.register({ ownerWorkflowId: `o${owner}`, jobs: jobs(owner, 500), pollIntervalMs: 60_000 }, 0);
    }
    // 100,500 jobs are 1,005 parts: one poll each takes 1,005 calls at 2 per 1.15 s.
    expect(r.jobIds()).toHaveLength(100_500);
    expect(r.pollIntervalMs()).toBe(1_005 * 575);
    // One of 8 watchers sharing the budget, each about this large, paces for all of them.
    expect(r.pollIntervalMs(8)).toBe(8 * 1_005 * 575);
  });

  it('knows when a read last told it about each job', () => {
    const r = new WatchRegistry();
    r.register(
      {
        ownerWorkflowId: 'a',
        jobs: [{ jobId: 'job-aaaaaaaa' }, { jobId: 'job-bbbbbbbb' }],
        pollIntervalMs: 1_000,
      },
      0,
    );
    expect(r.lastReadMs(['job-aaaaaaaa'])).toBe(0);
    r.changesFor([{ ...snap('job-aaaaaaaa', 'RUNNING'), observedAt: '2026-01-01T00:00:05Z' }], 0);
    r.changesFor([{ ...snap('job-bbbbbbbb', 'RUNNING'), observedAt: '2026-01-01T00:00:09Z' }], 0);
    // A part's last read is its oldest job's.
    expect(r.lastReadMs(['job-aaaaaaaa', 'job-bbbbbbbb'])).toBe(Date.parse('2026-01-01T00:00:05Z'));
    expect(r.lastReadMs(['job-bbbbbbbb'])).toBe(Date.parse('2026-01-01T00:00:09Z'));
  });

  it('tells each owner only what differs from what it knows, once', () => {
    const r = new WatchRegistry();
    r.register(
      {
        ownerWorkflowId: 'a',
        jobs: [
          { jobId: 'job-aaaaaaaa', state: 'RUNNING' },
          { jobId: 'job-bbbbbbbb', state: 'RUNNING' },
        ],
        pollIntervalMs: 1_000,
      },
      0,
    );
    r.register({ ownerWorkflowId: 'b', jobs: [{ jobId: 'job-aaaaaaaa' }], pollIntervalMs: 1_000 }, 0);
    // The watcher has read nothing yet: every job needs a first look.
    expect(r.unseenJobIds()).toEqual(['job-aaaaaaaa', 'job-bbbbbbbb']);
    const round1 = [snap('job-aaaaaaaa', 'FAILED', 't1'), snap('job-bbbbbbbb', 'RUNNING')];
    const told = r.changesFor(round1, 0);
    expect(told.get('a')?.snapshots).toEqual([round1[0]]);
    expect(told.get('b')?.snapshots).toEqual([round1[0]]);
    expect(r.unseenJobIds()).toEqual([]);
    // The same states again: nothing to tell.
    expect(r.changesFor(round1, 0).size).toBe(0);
    // A second failure of the same job has another EndTime: told again.
    expect(r.changesFor([snap('job-aaaaaaaa', 'FAILED', 't2')], 0).get('a')?.snapshots).toHaveLength(1);
    expect(r.seenStates(['job-aaaaaaaa'])).toEqual([
      { jobId: 'job-aaaaaaaa', state: 'FAILED', endTime: 't2' },
    ]);
  });

  it('gives a job a new look when an owner registers a view of it other than the last read', () => {
    const r = new WatchRegistry();
    r.register({ ownerWorkflowId: 'a', jobs: [{ jobId: 'job-aaaaaaaa' }], pollIntervalMs: 1_000 }, 0);
    r.changesFor([snap('job-aaaaaaaa', 'RUNNING')], 0);
    expect(r.unseenJobIds()).toEqual([]);
    r.register(
      { ownerWorkflowId: 'a', jobs: [{ jobId: 'job-aaaaaaaa', state: 'PENDING' }], pollIntervalMs: 1_000 },
      1,
    );
    expect(r.unseenJobIds()).toEqual(['job-aaaaaaaa']);
  });

  it('ends a registration on an empty one, on drop, or when it was not renewed within the TTL', () => {
    const r = new WatchRegistry();
    r.register({ ownerWorkflowId: 'a', jobs: [{ jobId: 'job-aaaaaaaa' }], pollIntervalMs: 1_000 }, 0);
    r.register({ ownerWorkflowId: 'b', jobs: [{ jobId: 'job-bbbbbbbb' }], pollIntervalMs: 1_000 }, 0);
    r.register({ ownerWorkflowId: 'c', jobs: [{ jobId: 'job-cccccccc' }], pollIntervalMs: 1_000 }, 0);
    r.register({ ownerWorkflowId: 'a', jobs: [], pollIntervalMs: 1_000 }, 10);
    r.drop('b');
    expect(r.jobIds()).toEqual(['job-cccccccc']);
    expect(r.expire(WATCH_REGISTRATION_TTL_MS)).toEqual([]);
    expect(r.expire(WATCH_REGISTRATION_TTL_MS + 1)).toEqual(['c']);
    expect(r.isEmpty()).toBe(true);
  });

  it('carries registrations through continue-as-new', () => {
    const r = new WatchRegistry();
    r.register({ ownerWorkflowId: 'a', jobs: [{ jobId: 'job-aaaaaaaa' }], pollIntervalMs: 1_000 }, 0);
    r.register({ ownerWorkflowId: 'b', jobs: [{ jobId: 'job-bbbbbbbb' }], pollIntervalMs: 1_000 }, 0);
    const copy = WatchRegistry.fromCarried(JSON.parse(JSON.stringify(r.toCarried())) as CarriedOwner[]);
    expect(copy.jobIds()).toEqual(r.jobIds());
    // The next run tells each owner every job's state once again (owners ignore what they know).
    const told = copy.changesFor(
      [{ jobId: 'job-aaaaaaaa', state: 'RUNNING', observedAt: '2026-11-25T00:00:00Z' }],
      0,
    );
    expect([...told.keys()]).toEqual(['a']);
  });

  it('carries what it read, so that a new run reads again only the jobs it does not know', () => {
    const r = new WatchRegistry();
    const ids = ['job-aaaaaaaa', 'job-bbbbbbbb', 'job-cccccccc'];
    r.register({ ownerWorkflowId: 'a', jobs: ids.map((jobId) => ({ jobId })), pollIntervalMs: 1_000 }, 0);
    r.register({ ownerWorkflowId: 'b', jobs: [{ jobId: 'job-cccccccc' }], pollIntervalMs: 1_000 }, 0);
    r.changesFor(
      [
        { jobId: 'job-aaaaaaaa', state: 'RUNNING', observedAt: '2026-11-25T00:00:01.000Z' },
        {
          jobId: 'job-bbbbbbbb',
          state: 'FAILED',
          endTime: '2026-11-25T00:00:00Z',
          observedAt: '2026-11-25T00:00:02.000Z',
        },
        { jobId: 'job-cccccccc', state: 'RUNNING', observedAt: '2026-11-25T00:00:03.000Z' },
      ],
      0,
    );
    // Owner b was not told of job-cccccccc after all: that job is not carried, and is read again.
    r.untell('b', ['job-cccccccc']);
    const reads = r.toCarriedReads(10_000);
    const next = WatchRegistry.fromCarried(
      JSON.parse(JSON.stringify(r.toCarried())) as CarriedOwner[],
      reads,
    );
    expect(next.unseenJobIds()).toEqual(['job-cccccccc']);
    expect(next.seenStates(['job-bbbbbbbb'])).toEqual([
      { jobId: 'job-bbbbbbbb', state: 'FAILED', endTime: '2026-11-25T00:00:00Z' },
    ]);
    expect(next.lastReadMs(['job-bbbbbbbb'])).toBe(Date.parse('2026-11-25T00:00:02.000Z'));
    // Nothing to tell the owners of a carried job that did not change.
    expect(next.changesFor([{ jobId: 'job-aaaaaaaa', state: 'RUNNING', observedAt: 't' }], 0).size).toBe(0);
    // Within the budget given: the rest are read again.
    const fewer = WatchRegistry.fromCarried(r.toCarried(), r.toCarriedReads(40));
    expect(fewer.unseenJobIds()).toEqual(['job-bbbbbbbb', 'job-cccccccc']);
  });

  it("carries 100,000 watched jobs (100 owners of 1,000) within Temporal's 2 MB payload limit", () => {
    const r = new WatchRegistry();
    for (let o = 0; o < 100; o++) {
      const jobs = Array.from({ length: 1_000 }, (_, j) => ({
        jobId: `job-${(o * 1_000 + j).toString(36).padStart(8, '0')}`,
        state: 'RUNNING' as const,
      }));
      r.register({ ownerWorkflowId: `recover-batch-jobs-${o}`, jobs, pollIntervalMs: 60_000 }, 0);
    }
    const encoded = JSON.stringify({
      describeTaskQueue: 'tencent-batch-recovery-describe',
      owners: r.toCarried(),
    });
    expect(Buffer.byteLength(encoded)).toBeLessThan(1_500_000);
    const copy = WatchRegistry.fromCarried(JSON.parse(encoded).owners as CarriedOwner[]);
    expect(copy.jobIds()).toHaveLength(100_000);
  });

  it('reads and tells again the jobs an owner was not told after all', () => {
    const registry = new WatchRegistry();
    registry.register(
      { ownerWorkflowId: 'owner-1', jobs: [{ jobId: 'job-a' }, { jobId: 'job-b' }], pollIntervalMs: 60_000 },
      0,
    );
    const read = [
      { jobId: 'job-a', state: 'FAILED' as const, endTime: 'e1', observedAt: 't' },
      { jobId: 'job-b', state: 'RUNNING' as const, observedAt: 't' },
    ];
    expect([...registry.changesFor(read, 0)]).toHaveLength(1);
    expect(registry.unseenJobIds()).toEqual([]);
    registry.untell('owner-1', ['job-a']);
    expect(registry.unseenJobIds()).toEqual(['job-a']);
    expect(
      registry
        .changesFor(read, 0)
        .get('owner-1')
        ?.snapshots.map((s) => s.jobId),
    ).toEqual(['job-a']);
  });
});
