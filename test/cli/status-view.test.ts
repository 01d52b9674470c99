import {
  describeFailure,
  renderStatusView,
  summarizeJobs,
  viewOfStatus,
} from '../../src/cli/format/status-view';
import type { JobStatus, RecoveryStatus } from '../../src/shared/recovery-types';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function job(overrides: Partial<JobStatus> & Pick<JobStatus, 'jobId' | 'phase'>): JobStatus {
  return {
    lastStateChangeAt: '2026-03-01T11:00:00Z',
    retries: 0,
    retriesLeft: 3,
    repeatedFailures: 0,
    timeline: [],
    timelineDropped: 0,
    ...overrides,
  };
}

const status: RecoveryStatus = {
  overall: 'AWAITING_DECISION',
  label: 'nightly-etl',
  startedAt: '2026-03-01T11:00:00.000Z',
  deadline: '2026-03-02T11:00:00.000Z',
  nextCheckAt: '2026-03-01T12:00:30.000Z',
  jobs: [
    job({
      jobId: 'job-aaaaaaaa',
      phase: 'WATCHING',
      lastKnownState: 'RUNNING',
      lastReadAt: '2026-03-01T11:59:55.000Z',
    }),
    job({
      jobId: 'job-bbbbbbbb',
      phase: 'WAITING_TO_RETRY',
      lastKnownState: 'FAILED',
      retries: 1,
      retriesLeft: 2,
      lastReadAt: '2026-03-01T11:59:01Z',
      nextRetryAt: '2026-03-01T12:01:00.000Z',
      lastFailure: {
        endTime: '2026-03-01T11:59:00Z',
        state: 'FAILED',
        failedTasks: [
          {
            taskName: 'train',
            state: 'FAILED',
            failedInstances: [
              { taskInstanceIndex: 0, exitCode: 137, stateReason: 'instance reclaimed (spot)' },
            ],
          },
        ],
        observedAt: '2026-03-01T11:59:01Z',
      },
    }),
    job({
      jobId: 'job-cccccccc',
      phase: 'AWAITING_DECISION',
      lastKnownState: 'FAILED',
      retries: 3,
      retriesLeft: 0,
      lastFailure: {
        endTime: '2026-03-01T11:58:00Z',
        state: 'FAILED',
        stateReason: 'bad input',
        observedAt: 'x',
      },
      escalation: {
        reason: 'RETRY_BUDGET_EXHAUSTED',
        message: 'failed after 3 retries',
        since: '2026-03-01T11:58:01Z',
        decisionDeadline: '2026-03-02T11:58:01Z',
      },
    }),
    job({
      jobId: 'job-dddddddd',
      phase: 'DONE',
      outcome: 'SUCCEEDED',
      lastKnownState: 'SUCCEED',
      lastReadAt: '2026-03-01T11:30:00Z',
    }),
  ],
};

describe('the status table', () => {
  it('shows each job with its phase, state, last read, retries, last failure and what comes next', () => {
    expect(renderStatusView(viewOfStatus('wf-1', status), NOW)).toEqual([
      'Workflow  wf-1',
      'State     AWAITING_DECISION   label: nightly-etl',
      'Started   2026-03-01 11:00:00Z   deadline 2026-03-02 11:00:00Z (in 23h00m)',
      '',
      'JOB           PHASE              STATE    LAST READ   RETRIES     LAST FAILURE                         NEXT / ESCALATION',
      'job-aaaaaaaa  WATCHING           RUNNING  5s ago      0 (3 left)  -                                    check in 30s',
      'job-bbbbbbbb  WAITING_TO_RETRY   FAILED   59s ago     1 (2 left)  exit 137: instance reclaimed (spot)  retry in 1m00s',
      'job-cccccccc  AWAITING_DECISION  FAILED   -           3 (0 left)  FAILED: bad input                    RETRY_BUDGET_EXHAUSTED: failed after 3 retries; decide by 2026-03-02 11:58:01Z (in 23h58m)',
      'job-dddddddd  DONE (SUCCEEDED)   SUCCEED  30m00s ago  0 (3 left)  -                                    -',
    ]);
  });

  it('counts jobs by phase for progress lines', () => {
    expect(summarizeJobs(status.jobs)).toBe('1 watching, 1 waiting to retry, 1 awaiting decision, 1 done');
  });

  it('describes a failure by its state when the API gave neither exit code nor reason', () => {
    expect(describeFailure({ endTime: 'x', state: 'FAILED_INTERRUPTED', observedAt: 'x' })).toBe(
      'FAILED_INTERRUPTED',
    );
  });
});
