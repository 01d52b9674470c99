import { budgetedCaller, type ApiBudget } from '../../src/activities/api-budget';
import { parseBatchConfig, type BatchConfig } from '../../src/batch/batch-config';
import type { CredentialSource } from '../../src/batch/credential-source';
import { SendDeadlineMissedError, sendAtSlot } from '../../src/batch/send-at-slot';
import { createBatchApi } from '../../src/batch/tencent-batch-api';
import { DEFAULT_EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from '../../src/emulator';
import { SLOT_LATE_TOLERANCE_MS } from '../../src/shared/api-budget-types';

/**
 * Requests sent at their budget slots, over real HTTP, through the official SDK, against the emulator: the agent
 * holds a request ready early until its slot and drops one ready too late (here: credential lookups that take their
 * time, as a role's key refresh does), and the budgeted caller starts its calls early enough to keep sending when
 * every request is slow to get ready.
 */

let emulator: RunningEmulator;
let jobId: string;

beforeAll(async () => {
  // Unlimited: the slots here are the only pacing, and what is checked.
  emulator = await startEmulator({ rateLimits: { DescribeJobs: 0 } });
  jobId = emulator.createJob({ script: { attempts: [{ outcome: 'SUCCEED' }], runSeconds: 60 } });
});

afterAll(async () => {
  await emulator.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A config whose i-th credential lookup takes `delayMs(i)`. */
function configWithLookups(delayMs: (lookup: number) => number): BatchConfig {
  const config = parseBatchConfig({
    TENCENTCLOUD_SECRET_ID: DEFAULT_EMULATOR_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEFAULT_EMULATOR_CREDENTIALS.secretKey,
    TENCENT_BATCH_ENDPOINT: emulator.endpoint,
    TENCENT_BATCH_PROTOCOL: 'http://',
  });
  const fixed = config.credentials;
  let lookups = 0;
  const slow: CredentialSource = {
    kind: fixed.kind,
    description: fixed.description,
    current: async () => {
      await sleep(delayMs(lookups++));
      return fixed.current();
    },
  };
  return { ...config, credentials: slow };
}

/** Arrivals (epoch ms) of the DescribeJobs requests that reach the emulator while `run` runs. */
async function arrivalsDuring(run: () => Promise<unknown>): Promise<number[]> {
  const before = emulator.ledger.entries({ action: 'DescribeJobs' }).length;
  await run();
  return emulator.ledger
    .entries({ action: 'DescribeJobs' })
    .slice(before)
    .map((e) => e.at);
}

/** A budget whose every slot is `leadMs` after the request, recorded; it honours the caller's ready-ahead. */
function budgetGrantingIn(leadMs: number): { budget: ApiBudget; slots: number[] } {
  const slots: number[] = [];
  const budget: ApiBudget = {
    take: async (_action, readyAheadMs = 0) => {
      const slot = Date.now() + leadMs;
      slots.push(slot);
      await sleep(slot - readyAheadMs - Date.now());
      return slot;
    },
    refused: () => Promise.resolve(),
  };
  return { budget, slots };
}

it('does not send a request that is ready only after its slot and tolerance', async () => {
  const api = createBatchApi(configWithLookups((i) => (i === 0 ? 300 : 0)));
  const arrivals = await arrivalsDuring(async () => {
    const late = sendAtSlot(Date.now(), 100, () => api.describeJobs({ jobIds: [jobId] }));
    await expect(late).rejects.toBeInstanceOf(SendDeadlineMissedError);
  });
  expect(arrivals).toEqual([]);
  // The next request, ready in time, is sent.
  const sent = await sendAtSlot(Date.now() + 1_000, 1_000, () => api.describeJobs({ jobIds: [jobId] }));
  expect(sent.answer.jobs.map((j) => j.jobId)).toEqual([jobId]);
});

it('holds a request that is ready early until its slot', async () => {
  const api = createBatchApi(configWithLookups(() => 0));
  const slot = Date.now() + 400;
  const arrivals = await arrivalsDuring(() =>
    sendAtSlot(slot, SLOT_LATE_TOLERANCE_MS, () => api.describeJobs({ jobIds: [jobId] })),
  );
  expect(arrivals).toHaveLength(1);
  // A timer may fire a millisecond early.
  expect(arrivals[0]).toBeGreaterThanOrEqual(slot - 5);
  expect(arrivals[0]).toBeLessThanOrEqual(slot + SLOT_LATE_TOLERANCE_MS);
});

it('gives up a slot its request missed, and sends the request within the tolerance of its next slot', async () => {
  // One slow lookup, as when a role's temporary key is refreshed.
  const api = createBatchApi(configWithLookups((i) => (i === 0 ? 400 : 0)));
  const { budget, slots } = budgetGrantingIn(0);
  const budgeted = budgetedCaller(budget);
  const arrivals = await arrivalsDuring(() =>
    budgeted('DescribeJobs', () => api.describeJobs({ jobIds: [jobId] })),
  );
  expect(slots).toHaveLength(2);
  expect(arrivals).toHaveLength(1);
  expect((arrivals[0] as number) - (slots[1] as number)).toBeLessThanOrEqual(SLOT_LATE_TOLERANCE_MS);
});

it('keeps sending, each request at its slot, when every request takes longer than the tolerance to get ready', async () => {
  const api = createBatchApi(configWithLookups(() => 250));
  const { budget, slots } = budgetGrantingIn(500);
  const budgeted = budgetedCaller(budget);
  const arrivals = await arrivalsDuring(async () => {
    for (let i = 0; i < 3; i++) await budgeted('DescribeJobs', () => api.describeJobs({ jobIds: [jobId] }));
  });
  expect(arrivals).toHaveLength(3);
  // The first call learns how long requests take to get ready (its slot is missed); the next two are on time.
  expect(slots).toHaveLength(4);
  arrivals.forEach((at, i) => {
    const slot = slots[i + 1] as number;
    expect(at).toBeGreaterThanOrEqual(slot - 5);
    expect(at).toBeLessThanOrEqual(slot + SLOT_LATE_TOLERANCE_MS);
  });
  // Without starting ahead no request is ever sent: a bounded wait says so sooner than the default timeout.
}, 15_000);
