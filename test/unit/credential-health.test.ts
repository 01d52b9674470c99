import { ApplicationFailure, noopMetricMeter, type Logger } from '@temporalio/common';
import { CredentialsUnavailableError, sdkCredentialSource } from '../../src/batch/credential-source';
import { CredentialHealth } from '../../src/runtime/credential-health';
import { healthReport } from '../../src/runtime/health';

const running = [{ options: { taskQueue: 'q' }, getState: () => 'RUNNING' as const }];

function apiFailure(code: string, requestId?: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: code,
    type: 'TencentBatchSomething',
    details: [{ code, action: 'DescribeJobs', ...(requestId ? { requestId } : {}) }],
  });
}

function healthWithLog(): { health: CredentialHealth; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const logger = {
    log: log('LOG'),
    trace: log('TRACE'),
    debug: log('DEBUG'),
    info: log('INFO'),
    warn: log('WARN'),
    error: log('ERROR'),
  } as Logger;
  return {
    health: new CredentialHealth(
      { kind: 'profile', description: 'a profile file' },
      { logger, meter: noopMetricMeter },
    ),
    lines,
  };
}

describe('credential health', () => {
  it('is healthy before any call and after an accepted one', () => {
    const { health } = healthWithLog();
    expect(healthReport(running, health)).toMatchObject({
      status: 'ok',
      credentials: { status: 'unverified', source: 'profile' },
    });
    health.recordAccepted();
    expect(healthReport(running, health)).toMatchObject({ status: 'ok', credentials: { status: 'ok' } });
  });

  it('turns /healthz unavailable on an AuthFailure, logged once however many calls are refused', () => {
    const { health, lines } = healthWithLog();
    for (let i = 0; i < 3; i++)
      health.recordFailure(apiFailure('AuthFailure.SecretIdNotFound', `req-${i}`), 'DescribeJobs');
    expect(healthReport(running, health)).toMatchObject({
      status: 'unavailable',
      credentials: {
        status: 'refused',
        code: 'AuthFailure.SecretIdNotFound',
        action: 'DescribeJobs',
        requestId: 'req-2',
      },
    });
    expect(lines.filter((l) => l.startsWith('ERROR'))).toHaveLength(1);
  });

  it('recovers on the next answer from the API, even an error that is not about credentials', () => {
    const { health, lines } = healthWithLog();
    health.recordFailure(apiFailure('AuthFailure.SignatureFailure', 'r1'), 'RetryJobs');
    health.recordFailure(apiFailure('NETWORK'), 'RetryJobs');
    expect(health.healthy).toBe(false);
    health.recordFailure(apiFailure('ResourceNotFound.Job', 'r2'), 'RetryJobs');
    expect(health.healthy).toBe(true);
    expect(lines).toContain('INFO Tencent Cloud accepts the credentials again: work resumes');
  });

  it('does not count a permission refusal (UnauthorizedOperation) as refused credentials', () => {
    const { health } = healthWithLog();
    health.recordFailure(apiFailure('AuthFailure.UnauthorizedOperation', 'r1'), 'RetryJobs');
    expect(health.report().status).toBe('ok');
  });

  it('reports a source that has no credentials as unavailable', async () => {
    const { health } = healthWithLog();
    const source = health.watchSource(
      sdkCredentialSource('cvm-role', 'a role', {
        getCredential: () => Promise.reject(new Error('metadata down')),
      }),
    );
    await expect(source.current()).rejects.toThrow(CredentialsUnavailableError);
    expect(healthReport(running, health)).toMatchObject({
      status: 'unavailable',
      credentials: { status: 'unavailable', code: 'CredentialsUnavailable' },
    });
  });
});
