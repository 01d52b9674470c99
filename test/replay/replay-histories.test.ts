/**
 * Determinism guard: every recorded history in test/fixtures/histories must replay against today's workflow
 * code. A change that reorders or drops workflow commands fails here, before it breaks running workflows. Until
 * the first release no deployment has histories to protect, so such a change re-records the fixtures
 * (RECORD_HISTORIES=1); from the first release on it is guarded with `patched()` or Worker Versioning instead,
 * and the released fixtures stay (see the README's "Versioning").
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORY_FIXTURES_DIR } from '../support/record-history';
import { workflowBundle } from '../helpers/temporal';

const fixtures = readdirSync(HISTORY_FIXTURES_DIR).filter((f) => f.endsWith('.pb'));

/** One fixture at least for every workflow type and every way a recovery ends or moves on. */
const REQUIRED_FIXTURES = [
  'ts-five-hour-wait', // recovery: a long wait through the job watcher
  'ts-escalate-then-retry-decision', // escalation, then an operator's decision
  'ts-cancelled', // cancellation
  'ts-continue-as-new-first-run', // continue-as-new, both runs
  'ts-continue-as-new-last-run',
  'ts-job-watcher', // the job watcher
  'dispatcher-burst', // the RetryJobs dispatcher
  'e2e-retry-escalate-abandon', // real API: retry, escalation, ABANDON
  'e2e-apply-then-drop', // real API: an answer lost after RetryJobs applied
  'e2e-worker-killed-mid-retry', // real API: worker killed during RetryJobs
  'e2e-retry-dispatcher',
  'e2e-watched-owner',
  'e2e-api-budget', // the Tencent API budget, with a refusal
];

describe('recorded histories', () => {
  it.each(REQUIRED_FIXTURES)('include %s', (name) => {
    expect(fixtures).toContain(`${name}.pb`);
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.decode(
      readFileSync(path.join(HISTORY_FIXTURES_DIR, file)),
    );
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(require.resolve('../../src/workflows')) },
      history,
      path.basename(file, '.pb'),
    );
  });
});
