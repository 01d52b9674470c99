import { createHash } from 'node:crypto';
import { InvalidRecoveryInputError, recoveryWorkflowId } from '../../src/client';

describe('recoveryWorkflowId', () => {
  it('maps the same job set to the same ID whatever the order and duplicates', () => {
    expect(recoveryWorkflowId(['job-bbbbbbbb', 'job-aaaaaaaa', 'job-bbbbbbbb'])).toBe(
      recoveryWorkflowId(['job-aaaaaaaa', 'job-bbbbbbbb']),
    );
  });

  it('is the documented prefix and the first 16 hex digits of the sha256 of the sorted IDs joined by commas', () => {
    const digest = createHash('sha256').update('job-aaaaaaaa,job-bbbbbbbb').digest('hex').slice(0, 16);
    expect(recoveryWorkflowId(['job-bbbbbbbb', 'job-aaaaaaaa'])).toBe(`tencent-batch-recovery-${digest}`);
  });

  it('gives different job sets different IDs', () => {
    expect(recoveryWorkflowId(['job-aaaaaaaa'])).not.toBe(
      recoveryWorkflowId(['job-aaaaaaaa', 'job-bbbbbbbb']),
    );
  });

  it('puts a scope between the prefix and the hash', () => {
    expect(recoveryWorkflowId(['job-aaaaaaaa'], { scope: 'nightly-etl' })).toMatch(
      /^tencent-batch-recovery-nightly-etl-[0-9a-f]{16}$/,
    );
  });

  it('lists every malformed job ID and a bad scope in one error', () => {
    let error: unknown;
    try {
      recoveryWorkflowId(['job-aaaaaaaa', 'job-1', 'JOB-BBBBBBBB'], { scope: 'has space' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidRecoveryInputError);
    expect((error as InvalidRecoveryInputError).problems).toEqual([
      expect.stringContaining('jobIds[1]="job-1"'),
      expect.stringContaining('jobIds[2]="JOB-BBBBBBBB"'),
      expect.stringContaining('scope "has space"'),
    ]);
  });
});
