/**
 * The verdict of a chaos run, from the two sources of truth: the workflows' results and the emulator (its request
 * ledger and its jobs' final states). Pure, so that test/chaos can check that it catches what it must.
 *
 * - lost: a job whose workflow never returned a result (failed, not started, or still open at the deadline), or
 *   that is missing from its workflow's result;
 * - duplicate retries: RetryJobs applied more than once to one failure, a (jobId, failure EndTime) pair of the
 *   ledger's `appliedEffects.retried` (each extra application counts one);
 * - wrong outcomes: a job whose result (outcome, retries), ledger (RetryJobs applied) or emulator state differs
 *   from its script's expectation, and a workflow whose `overall` is wrong;
 * - retries of unobserved failures: RetryJobs applied to a failure the job's owner had not observed when the call
 *   landed (test/support/retry-audit.ts): how a repeated or stale call really shows, on the job's next failure;
 * - secrets: a SecretId, SecretKey or session token of the workers in a history or a worker's output
 *   (chaos-secrets.ts finds them; the audit counts them).
 */
import type { EmulatedJob, LedgerEntry } from '../../src/emulator';
import type { RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import type { ExpectedJob, PlannedWorkflow } from './chaos-plan';
import { retriesOfUnobservedFailures, type UnobservedRetry } from '../../test/support/retry-audit';
import type { SecretFinding } from '../../test/support/secrets-scan';
import type { ChaosSecretFindings } from './chaos-secrets';
import { countBy } from './count-by';

/** A workflow as the audit needs it. */
export interface AuditedWorkflow {
  planned: Pick<PlannedWorkflow, 'index' | 'jobs'>;
  jobIds: readonly string[];
  workflowId?: string;
  result?: RecoverBatchJobsResult;
  failure?: string;
}

/** One applied RetryJobs of one job, from the ledger. */
export interface LedgerRetry {
  seq: number;
  at: number;
  requestId: string;
  /** 'ok', or the fault under which it was applied (the answer was lost). */
  outcome: string;
  failureEndTime: string;
}

/** Evidence of one broken invariant. */
export type ChaosViolation =
  | { kind: 'lost'; workflowId?: string; jobIds: string[]; why: string }
  | { kind: 'duplicate-retry'; jobId: string; failureEndTime: string; applied: LedgerRetry[] }
  | {
      kind: 'wrong-outcome';
      workflowId?: string;
      jobId: string;
      scenario: string;
      expected: ExpectedJob;
      problems: string[];
      ledgerRetries: LedgerRetry[];
    }
  | { kind: 'wrong-overall'; workflowId?: string; expected: string; actual: string }
  | ({ kind: 'unobserved-retry'; workflowId?: string } & UnobservedRetry)
  | ({ kind: 'secret-in-history' | 'secret-in-worker-output' } & SecretLeak);

/** A secret found, as a violation shows it (never the secret itself: see redactSecret). */
export type SecretLeak = { credential: SecretFinding['kind'] } & Omit<SecretFinding, 'kind'>;

/** What the audit found. */
export interface ChaosAudit {
  jobs: number;
  /** Jobs lost (see the module comment). */
  lost: number;
  /** Workflows without a result. */
  lostWorkflows: number;
  duplicateRetries: number;
  wrongOutcomes: number;
  /** Retries the API applied to a failure its owner had not observed yet (a duplicate in real life). */
  retriesOfUnobservedFailures: number;
  /** Places a credential of the workers was found (chaos-secrets.ts). */
  secretLeaks: number;
  violations: ChaosViolation[];
  /** RetryJobs requests by ledger outcome ('ok', an error code, 'fault:<kind>'). */
  retryJobsRequests: Record<string, number>;
  /** Job retries the API applied (one per job per applied RetryJobs). */
  appliedRetries: number;
  /** Requests answered with an injected fault, in all and by kind. */
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  faultsByAction: Record<string, number>;
}

/**
 * Audits a finished run. `emulatorJob` reads a job's state from the emulator now; `secrets` is what
 * chaos-secrets.ts found.
 */
export function auditChaosRun(
  workflows: readonly AuditedWorkflow[],
  ledger: readonly LedgerEntry[],
  emulatorJob: (jobId: string) => Pick<EmulatedJob, 'state' | 'retries'> | undefined,
  secrets: ChaosSecretFindings = { inHistories: [], inWorkerOutput: [] },
): ChaosAudit {
  const retries = appliedRetriesByJob(ledger);
  const violations: ChaosViolation[] = [
    ...workflows.flatMap((wf) => lostJobs(wf)),
    ...duplicateRetries(retries),
    ...workflows.flatMap((wf) => wrongOutcomes(wf, retries, emulatorJob)),
    ...workflows.flatMap((wf) =>
      retriesOfUnobservedFailures(wf.result?.jobs ?? [], (jobId) => retries.get(jobId) ?? []).map(
        (retry): ChaosViolation => ({ kind: 'unobserved-retry', workflowId: wf.workflowId, ...retry }),
      ),
    ),
    ...secrets.inHistories.map(({ kind, ...f }): ChaosViolation => ({
      kind: 'secret-in-history',
      credential: kind,
      ...f,
    })),
    ...secrets.inWorkerOutput.map(({ kind, ...f }): ChaosViolation => ({
      kind: 'secret-in-worker-output',
      credential: kind,
      ...f,
    })),
  ];
  const faults = ledger.filter((e) => e.outcome.startsWith('fault:'));
  return {
    jobs: workflows.reduce((n, wf) => n + wf.jobIds.length, 0),
    lost: sumOf(violations, (v) => (v.kind === 'lost' ? v.jobIds.length : 0)),
    lostWorkflows: workflows.filter((wf) => wf.result === undefined).length,
    duplicateRetries: sumOf(violations, (v) => (v.kind === 'duplicate-retry' ? v.applied.length - 1 : 0)),
    wrongOutcomes: violations.filter((v) => v.kind === 'wrong-outcome' || v.kind === 'wrong-overall').length,
    retriesOfUnobservedFailures: violations.filter((v) => v.kind === 'unobserved-retry').length,
    secretLeaks: secrets.inHistories.length + secrets.inWorkerOutput.length,
    violations,
    retryJobsRequests: countBy(
      ledger.filter((e) => e.action === 'RetryJobs'),
      (e) => e.outcome,
    ),
    appliedRetries: [...retries.values()].reduce((n, list) => n + list.length, 0),
    faultsInjected: faults.length,
    faultsByKind: countBy(faults, (e) => e.outcome.slice('fault:'.length)),
    faultsByAction: countBy(faults, (e) => e.action),
  };
}

/** Every applied retry in the ledger, by job. */
function appliedRetriesByJob(ledger: readonly LedgerEntry[]): Map<string, LedgerRetry[]> {
  const byJob = new Map<string, LedgerRetry[]>();
  for (const entry of ledger) {
    for (const retry of entry.appliedEffects?.retried ?? []) {
      const list = byJob.get(retry.jobId) ?? [];
      list.push({
        seq: entry.seq,
        at: entry.at,
        requestId: entry.requestId,
        outcome: entry.outcome,
        failureEndTime: retry.failureEndTime,
      });
      byJob.set(retry.jobId, list);
    }
  }
  return byJob;
}

function lostJobs(wf: AuditedWorkflow): ChaosViolation[] {
  if (!wf.result) {
    return [
      { kind: 'lost', workflowId: wf.workflowId, jobIds: [...wf.jobIds], why: wf.failure ?? 'no result' },
    ];
  }
  const reported = new Set(wf.result.jobs.map((j) => j.jobId));
  const missing = wf.jobIds.filter((id) => !reported.has(id));
  return missing.length === 0
    ? []
    : [{ kind: 'lost', workflowId: wf.workflowId, jobIds: missing, why: 'missing from the result' }];
}

function duplicateRetries(retries: ReadonlyMap<string, LedgerRetry[]>): ChaosViolation[] {
  const violations: ChaosViolation[] = [];
  for (const [jobId, list] of retries) {
    const byFailure = new Map<string, LedgerRetry[]>();
    for (const retry of list)
      byFailure.set(retry.failureEndTime, [...(byFailure.get(retry.failureEndTime) ?? []), retry]);
    for (const [failureEndTime, applied] of byFailure) {
      if (applied.length > 1) violations.push({ kind: 'duplicate-retry', jobId, failureEndTime, applied });
    }
  }
  return violations;
}

function wrongOutcomes(
  wf: AuditedWorkflow,
  retries: ReadonlyMap<string, LedgerRetry[]>,
  emulatorJob: (jobId: string) => Pick<EmulatedJob, 'state' | 'retries'> | undefined,
): ChaosViolation[] {
  const result = wf.result;
  if (!result) return [];
  const violations: ChaosViolation[] = [];
  for (const [i, jobId] of wf.jobIds.entries()) {
    const planned = wf.planned.jobs[i];
    const reported = result.jobs.find((j) => j.jobId === jobId);
    if (!planned || !reported) continue;
    const ledgerRetries = retries.get(jobId) ?? [];
    const problems = jobProblems(planned.expected, reported, ledgerRetries.length, emulatorJob(jobId));
    if (problems.length > 0) {
      violations.push({
        kind: 'wrong-outcome',
        workflowId: wf.workflowId,
        jobId,
        scenario: planned.scenario,
        expected: planned.expected,
        problems,
        ledgerRetries,
      });
    }
  }
  const expectedOverall = wf.planned.jobs.every((j) => j.expected.outcome === 'SUCCEEDED')
    ? 'SUCCEEDED'
    : 'NEEDS_ATTENTION';
  if (result.overall !== expectedOverall) {
    violations.push({
      kind: 'wrong-overall',
      workflowId: wf.workflowId,
      expected: expectedOverall,
      actual: result.overall,
    });
  }
  return violations;
}

/** Every way a job's end differs from what its script implies; empty when it is right. */
function jobProblems(
  expected: ExpectedJob,
  reported: RecoverBatchJobsResult['jobs'][number],
  ledgerRetries: number,
  emulated: Pick<EmulatedJob, 'state' | 'retries'> | undefined,
): string[] {
  const problems: string[] = [];
  if (reported.outcome !== expected.outcome) {
    problems.push(`result outcome ${reported.outcome ?? 'none'}, expected ${expected.outcome}`);
  }
  if (reported.retries !== expected.retries) {
    problems.push(`result retries ${reported.retries}, expected ${expected.retries}`);
  }
  if (ledgerRetries !== expected.retries) {
    problems.push(`ledger shows ${ledgerRetries} RetryJobs applied, expected ${expected.retries}`);
  }
  if (emulated?.state !== expected.finalState) {
    problems.push(`emulator state ${emulated?.state ?? 'missing'}, expected ${expected.finalState}`);
  }
  if (emulated && emulated.retries !== expected.retries) {
    problems.push(`emulator counted ${emulated.retries} retries, expected ${expected.retries}`);
  }
  return problems;
}

function sumOf<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((sum, item) => sum + value(item), 0);
}
