import { inspect } from 'node:util';
import { WorkerConfigError, readWorkerConfig } from '../../src/runtime/worker-config';

const valid = {
  TENCENTCLOUD_SECRET_ID: 'AKIDexample0000000000000000000000000',
  TENCENTCLOUD_SECRET_KEY: 'super-secret-key-value-123456',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
};

describe('readWorkerConfig', () => {
  it('applies the defaults: three queues, 2 RetryJobs/s per the seed document, no webhook', () => {
    const config = readWorkerConfig(valid);
    expect(config.taskQueues).toEqual({
      workflow: 'tencent-batch-recovery',
      retry: 'tencent-batch-recovery-retry',
      describe: 'tencent-batch-recovery-describe',
    });
    expect([config.retryJobsPerSecond, config.describePerSecond, config.escalationWebhookUrl]).toEqual([
      2,
      2,
      undefined,
    ]);
    expect(config.temporal.namespace).toBe('default');
  });

  it('reports every bad variable at once and never a secret', () => {
    const err: unknown = (() => {
      try {
        readWorkerConfig({
          TENCENTCLOUD_SECRET_KEY: 'super-secret-key-value-123456',
          TENCENT_BATCH_RETRY_JOBS_RPS: 'fast',
          TENCENT_BATCH_RECOVERY_RETRY_TASK_QUEUE: 'tencent-batch-recovery',
          TENCENT_BATCH_ESCALATION_WEBHOOK_URL: 'not a url with-token-42',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WorkerConfigError);
    const problems = (err as WorkerConfigError).problems.join('\n');
    expect(problems).toMatch(/TENCENTCLOUD_SECRET_ID/);
    expect(problems).toMatch(/TENCENT_BATCH_RETRY_JOBS_RPS/);
    expect(problems).toMatch(/three different queues/);
    expect(problems).toMatch(/TENCENT_BATCH_ESCALATION_WEBHOOK_URL/);
    const shown = `${String(err)} ${inspect(err)} ${JSON.stringify(err)}`;
    expect(shown).not.toContain('super-secret-key-value-123456');
    expect(shown).not.toContain('with-token-42');
  });

  it('takes the RetryJobs limit of the Chinese docs when told to', () => {
    expect(readWorkerConfig({ ...valid, TENCENT_BATCH_RETRY_JOBS_RPS: '10' }).retryJobsPerSecond).toBe(10);
  });
});
