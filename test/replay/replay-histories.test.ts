/**
 * Determinism guard: every recorded history in test/fixtures/histories must replay against today's workflow
 * code. A change that reorders or drops workflow commands fails here, before it breaks running workflows; guard
 * such a change with `patched()` instead of re-recording.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORY_FIXTURES_DIR } from '../support/record-history';
import { workflowBundle } from '../helpers/temporal';

const fixtures = readdirSync(HISTORY_FIXTURES_DIR).filter((f) => f.endsWith('.pb'));

describe('recorded histories', () => {
  it('include the main paths (success after retries, escalation and decision, lost answer, worker kill, continue-as-new, cancellation)', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
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
