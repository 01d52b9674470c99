import { EventEmitter } from 'node:events';
import type { Logger, MetricMeter, MetricTags } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { State } from '@temporalio/worker';
import type { BatchApi } from '../../src/batch/batch-api';
import {
  countingBatchApi,
  recordEscalations,
  recordRetryOutcomes,
} from '../../src/activities/recovery-metrics';
import { healthReport, startHealthServer } from '../../src/runtime/health';
import { workerRuntimeOptions } from '../../src/runtime/metrics';
import { FORCED_EXIT_CODE, handleShutdownSignals } from '../../src/runtime/shutdown';
import { FakeBatchApi } from '../support/fake-batch-api';

/** A meter that remembers every counter increment. */
function recordingMeter(): {
  meter: () => MetricMeter;
  added: { name: string; value: number; tags?: MetricTags }[];
} {
  const added: { name: string; value: number; tags?: MetricTags }[] = [];
  const meter = {
    createCounter: (name: string) => ({
      add: (value: number, tags?: MetricTags) => added.push({ name, value, tags }),
    }),
  } as unknown as MetricMeter;
  return { meter: () => meter, added };
}

const silentLogger: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const worker = (taskQueue: string, state: State) => ({ options: { taskQueue }, getState: () => state });

describe('health report', () => {
  it('is ok while every worker is RUNNING', () => {
    expect(healthReport([worker('a', 'RUNNING'), worker('b', 'RUNNING')])).toEqual({
      status: 'ok',
      workers: { a: 'RUNNING', b: 'RUNNING' },
    });
  });

  it('is unavailable while one worker drains, and before any worker exists', () => {
    expect(healthReport([worker('a', 'RUNNING'), worker('b', 'DRAINING')]).status).toBe('unavailable');
    expect(healthReport([]).status).toBe('unavailable');
  });

  it('answers GET /healthz with 200 or 503 and nothing else', async () => {
    const workers = [worker('a', 'RUNNING')];
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, workers);
    try {
      const ok = await fetch(`http://${server.address}/healthz`);
      expect([ok.status, await ok.json()]).toEqual([200, { status: 'ok', workers: { a: 'RUNNING' } }]);
      workers.push(worker('b', 'FAILED'));
      expect((await fetch(`http://${server.address}/healthz`)).status).toBe(503);
      expect((await fetch(`http://${server.address}/metrics`)).status).toBe(404);
      expect((await fetch(`http://${server.address}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe('shutdown signals', () => {
  it('starts the drain on the first signal and exits 130 on the second', async () => {
    const proc = Object.assign(new EventEmitter(), { exit: jest.fn() });
    const signals = handleShutdownSignals({
      logger: silentLogger,
      shutdownGraceMs: 25_000,
      process: proc as never,
    });
    proc.emit('SIGTERM', 'SIGTERM');
    await expect(signals.requested).resolves.toBe('SIGTERM');
    expect(proc.exit).not.toHaveBeenCalled();
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.exit).toHaveBeenCalledWith(FORCED_EXIT_CODE);
    signals.dispose();
    expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT')).toBe(0);
  });
});

describe('runtime options', () => {
  it('exports Prometheus metrics on the configured address and leaves signals to the process', () => {
    const options = workerRuntimeOptions({ metricsAddress: '127.0.0.1:9464', logLevel: 'INFO' });
    expect(options.telemetryOptions?.metrics).toEqual({ prometheus: { bindAddress: '127.0.0.1:9464' } });
    expect(options.shutdownSignals).toEqual([]);
    expect(workerRuntimeOptions({ logLevel: 'WARN' }).telemetryOptions?.metrics).toBeUndefined();
  });
});

describe('package counters', () => {
  it('counts jobs RetryJobs accepted and failed calls by action and code', async () => {
    const { meter, added } = recordingMeter();
    const fake = new FakeBatchApi();
    fake.fail('job-aaaaaaaa');
    fake.fail('job-bbbbbbbb');
    await countingBatchApi(fake, meter).retryJobs({ jobIds: ['job-aaaaaaaa', 'job-bbbbbbbb'] });
    const refused = ApplicationFailure.create({
      message: 'refused',
      type: 'UnsupportedOperation',
      details: [{ code: 'UnsupportedOperation.RetryJobsAccepted', action: 'RetryJobs' }],
    });
    const refusing = { retryJobs: () => Promise.reject(refused) } as unknown as BatchApi;
    await expect(countingBatchApi(refusing, meter).retryJobs({ jobIds: ['job-aaaaaaaa'] })).rejects.toBe(
      refused,
    );
    expect(added).toEqual([
      { name: 'tencent_batch_retries_sent', value: 2, tags: undefined },
      {
        name: 'tencent_batch_api_errors',
        value: 1,
        tags: { action: 'RetryJobs', code: 'UnsupportedOperation.RetryJobsAccepted' },
      },
    ]);
  });

  it('counts already-answered failures and escalated jobs by reason', () => {
    const { meter, added } = recordingMeter();
    recordRetryOutcomes(meter, [{ outcome: 'RETRIED' }, { outcome: 'ALREADY_RETRIED' }]);
    recordEscalations(meter, {
      workflowId: 'wf',
      runId: 'run',
      howToDecide: '',
      jobs: [
        { jobId: 'job-a', reason: 'RETRY_BUDGET_EXHAUSTED', message: '', retries: 2, decisionDeadline: '' },
        { jobId: 'job-b', reason: 'RETRY_BUDGET_EXHAUSTED', message: '', retries: 2, decisionDeadline: '' },
      ],
    } as never);
    expect(added).toEqual([
      { name: 'tencent_batch_retries_already_applied', value: 1, tags: undefined },
      { name: 'tencent_batch_escalations', value: 2, tags: { reason: 'RETRY_BUDGET_EXHAUSTED' } },
    ]);
  });
});
