import type { JobSnapshot } from '../../src/shared/batch-types';
import type { WatcherHandOver } from '../../src/shared/watcher-types';
import { WatcherLink } from '../../src/workflows/watcher-link';

const link = () =>
  new WatcherLink(
    {
      watcherTaskQueue: 'q',
      describeTaskQueue: 'd',
      shards: 1,
      ownerWorkflowId: 'owner',
      pollIntervalMs: 60_000,
    },
    {
      retryTaskQueue: 'r',
      backoff: { initialIntervalMs: 1_000, maxIntervalMs: 1_000, coefficient: 2, jitter: 0 },
      untilMs: 1e15,
    } as never,
  );
const failed = (endTime: string): JobSnapshot => ({
  jobId: 'job-a',
  state: 'FAILED',
  endTime,
  observedAt: endTime,
});
const handOver = (requestId: string, endTime: string): WatcherHandOver => ({
  retryTaskQueue: 'r',
  request: { requesterWorkflowId: 'owner', requestId, failures: [{ jobId: 'job-a', endTime }] },
});

describe('WatcherLink', () => {
  it('lets the owner see every failure the watcher handed over, one look each, even when two arrive before it looks', () => {
    const l = link();
    // The job failed, was retried on a standing order, and failed again: two reads, two hand-overs, no look between.
    l.receive({ snapshots: [failed('e1')], handedOver: [handOver('h1', 'e1')] });
    l.receive({ snapshots: [{ ...failed('e1'), state: 'RUNNING', endTime: undefined }] });
    l.receive({ snapshots: [failed('e2')], handedOver: [handOver('h2', 'e2')] });
    const looks: [string | undefined, string[]][] = [];
    while (l.hasNews()) {
      const news = l.takeNews();
      const taken = l.takeHandOvers(news.map((s) => s.jobId)).map((h) => h.request.requestId);
      looks.push([`${news[0]?.state} ${news[0]?.endTime ?? ''}`.trim(), taken]);
    }
    expect(looks).toEqual([
      ['FAILED e1', ['h1']],
      ['RUNNING', []],
      ['FAILED e2', ['h2']],
    ]);
  });

  it('lets a newer read replace an older one that no hand-over waits on', () => {
    const l = link();
    l.receive({ snapshots: [{ ...failed('e1'), state: 'RUNNING', endTime: undefined }] });
    l.receive({ snapshots: [failed('e1')] });
    expect(l.takeNews()).toEqual([failed('e1')]);
    expect(l.hasNews()).toBe(false);
  });
});
