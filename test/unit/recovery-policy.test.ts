import { DEFAULT_POLICY, resolvePolicy } from '../../src/shared/recovery-policy';
import { normalizeJobIds } from '../../src/shared/job-id';

describe('resolvePolicy', () => {
  it('applies every default to an empty policy', () => {
    expect(resolvePolicy(undefined)).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  it('parses duration strings', () => {
    const r = resolvePolicy({
      pollInterval: '30s',
      deadline: '2h',
      backoff: { initialInterval: '1m', maxInterval: '1h' },
    });
    expect(
      r.ok && [r.policy.pollIntervalMs, r.policy.deadlineMs, r.policy.backoff.initialIntervalMs],
    ).toEqual([30_000, 7_200_000, 60_000]);
  });

  it('reports every bad field at once', () => {
    const r = resolvePolicy({
      pollInterval: '10ms',
      maxRetriesPerJob: -1,
      backoff: { factor: 0, jitter: 2 },
      deadline: 'soon',
      retryRules: [{ action: 'MAYBE' as never }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(6);
      expect(r.problems.join('\n')).toMatch(
        /pollInterval[\s\S]*maxRetriesPerJob[\s\S]*backoff.factor[\s\S]*backoff.jitter[\s\S]*deadline[\s\S]*retryRules\[0\].action/,
      );
    }
  });

  it('accepts a zero first backoff (retry at once) but no zero poll interval or negative backoff', () => {
    for (const zero of [0, '0', '0s', '0ms']) {
      const r = resolvePolicy({ backoff: { initialInterval: zero } });
      expect(r.ok && r.policy.backoff.initialIntervalMs).toBe(0);
    }
    expect(resolvePolicy({ backoff: { initialInterval: -1 } }).ok).toBe(false);
    expect(resolvePolicy({ pollInterval: 0 }).ok).toBe(false);
  });

  it('refuses a backoff cap shorter than its first interval', () => {
    expect(resolvePolicy({ backoff: { initialInterval: '10m', maxInterval: '1m' } }).ok).toBe(false);
  });
});

describe('normalizeJobIds', () => {
  it('removes duplicates and keeps first-seen order', () => {
    expect(normalizeJobIds(['job-bbbbbbbb', 'job-aaaaaaaa', 'job-bbbbbbbb'])).toEqual({
      ok: true,
      jobIds: ['job-bbbbbbbb', 'job-aaaaaaaa'],
    });
  });

  it.each([
    [[], /at least one/],
    ['job-aaaaaaaa', /must be an array/],
    [['job-AAAAAAAA', 'job-aaaaaaaa', 42], /jobIds\[0\]="job-AAAAAAAA".*jobIds\[2\]=42/],
  ])('refuses %j', (input, message) => {
    const r = normalizeJobIds(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.summary).toMatch(message);
  });

  it('refuses more distinct jobs than the per-workflow limit', () => {
    const ids = Array.from({ length: 11 }, (_, i) => `job-${String(i).padStart(8, '0')}`);
    const r = normalizeJobIds(ids, 10);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.summary).toMatch(/11 distinct job IDs exceed the limit of 10/);
  });
});
