import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Where replay fixtures live; test/replay replays every file in it. */
export const HISTORY_FIXTURES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * With RECORD_HISTORIES=1, saves the workflow's history as a replay fixture named `name`. The fixtures pin what
 * running workflows have recorded: before the first release they are re-recorded with the code; after it, a
 * change to released histories is guarded (`patched()` or Worker Versioning) and the released fixtures stay.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  // Binary protobuf: the JSON converter trips over jest's module registry, and bytes replay exactly.
  writeFileSync(
    path.join(HISTORY_FIXTURES_DIR, `${name}.pb`),
    temporal.api.history.v1.History.encode(history).finish(),
  );
}
