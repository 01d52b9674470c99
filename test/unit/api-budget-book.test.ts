import {
  BUDGETED_ACTIONS,
  SLOT_LATE_TOLERANCE_MS,
  SLOT_MARGIN_MS,
  type ApiBudgetState,
} from '../../src/shared/api-budget-types';
import { ApiBudgetBook } from '../../src/workflows/api-budget-book';

/** The most slots in any window of `windowMs` (sliding), as the emulator's ledger counts calls. */
function maxPerWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[start] as number) <= (sorted[end] as number) - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('ApiBudgetBook', () => {
  it('never grants more than the limit in any window of one second plus the margin, however requests arrive', () => {
    const book = new ApiBudgetBook();
    const slots: number[] = [];
    let now = 1_000_000;
    // Bursts from many callers, some at the same instant, some asking several calls at once.
    for (let i = 0; i < 300; i++) {
      now += [0, 0, 7, 120, 900][i % 5] as number;
      slots.push(...book.grant({ action: 'DescribeJobs', calls: 1 + (i % 3), limitRps: 2 }, now).slots);
    }
    expect(slots).toHaveLength(600);
    expect(maxPerWindow(slots, 1_000 + SLOT_MARGIN_MS)).toBe(2);
    // So calls sent up to the late tolerance after their slots still keep every one-second window at the limit.
    const lateCalls = slots.map((t, i) => t + (i % 2 === 0 ? SLOT_LATE_TOLERANCE_MS : 0));
    expect(maxPerWindow(lateCalls, 1_000)).toBe(2);
  });

  it('keeps each action to its own limit', () => {
    const book = new ApiBudgetBook();
    const retry = book.grant({ action: 'RetryJobs', calls: 10, limitRps: 2 }, 0).slots;
    const describe = book.grant({ action: 'DescribeJob', calls: 10, limitRps: 5 }, 0).slots;
    expect(maxPerWindow(retry, 1_000 + SLOT_MARGIN_MS)).toBe(2);
    expect(maxPerWindow(describe, 1_000 + SLOT_MARGIN_MS)).toBe(5);
    // Five DescribeJob slots share the first window; RetryJobs' tenth waits four windows.
    expect(describe[4]).toBe(describe[0]);
    expect(retry[9]).toBeGreaterThanOrEqual((retry[0] as number) + 4 * (1_000 + SLOT_MARGIN_MS));
  });

  it('grants a background request only while less than a window of slots is booked, so it never queues ahead', () => {
    const book = new ApiBudgetBook();
    const window = 1_000 + SLOT_MARGIN_MS;
    // Polls alone: granted while the queue is short, then refused (no slots booked for them).
    const poll = () =>
      book.grant({ action: 'DescribeJobs', calls: 1, limitRps: 2, background: true }, 0).slots;
    const granted = [poll(), poll(), poll(), poll(), poll()];
    expect(granted.map((s) => s.length)).toEqual([1, 1, 1, 1, 0]);
    // Four first reads arrive: they queue behind the polls already booked, never behind refused ones...
    const reads = Array.from(
      { length: 4 },
      () => book.grant({ action: 'DescribeJobs', calls: 1, limitRps: 2 }, 0).slots[0] as number,
    );
    expect(reads[0]).toBe((granted[2]?.[0] as number) + window);
    // ...and while they are booked, no poll is granted (the reads' last slot lies beyond a window).
    expect(poll()).toEqual([]);
    // Once the reads are nearly sent, polls go again.
    expect(
      book.grant({ action: 'DescribeJobs', calls: 1, limitRps: 2, background: true }, reads[3] as number)
        .slots,
    ).toHaveLength(1);
  });

  it('grants a limit under 1/s one call per 1/rate seconds', () => {
    const slots = new ApiBudgetBook().grant({ action: 'DeleteJob', calls: 3, limitRps: 0.5 }, 0).slots;
    expect((slots[1] as number) - (slots[0] as number)).toBe(2_000 + SLOT_MARGIN_MS);
  });

  it('keeps a limit under 1/s for calls asked for one at a time, seconds apart', () => {
    const book = new ApiBudgetBook();
    const slots = [0, 2_000, 4_000, 6_500].flatMap(
      (now) => book.grant({ action: 'DeleteJob', calls: 1, limitRps: 0.5 }, now).slots,
    );
    expect(maxPerWindow(slots, 2_000 + SLOT_MARGIN_MS)).toBe(1);
  });

  it('halves the rate after a refusal, once per burst, and doubles it back every 20 s without one', () => {
    const book = new ApiBudgetBook();
    book.refused('DescribeJobs', 0);
    book.refused('DescribeJobs', 10); // the same burst
    expect(book.rateInForce('DescribeJobs', 10, 100)).toBe(5);
    book.refused('DescribeJobs', 2_000);
    expect(book.rateInForce('DescribeJobs', 10, 2_000)).toBe(2.5);
    book.refused('DescribeJobs', 4_000);
    expect(book.rateInForce('DescribeJobs', 10, 4_000)).toBe(2.5); // a quarter of the limit at the slowest
    expect(book.rateInForce('DescribeJobs', 10, 24_000)).toBe(5);
    expect(book.rateInForce('DescribeJobs', 10, 44_000)).toBe(10);
    expect(book.rateInForce('RetryJobs', 2, 4_000)).toBe(2); // other actions are untouched
    const slowed = book.grant({ action: 'DescribeJobs', calls: 6, limitRps: 10 }, 4_000).slots;
    expect(maxPerWindow(slowed, 1_000 + SLOT_MARGIN_MS)).toBe(2);
  });

  it('comes back to the limit after a slowdown, and never goes above it', () => {
    const book = new ApiBudgetBook();
    book.refused('RetryJobs', 0);
    for (const later of [20_000, 60_000, 3_600_000]) expect(book.rateInForce('RetryJobs', 2, later)).toBe(2);
    const slots = book.grant({ action: 'RetryJobs', calls: 10, limitRps: 2 }, 3_600_000).slots;
    expect(maxPerWindow(slots, 1_000 + SLOT_MARGIN_MS)).toBe(2);
  });

  it('carries its slots and slowdowns into the next run, so a continue-as-new cannot double a window', () => {
    const book = new ApiBudgetBook();
    const before = book.grant({ action: 'RetryJobs', calls: 2, limitRps: 2 }, 0).slots;
    book.refused('DescribeJob', 0);
    const next = new ApiBudgetBook(JSON.parse(JSON.stringify(book.toState(50))) as ApiBudgetState);
    const after = next.grant({ action: 'RetryJobs', calls: 2, limitRps: 2 }, 50).slots;
    expect(maxPerWindow([...before, ...after], 1_000 + SLOT_MARGIN_MS)).toBe(2);
    expect(next.rateInForce('DescribeJob', 2, 60)).toBe(1);
    // Old slots are forgotten: the carried state stays small.
    expect(new ApiBudgetBook().toState(0)).toEqual({ granted: {}, slowdowns: {} });
    expect(next.toState(60_000).granted).toEqual({});
  });

  it('knows every action the Batch client calls', () => {
    expect([...BUDGETED_ACTIONS].sort()).toEqual([
      'DeleteJob',
      'DescribeJob',
      'DescribeJobs',
      'DescribeTask',
      'RetryJobs',
      'SubmitJob',
      'TerminateJob',
    ]);
  });
});
