import { MAX_SHARDS, jobWatcherWorkflowId, retryDispatcherWorkflowId } from '../../src/shared/constants';
import { shardOf } from '../../src/shared/job-id';
import { taskQueuesProblems } from '../../src/shared/task-queues-input';

const jobIds = Array.from({ length: 8_000 }, (_, i) => `job-${i.toString(36).padStart(8, '0')}`);

describe('shards', () => {
  it("puts every job of a queue with one watcher in shard 0, under the queue watcher's own ID", () => {
    expect(jobIds.every((id) => shardOf(id, 1) === 0)).toBe(true);
    expect(jobWatcherWorkflowId('q', 0, 1)).toBe('tencent-batch-recovery-job-watcher:q');
  });

  it('spreads jobs evenly over the shards, the same way every time', () => {
    const counts = new Array<number>(8).fill(0);
    for (const id of jobIds) counts[shardOf(id, 8)]! += 1;
    // 1,000 expected per shard.
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
    expect(jobIds.map((id) => shardOf(id, 8))).toEqual(jobIds.map((id) => shardOf(id, 8)));
  });

  it('names each shard after its count, so recoveries that name different counts never share a watcher or a dispatcher', () => {
    expect(jobWatcherWorkflowId('q', 2, 8)).toBe('tencent-batch-recovery-job-watcher:q:2-of-8');
    expect(jobWatcherWorkflowId('q', 2, 4)).not.toBe(jobWatcherWorkflowId('q', 2, 8));
    expect(retryDispatcherWorkflowId('r', 2, 8)).toBe('tencent-batch-recovery-retry-dispatcher:r:2-of-8');
    expect(retryDispatcherWorkflowId('r', 0, 1)).toBe('tencent-batch-recovery-retry-dispatcher:r');
  });

  it('refuses a shard count that is not a whole number from 1 to the maximum', () => {
    expect(taskQueuesProblems({ shards: 8 })).toEqual([]);
    expect(taskQueuesProblems(undefined)).toEqual([]);
    for (const bad of [0, -1, 1.5, MAX_SHARDS + 1, '4']) {
      expect(taskQueuesProblems({ shards: bad as number })).toEqual([
        `taskQueues.shards must be an integer from 1 to ${MAX_SHARDS}`,
      ]);
    }
    expect(taskQueuesProblems({ retry: ' ' })).toEqual(['taskQueues.retry must be a non-empty string']);
  });
});
