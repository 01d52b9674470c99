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
    expect(config.apiRateLimits).toEqual({
      DescribeJobs: 2,
      DescribeJob: 2,
      DescribeTask: 3,
      RetryJobs: 2,
      SubmitJob: 7,
      TerminateJob: 2,
      DeleteJob: 2,
    });
    expect(config.apiBudgetWorkflowId).toBe('tencent-batch-api-budget');
    expect(config.apiBudgetTaskQueue).toBe('tencent-batch-api-budget');
    expect(config.escalationWebhookUrl).toBeUndefined();
    expect(config.temporal.namespace).toBe('default');
  });

  it('serves metrics on 0.0.0.0:9464 and /healthz on 0.0.0.0:8080, drains for 25 s and logs at INFO by default', () => {
    const config = readWorkerConfig(valid);
    expect(config.metricsAddress).toBe('0.0.0.0:9464');
    expect(config.healthAddress).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.shutdownGraceMs).toBe(25_000);
    expect(config.logLevel).toBe('INFO');
  });

  it('checks the credentials once a minute by default; takes another interval or off', () => {
    expect(readWorkerConfig(valid).credentialCheckIntervalMs).toBe(60_000);
    expect(
      readWorkerConfig({ ...valid, TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL: '5s' })
        .credentialCheckIntervalMs,
    ).toBe(5_000);
    expect(
      readWorkerConfig({ ...valid, TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL: 'off' })
        .credentialCheckIntervalMs,
    ).toBeUndefined();
    expect(() => readWorkerConfig({ ...valid, TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL: '5' })).toThrow(
      /TENCENT_BATCH_CREDENTIALS_CHECK_INTERVAL must be a duration with a unit from 1s to 1h/,
    );
  });

  it('turns metrics and the health endpoint off with "off"', () => {
    const config = readWorkerConfig({
      ...valid,
      TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: 'off',
      TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS: 'OFF',
    });
    expect([config.metricsAddress, config.healthAddress]).toEqual([undefined, undefined]);
  });

  it('takes addresses, a grace time with a unit and a log level from the environment', () => {
    const config = readWorkerConfig({
      ...valid,
      TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: '[::1]:9100',
      TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS: '127.0.0.1:8081',
      TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE: '40s',
      TENCENT_BATCH_RECOVERY_LOG_LEVEL: 'debug',
    });
    expect(config.metricsAddress).toBe('[::1]:9100');
    expect(config.healthAddress).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(config.shutdownGraceMs).toBe(40_000);
    expect(config.logLevel).toBe('DEBUG');
  });

  it('reports every bad operability variable at once', () => {
    const err: unknown = (() => {
      try {
        readWorkerConfig({
          ...valid,
          TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: '9464',
          TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS: 'localhost:70000',
          TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE: '25',
          TENCENT_BATCH_RECOVERY_LOG_LEVEL: 'chatty',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WorkerConfigError);
    const problems = (err as WorkerConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/TENCENT_BATCH_RECOVERY_METRICS_ADDRESS must be host:port/);
    expect(problems.join('\n')).toMatch(/TENCENT_BATCH_RECOVERY_HEALTH_ADDRESS must be host:port/);
    expect(problems.join('\n')).toMatch(
      /TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE must be a duration with a unit/,
    );
    expect(problems.join('\n')).toMatch(/TENCENT_BATCH_RECOVERY_LOG_LEVEL must be one of/);
  });

  it('refuses metrics and health on the same port', () => {
    expect(() =>
      readWorkerConfig({
        ...valid,
        TENCENT_BATCH_RECOVERY_METRICS_ADDRESS: '0.0.0.0:8080',
      }),
    ).toThrow(/must use different ports/);
  });

  it('reports every bad variable at once and never a secret', () => {
    const err: unknown = (() => {
      try {
        readWorkerConfig({
          TENCENTCLOUD_SECRET_KEY: 'super-secret-key-value-123456',
          TENCENT_BATCH_API_RATE_LIMITS: 'RetryJobs=fast',
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
    expect(problems).toMatch(/TENCENT_BATCH_API_RATE_LIMITS: RetryJobs must be requests per second/);
    expect(problems).toMatch(/three different queues/);
    expect(problems).toMatch(/TENCENT_BATCH_ESCALATION_WEBHOOK_URL/);
    const shown = `${String(err)} ${inspect(err)} ${JSON.stringify(err)}`;
    expect(shown).not.toContain('super-secret-key-value-123456');
    expect(shown).not.toContain('with-token-42');
  });

  it('runs the API budget on a queue of its own, never one of the recovery queues', () => {
    expect(
      readWorkerConfig({ ...valid, TENCENT_BATCH_API_BUDGET_TASK_QUEUE: 'team-a-budget' }).apiBudgetTaskQueue,
    ).toBe('team-a-budget');
    expect(() =>
      readWorkerConfig({
        ...valid,
        TENCENT_BATCH_RECOVERY_TASK_QUEUE: 'team-a',
        TENCENT_BATCH_API_BUDGET_TASK_QUEUE: 'team-a',
      }),
    ).toThrow(/TENCENT_BATCH_API_BUDGET_TASK_QUEUE must differ from the recovery task queues/);
  });

  it("takes the Chinese docs' limits as a preset, and per-action overrides over either preset", () => {
    const china = readWorkerConfig({ ...valid, TENCENT_BATCH_API_RATE_LIMITS: 'china-docs' }).apiRateLimits;
    expect([china.RetryJobs, china.DescribeJob, china.DescribeJobs]).toEqual([10, 50, 10]);
    const mixed = readWorkerConfig({
      ...valid,
      TENCENT_BATCH_API_RATE_LIMITS: 'china-docs, RetryJobs=5',
    }).apiRateLimits;
    expect([mixed.RetryJobs, mixed.DescribeJob]).toEqual([5, 50]);
    const own = readWorkerConfig({ ...valid, TENCENT_BATCH_API_RATE_LIMITS: 'DescribeJobs=4' }).apiRateLimits;
    expect([own.DescribeJobs, own.RetryJobs]).toEqual([4, 2]);
  });

  it('refuses unknown actions and the removed per-queue variables, saying what replaces them', () => {
    expect(() => readWorkerConfig({ ...valid, TENCENT_BATCH_API_RATE_LIMITS: 'Describe=4' })).toThrow(
      /"Describe=4" is not Action=N with Action one of DescribeJobs/,
    );
    expect(() => readWorkerConfig({ ...valid, TENCENT_BATCH_RETRY_JOBS_RPS: '10' })).toThrow(
      /TENCENT_BATCH_RETRY_JOBS_RPS was removed: set TENCENT_BATCH_API_RATE_LIMITS/,
    );
  });
});
