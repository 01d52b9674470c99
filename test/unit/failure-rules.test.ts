import { backoffDelayMs, failureSignature, globMatches, matchRule } from '../../src/workflows/failure-rules';
import type { FailureRecord } from '../../src/shared/recovery-types';

const failure = (over: Partial<FailureRecord> = {}): FailureRecord => ({
  endTime: '2026-11-25T10:00:00.000Z',
  state: 'FAILED',
  observedAt: '2026-11-25T10:00:01.000Z',
  stateReason: 'Task failed',
  failedTasks: [
    {
      taskName: 'train',
      state: 'FAILED',
      failedInstances: [{ taskInstanceIndex: 0, exitCode: 137, stateReason: 'instance reclaimed (spot)' }],
    },
  ],
  ...over,
});

describe('globMatches', () => {
  it.each([
    ['137', '137', true],
    ['13*', '137', true],
    ['*spot*', 'instance reclaimed (spot)', true],
    ['*', '', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['1', '137', false],
  ])('pattern %j against %j is %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });
});

describe('matchRule', () => {
  it('returns the first rule whose every condition matches', () => {
    const rules = [
      { onExitCode: '1', action: 'ESCALATE' as const },
      { onExitCode: '137', onStateReason: '*spot*', action: 'RETRY' as const },
      { action: 'ESCALATE' as const },
    ];
    expect(matchRule(rules, failure())).toBe(rules[1]);
  });

  it('matches task names and falls through to a catch-all rule', () => {
    const rules = [{ onTaskName: 'etl-*', action: 'RETRY' as const }, { action: 'ESCALATE' as const }];
    expect(matchRule(rules, failure())).toBe(rules[1]);
  });

  it('returns undefined when no rule matches, so the default (retry) applies', () => {
    expect(matchRule([{ onExitCode: '2', action: 'ESCALATE' }], failure())).toBeUndefined();
  });

  it('does not match an exit-code rule when the failure has no details', () => {
    expect(
      matchRule([{ onExitCode: '*', action: 'ESCALATE' }], failure({ failedTasks: undefined })),
    ).toBeUndefined();
  });
});

describe('failureSignature', () => {
  it('is the same whatever order the API lists tasks in', () => {
    const a = { taskName: 'a', state: 'FAILED', failedInstances: [{ taskInstanceIndex: 0, exitCode: 1 }] };
    const b = { taskName: 'b', state: 'FAILED', failedInstances: [{ taskInstanceIndex: 0, exitCode: 2 }] };
    expect(failureSignature('x', [a, b])).toBe(failureSignature('x', [b, a]));
    expect(failureSignature('x', [a])).not.toBe(failureSignature('x', [b]));
  });

  it('is undefined without details', () => {
    expect(failureSignature('x', undefined)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  const policy = { initialIntervalMs: 1_000, factor: 2, maxIntervalMs: 5_000, jitter: 0 };

  it('grows exponentially and stops at the cap', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, () => 0.5))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('spreads by at most the jitter fraction either way', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelayMs(jittered, 0, () => 0)).toBe(800);
    expect(backoffDelayMs(jittered, 0, () => 0.999999)).toBe(1_200);
  });
});
