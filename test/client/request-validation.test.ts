import { checkRecoveryInput, decisionProblems } from '../../src/client';
import type { RecoverBatchJobsInput } from '../../src/shared/recovery-types';

describe('checkRecoveryInput', () => {
  it('de-duplicates job IDs in first-seen order', () => {
    expect(checkRecoveryInput({ jobIds: ['job-bbbbbbbb', 'job-aaaaaaaa', 'job-bbbbbbbb'] })).toEqual({
      ok: true,
      input: { jobIds: ['job-bbbbbbbb', 'job-aaaaaaaa'] },
    });
  });

  it('reports every malformed job ID and every bad policy field at once', () => {
    const checked = checkRecoveryInput({
      jobIds: ['job-aaaaaaaa', 'nope', 'job-2'],
      policy: { pollInterval: '10ms', maxRetriesPerJob: -1 },
    });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems).toEqual([
      expect.stringContaining('jobIds[1]="nope"'),
      expect.stringContaining('jobIds[2]="job-2"'),
      expect.stringContaining('policy.pollInterval'),
      expect.stringContaining('policy.maxRetriesPerJob'),
    ]);
  });

  it('names each removed input field a caller still sets', () => {
    const input = { jobIds: ['job-aaaaaaaa'], coalescePolls: false, coalesceRetries: true };
    const checked = checkRecoveryInput(input);
    expect(!checked.ok && checked.problems).toEqual([
      expect.stringMatching(
        /^coalescePolls was removed \(job states are always read by the shared job watcher\)/,
      ),
      expect.stringMatching(
        /^coalesceRetries was removed \(retries always go through the RetryJobs dispatcher\)/,
      ),
    ]);
  });

  it('refuses carriedState, which only the workflow itself sets', () => {
    const input = {
      jobIds: ['job-aaaaaaaa'],
      carriedState: { startedAt: '2026-01-01T00:00:00Z', jobs: [], continuedAsNewCount: 1 },
    } satisfies RecoverBatchJobsInput;
    expect(checkRecoveryInput(input)).toEqual({
      ok: false,
      problems: [expect.stringContaining('carriedState')],
    });
  });
});

describe('decisionProblems', () => {
  it('accepts a retry of named jobs with extra retries', () => {
    expect(decisionProblems({ decision: 'RETRY', jobIds: ['job-aaaaaaaa'], extraRetries: 2 })).toEqual([]);
  });

  it('lists an unknown decision, an out-of-range extraRetries and a malformed job ID together', () => {
    expect(
      decisionProblems({
        decision: 'MAYBE' as 'RETRY',
        extraRetries: 0,
        jobIds: ['job-x'],
      }),
    ).toEqual([
      expect.stringContaining('decision must be one of RETRY, ABANDON, RESOLVE'),
      expect.stringContaining('extraRetries must be an integer from 1 to 100'),
      expect.stringContaining('jobIds[0]="job-x"'),
    ]);
  });
});
