/**
 * The chaos run's verdict (bench/chaos/chaos-audit.ts) must catch what it is there to catch: a chaos run that
 * reports zeros is only worth something if a lost job, a failure retried twice or a retry beyond the budget would
 * not have been zeros.
 */
import type { EmulatedJob, LedgerEntry } from '../../src/emulator';
import type { JobStatus, RecoverBatchJobsResult } from '../../src/shared/recovery-types';
import { auditChaosRun, type AuditedWorkflow } from '../../bench/chaos/chaos-audit';
import { expectedJob, failuresOf, planChaos, scriptOf, type PlannedJob } from '../../bench/chaos/chaos-plan';
import { faultRules, resolveChaosOptions } from '../../bench/chaos/chaos-options';
import { findSecrets, secretsOf } from '../support/secrets-scan';

const MAX_RETRIES = 2;

function job(failures: number): PlannedJob {
  return {
    scenario: failures === 0 ? 'succeeds' : failures > MAX_RETRIES ? 'exceeds-budget' : 'fails-once',
    failures,
    script: scriptOf(failures, 60),
    expected: expectedJob(failures, MAX_RETRIES),
  };
}

/** The run's clock: the owners observe at T0, the API applies retries from T0 + 1 s on. */
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A job's end, with the failures (EndTimes) its owner observed, each at `observedAtMs`. */
function status(
  jobId: string,
  outcome: JobStatus['outcome'],
  retries: number,
  observed: string[],
  observedAtMs = T0,
): JobStatus {
  return {
    jobId,
    phase: 'DONE',
    outcome,
    retries,
    retriesLeft: MAX_RETRIES - retries,
    lastStateChangeAt: '2026-01-01T00:00:00Z',
    repeatedFailures: 0,
    timeline: observed.map((endTime) => ({
      at: new Date(observedAtMs).toISOString(),
      event: 'STATE_CHANGED',
      detail: `RUNNING → FAILED (EndTime ${endTime})`,
    })),
    timelineDropped: 0,
  };
}

function result(overall: RecoverBatchJobsResult['overall'], jobs: JobStatus[]): RecoverBatchJobsResult {
  return { overall, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z', jobs };
}

let seq = 0;
function retryEntry(retried: { jobId: string; failureEndTime: string }[], outcome = 'ok'): LedgerEntry {
  seq += 1;
  return {
    seq,
    at: T0 + seq * 1000,
    action: 'RetryJobs',
    params: {},
    outcome,
    requestId: `r-${seq}`,
    admitted: true,
    appliedEffects: { retried },
  };
}

/** One failing-once job and one beyond-budget job, both right in the emulator unless a test says otherwise. */
const flaky = 'job-aaaaaaa1';
const broken = 'job-aaaaaaa2';
const workflow: AuditedWorkflow = {
  planned: { index: 0, jobs: [job(1), job(3)] },
  jobIds: [flaky, broken],
  workflowId: 'wf-0',
  result: result('NEEDS_ATTENTION', [
    status(flaky, 'SUCCEEDED', 1, ['t1']),
    status(broken, 'ESCALATED', 2, ['t1', 't2']),
  ]),
};
const rightLedger = [
  retryEntry([{ jobId: flaky, failureEndTime: 't1' }]),
  retryEntry([{ jobId: broken, failureEndTime: 't1' }]),
  retryEntry([{ jobId: broken, failureEndTime: 't2' }]),
];
const rightStates = (jobId: string): Pick<EmulatedJob, 'state' | 'retries'> =>
  jobId === flaky ? { state: 'SUCCEED', retries: 1 } : { state: 'FAILED', retries: 2 };

describe('the chaos audit', () => {
  it('finds nothing wrong in a run where every job ended as scripted', () => {
    const audit = auditChaosRun([workflow], rightLedger, rightStates);
    expect(audit).toMatchObject({
      jobs: 2,
      lost: 0,
      duplicateRetries: 0,
      wrongOutcomes: 0,
      retriesOfUnobservedFailures: 0,
      appliedRetries: 3,
    });
    expect(audit.violations).toEqual([]);
  });

  it('counts every job of a workflow without a result as lost', () => {
    const { result: _result, ...noResult } = workflow;
    const audit = auditChaosRun([{ ...noResult, failure: 'did not finish' }], rightLedger, rightStates);
    expect(audit).toMatchObject({ lost: 2, lostWorkflows: 1 });
    expect(audit.violations).toEqual([
      { kind: 'lost', workflowId: 'wf-0', jobIds: [flaky, broken], why: 'did not finish' },
    ]);
  });

  it('counts a second RetryJobs applied to the same failure as a duplicate, with its ledger lines', () => {
    const ledger = [
      ...rightLedger,
      retryEntry([{ jobId: flaky, failureEndTime: 't1' }], 'fault:apply-then-drop'),
    ];
    const audit = auditChaosRun([workflow], ledger, rightStates);
    expect(audit.duplicateRetries).toBe(1);
    expect(audit.violations).toContainEqual(
      expect.objectContaining({ kind: 'duplicate-retry', jobId: flaky, failureEndTime: 't1' }),
    );
  });

  it("flags a retry that landed on a failure its owner had not observed yet: a repeated call on the job's next failure", () => {
    // The first call's answer was lost and the job failed again at once (t2); a retried attempt that did not
    // compare EndTimes retried t2 (at T0 + 4 s) before the owner read it. Each (job, EndTime) was retried once, so
    // the duplicate count sees nothing.
    const ledger = [...rightLedger, retryEntry([{ jobId: flaky, failureEndTime: 't2' }])];
    const states = (jobId: string): Pick<EmulatedJob, 'state' | 'retries'> =>
      jobId === flaky ? { state: 'SUCCEED', retries: 2 } : { state: 'FAILED', retries: 2 };
    /** The run, with the flaky job's owner having observed t2 at `t2ObservedAtMs` (or never). */
    const audit = (t2ObservedAtMs?: number) => {
      const flakyJob = status(flaky, 'SUCCEEDED', 2, ['t1']);
      if (t2ObservedAtMs !== undefined) {
        flakyJob.timeline.push(...status(flaky, 'SUCCEEDED', 2, ['t2'], t2ObservedAtMs).timeline);
      }
      const jobs = [flakyJob, status(broken, 'ESCALATED', 2, ['t1', 't2'])];
      return auditChaosRun([{ ...workflow, result: result('NEEDS_ATTENTION', jobs) }], ledger, states);
    };
    for (const observedAt of [undefined, T0 + 60_000]) {
      const found = audit(observedAt);
      expect(found.duplicateRetries).toBe(0);
      expect(found.retriesOfUnobservedFailures).toBe(1);
      expect(found.violations).toContainEqual(
        expect.objectContaining({ kind: 'unobserved-retry', jobId: flaky, failureEndTime: 't2' }),
      );
    }
    // Observed before the call landed: the policy decided that retry, no violation.
    expect(audit(T0 + 2_000).retriesOfUnobservedFailures).toBe(0);
  });

  it('flags a retry beyond the budget, which turns an escalation into a success', () => {
    const overBudget = {
      ...workflow,
      result: result('SUCCEEDED', [
        status(flaky, 'SUCCEEDED', 1, ['t1']),
        status(broken, 'SUCCEEDED', 3, ['t1', 't2', 't3']),
      ]),
    };
    const ledger = [...rightLedger, retryEntry([{ jobId: broken, failureEndTime: 't3' }])];
    const audit = auditChaosRun([overBudget], ledger, (id) =>
      id === flaky ? { state: 'SUCCEED', retries: 1 } : { state: 'SUCCEED', retries: 3 },
    );
    // The job, and the workflow's overall result.
    expect(audit.wrongOutcomes).toBe(2);
    expect(audit.violations).toContainEqual(
      expect.objectContaining({
        kind: 'wrong-outcome',
        jobId: broken,
        problems: expect.arrayContaining(['ledger shows 3 RetryJobs applied, expected 2']),
      }),
    );
  });

  it("flags a credential found in a history or in a worker's output, naming the place and not the secret", () => {
    const secrets = secretsOf([
      { secretId: 'AKIDchaosAuditTest000000000000000000', secretKey: 'chaos-key-0123456789' },
    ]);
    const found = {
      inHistories: findSecrets(
        [
          {
            where: 'history of workflow wf-0, event 5',
            content: '{"signedBy":"AKIDchaosAuditTest000000000000000000"}',
          },
        ],
        secrets,
      ),
      inWorkerOutput: findSecrets(
        [{ where: 'output of worker 0 pid 42', content: 'key chaos-key-0123456789\n' }],
        secrets,
      ),
    };
    const audit = auditChaosRun([workflow], rightLedger, rightStates, found);
    expect(audit.secretLeaks).toBe(2);
    expect(audit.violations).toEqual([
      {
        kind: 'secret-in-history',
        credential: 'SecretId',
        secret: 'AKID… (36 chars)',
        form: 'plain',
        where: 'history of workflow wf-0, event 5, line 1',
      },
      {
        kind: 'secret-in-worker-output',
        credential: 'SecretKey',
        secret: 'chao… (20 chars)',
        form: 'plain',
        where: 'output of worker 0 pid 42, line 1',
      },
    ]);
  });
});

describe('the chaos plan', () => {
  it('draws the asked number of workflows, kills and restarts, the same for the same seed', () => {
    const options = resolveChaosOptions({
      workflows: 30,
      workerKills: 4,
      serverRestarts: 1,
      startWindowMs: 30_000,
    });
    const plan = planChaos(options);
    expect(plan.workflows).toHaveLength(30);
    expect(plan.events.filter((e) => e.kind === 'kill-worker')).toHaveLength(4);
    expect(plan.events.filter((e) => e.kind === 'restart-server')).toHaveLength(1);
    expect(plan.events.map((e) => e.atMs)).toEqual([...plan.events.map((e) => e.atMs)].sort((a, b) => a - b));
    expect(planChaos(options)).toEqual(plan);
  });

  it('scripts a beyond-budget job to succeed on the very next retry, so one retry too many would show', () => {
    const failures = failuresOf('exceeds-budget', MAX_RETRIES);
    expect(scriptOf(failures, 60).attempts?.map((a) => a.outcome)).toEqual([
      'FAILED',
      'FAILED',
      'FAILED',
      'SUCCEED',
    ]);
    expect(expectedJob(failures, MAX_RETRIES)).toEqual({
      outcome: 'ESCALATED',
      retries: 2,
      finalState: 'FAILED',
    });
  });

  it('spreads the fault rate over the fault kinds so that the chance of any fault is the rate', () => {
    const rules = faultRules(0.2);
    const noFault = rules.reduce((p, rule) => p * (1 - (rule.probability ?? 1)), 1);
    expect(1 - noFault).toBeCloseTo(0.2, 10);
    expect(faultRules(0)).toEqual([]);
  });
});
