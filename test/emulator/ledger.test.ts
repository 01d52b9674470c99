import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ledger } from '../../src/emulator';
import { NO_RATE_LIMITS, emulatorFixture, sdkClient } from './emulator-test-kit';

function entry(at: number, action: string, admitted = true) {
  return {
    at,
    action,
    params: {},
    outcome: admitted ? 'ok' : 'RequestLimitExceeded',
    requestId: `r${at}`,
    admitted,
  };
}

describe('ledger queries', () => {
  test('minWindowSlackMs is the least gap between a request and the one `limit` after it, less the window', () => {
    const ledger = new Ledger();
    for (const at of [0, 10, 1_150, 1_200, 2_140]) ledger.record(entry(at, 'RetryJobs'));
    // Gaps two requests apart: 1,150, 1,190 and 990 ms.
    expect(ledger.minWindowSlackMs({ action: 'RetryJobs' }, 2)).toBe(-10);
    expect(ledger.minWindowSlackMs({ action: 'RetryJobs' }, 4)).toBe(1_140);
    expect(ledger.minWindowSlackMs({ action: 'RetryJobs' }, 5)).toBeUndefined();
  });

  test('maxPerWindow finds the busiest sliding window, not the busiest calendar second', () => {
    const ledger = new Ledger();
    // Two per calendar second, but four within the 1000 ms starting at 600.
    for (const at of [600, 900, 1000, 1300]) ledger.record(entry(at, 'RetryJobs'));
    expect(ledger.maxPerWindow('RetryJobs')).toBe(4);
    expect(ledger.maxPerWindow('RetryJobs', 101)).toBe(2);
    expect(ledger.maxPerWindow('RetryJobs', 100)).toBe(1);
  });

  test('a window is half-open: requests exactly windowMs apart never share one', () => {
    const ledger = new Ledger();
    for (const at of [0, 1000, 2000]) ledger.record(entry(at, 'RetryJobs'));
    expect(ledger.maxPerWindow('RetryJobs')).toBe(1);
  });

  test('the admitted variant ignores rejected requests and other actions', () => {
    const ledger = new Ledger();
    ledger.record(entry(0, 'RetryJobs'));
    ledger.record(entry(1, 'RetryJobs', false));
    ledger.record(entry(2, 'RetryJobs', false));
    ledger.record(entry(3, 'DescribeJobs'));
    expect(ledger.maxPerWindow('RetryJobs')).toBe(3);
    expect(ledger.maxAdmittedPerWindow('RetryJobs')).toBe(1);
    expect(ledger.maxPerWindow('RetryJobs', 1000, 'admitted')).toBe(1);
  });

  test('entries filter by action, outcome, time range and job ID', () => {
    const ledger = new Ledger();
    ledger.record({ ...entry(10, 'RetryJobs'), params: { JobIds: ['job-aaaaaaaa'] } });
    ledger.record({ ...entry(20, 'DescribeJobs'), params: { JobIds: ['job-bbbbbbbb'] } });
    ledger.record(entry(30, 'RetryJobs', false));
    expect(ledger.entries({ jobId: 'job-aaaaaaaa' }).map((e) => e.seq)).toEqual([1]);
    expect(ledger.entries({ action: 'RetryJobs', outcome: 'ok' }).map((e) => e.seq)).toEqual([1]);
    expect(ledger.entries({ since: 20, until: 30 }).map((e) => e.seq)).toEqual([2]);
  });
});

describe('ledger file', () => {
  const start = emulatorFixture({ rateLimits: NO_RATE_LIMITS });

  test('with ledgerPath every entry is appended as JSONL that another process can read back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emulator-ledger-'));
    try {
      const ledgerPath = path.join(dir, 'ledger.jsonl');
      const emulator = await start({ ledgerPath });
      const jobId = emulator.createJob();
      emulator.setJobState(jobId, 'FAILED');
      const client = sdkClient(emulator);
      await client.DescribeJobs({ JobIds: [jobId] });
      await client.RetryJobs({ JobIds: [jobId] });
      const fromFile = Ledger.fromFile(ledgerPath);
      expect(fromFile.entries()).toEqual(emulator.ledger.entries());
      expect(fromFile.retriesOf(jobId)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
