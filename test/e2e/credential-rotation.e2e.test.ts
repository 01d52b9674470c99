/**
 * Credentials that rotate, on the real path: the worker process (src/worker.ts) reads its keys from the SDK's
 * profile file, the emulator revokes the key mid-run and issues a new one, and the worker follows without a
 * restart. What operators see: `/healthz`, the metrics, the log; and what the jobs see: nothing escalates while
 * the key is revoked, and the job that failed meanwhile is retried once the new key is in place.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunningEmulator } from '../../src/emulator';
import { statusQuery } from '../../src/shared/messages';
import { recoverBatchJobsWorkflow } from '../../src/workflows';
import { devServerEnv, waitFor } from '../helpers/temporal';
import { fastInput, perTestResources, uniqueQueues } from '../support/e2e-kit';
import {
  metricValue,
  readHealth,
  scrapeMetrics,
  startWorkerProcess,
  type WorkerProcess,
} from '../support/worker-process-kit';

let env: TestWorkflowEnvironment;
let home: string;
const { emulator, track } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'tbr-rotation-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Writes the profile file the SDK's ProfileCredential reads ($HOME/.tencentcloud/credentials). */
async function writeProfile(key: { secretId: string; secretKey: string }): Promise<void> {
  await mkdir(path.join(home, '.tencentcloud'), { recursive: true });
  const file = path.join(home, '.tencentcloud', 'credentials');
  // Written aside and renamed, as a credential agent would: the worker never reads half a file.
  await writeFile(`${file}.new`, `[default]\nsecret_id = ${key.secretId}\nsecret_key = ${key.secretKey}\n`);
  await import('node:fs/promises').then((fs) => fs.rename(`${file}.new`, file));
}

/** The emulator's admin API, as an operator's script would call it. */
async function admin(emu: RunningEmulator, method: string, route: string): Promise<Record<string, string>> {
  const response = await fetch(`${emu.url}_emulator/${route}`, {
    method,
    ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
  });
  return (await response.json()) as Record<string, string>;
}

/**
 * Waits until `/healthz` answers `status` with the credentials in `credentialStatus`; returns the body. The first
 * wait includes the worker's start (bundling the workflows), which took over 30 s on a loaded CI machine.
 */
async function healthUntil(w: WorkerProcess, status: number, credentialStatus: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const health = await readHealth(w.healthUrl);
      if (health === 'closed' || health.status !== status) return undefined;
      const body = health.body as typeof health.body & { credentials?: { status: string; code?: string } };
      return body.credentials?.status === credentialStatus ? body : undefined;
    },
    {
      timeoutMs,
      description: `/healthz ${status} with credentials ${credentialStatus}`,
      intervalMs: 200,
    },
  );
}

describe('a worker whose credentials rotate', () => {
  it('turns unhealthy when its key is revoked, escalates nothing, and recovers once a new key is in its profile file', async () => {
    const emu = await emulator();
    const first = emu.credentials.issueKey();
    await writeProfile(first);
    const queues = uniqueQueues();
    const w = await startWorkerProcess(emu, queues, {
      HOME: home,
      TENCENTCLOUD_CREDENTIALS: 'profile',
      TENCENTCLOUD_SECRET_ID: '',
      TENCENTCLOUD_SECRET_KEY: '',
      TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL: '1s',
    });
    track(w.child);
    await healthUntil(w, 200, 'ok', 60_000);

    expect(await admin(emu, 'DELETE', `credentials/${first.secretId}`)).toEqual({ revoked: true });
    const refused = await healthUntil(w, 503, 'refused');
    expect(refused).toMatchObject({
      status: 'unavailable',
      credentials: { source: 'profile', code: 'AuthFailure.SecretIdNotFound' },
    });
    // Every worker still polls: only the credentials are the trouble.
    expect(Object.values(refused.workers)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    const samples = await scrapeMetrics(w.metricsUrl);
    expect(
      metricValue(samples, 'tencent_batch_auth_refusals', { code: 'AuthFailure.SecretIdNotFound' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'tencent_batch_credentials_healthy')).toBe(0);

    // A job that fails while the key is revoked: its reads are refused, and nothing escalates for it.
    const job = emu.createJob({
      script: { attempts: [{ outcome: 'FAILED', exitCode: 137 }, { outcome: 'SUCCEED' }], runSeconds: 60 },
    });
    const handle = await env.client.workflow.start(recoverBatchJobsWorkflow, {
      taskQueue: queues.workflow,
      workflowId: `e2e-rotation-${queues.workflow}`,
      args: [fastInput([job], queues)],
    });
    await waitFor(() => Promise.resolve(emu.getJob(job)?.state === 'FAILED' ? true : undefined), {
      timeoutMs: 10_000,
      description: 'the job to fail',
    });
    const refusedReads = () =>
      emu.ledger
        .entries({ action: 'DescribeJobs' })
        .filter((e) => e.outcome === 'AuthFailure.SecretIdNotFound').length;
    const refusedSoFar = refusedReads();
    await waitFor(() => Promise.resolve(refusedReads() >= refusedSoFar + 3 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'more refused reads after the failure',
    });
    const whileRevoked = await handle.query(statusQuery);
    expect(whileRevoked.overall).toBe('WATCHING');
    expect(whileRevoked.jobs[0]?.escalation).toBeUndefined();
    expect(emu.ledger.entries({ action: 'RetryJobs' })).toHaveLength(0);

    const second = await admin(emu, 'POST', 'credentials');
    await writeProfile({ secretId: second.secretId ?? '', secretKey: second.secretKey ?? '' });
    await healthUntil(w, 200, 'ok');
    expect(metricValue(await scrapeMetrics(w.metricsUrl), 'tencent_batch_credentials_healthy')).toBe(1);
    // Calls now carry the new key, in the same process.
    expect(emu.ledger.entries({ outcome: 'ok' }).some((e) => e.secretId === second.secretId)).toBe(true);
    const result = await handle.result();
    expect(result.overall).toBe('SUCCEEDED');
    expect(result.jobs[0]).toMatchObject({ retries: 1 });
    expect(result.jobs[0]?.timeline.some((t) => t.event === 'ESCALATED')).toBe(false);
    expect(emu.ledger.retriesOf(job)).toHaveLength(1);

    // The runtime's logger writes in batches: wait for the line rather than read the output at once.
    const output = await waitFor(
      () => {
        const text = w.child.output();
        return Promise.resolve(
          text.includes('Tencent Cloud accepts the credentials again') ? text : undefined,
        );
      },
      { timeoutMs: 5_000, description: 'the recovery to be logged' },
    );
    expect(output).toContain('Tencent Cloud refused the credentials');
    for (const secret of [first.secretKey, second.secretKey]) expect(output).not.toContain(secret);
  }, 90_000);
});
