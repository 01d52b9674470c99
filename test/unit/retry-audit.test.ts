import type { JobStatus } from '../../src/shared/recovery-types';
import { retriesOfUnobservedFailures } from '../support/retry-audit';

const job = (timeline: JobStatus['timeline']): JobStatus => ({
  jobId: 'job-a',
  phase: 'DONE',
  lastStateChangeAt: '2026-11-30T00:00:10Z',
  retries: 1,
  retriesLeft: 2,
  repeatedFailures: 0,
  timeline,
  timelineDropped: 0,
});
const retry = (at: string) => [{ at: Date.parse(at), requestId: 'r', failureEndTime: 'E1' }];

describe('retriesOfUnobservedFailures', () => {
  const onOrder = {
    at: '2026-11-30T00:00:09Z',
    event: 'RETRY_SCHEDULED' as const,
    detail:
      'handed over by the job watcher on a standing order, read at 2026-11-30T00:00:05Z (EndTime E1); due x',
  };
  const toldLater = {
    at: '2026-11-30T00:00:09Z',
    event: 'STATE_CHANGED' as const,
    detail: 'RUNNING → FAILED (EndTime E1)',
  };

  it('counts a failure the watcher read and handed over on a standing order as observed from that read', () => {
    expect(
      retriesOfUnobservedFailures([job([toldLater, onOrder])], () => retry('2026-11-30T00:00:07Z')),
    ).toEqual([]);
  });

  it('still reports a retry that landed before any read of its failure', () => {
    const found = retriesOfUnobservedFailures([job([toldLater, onOrder])], () =>
      retry('2026-11-30T00:00:04Z'),
    );
    expect(found).toHaveLength(1);
    expect(retriesOfUnobservedFailures([job([toldLater])], () => retry('2026-11-30T00:00:07Z'))).toHaveLength(
      1,
    );
  });
});
