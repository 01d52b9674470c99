/**
 * Workflow histories as the secrets scan reads them (test/support/secrets-scan.ts): every run a visibility query
 * lists, fetched a few at a time, each event as the protobuf bytes the server keeps, payloads undecoded.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mapConcurrently } from '../../bench/lib/concurrency';
import type { ScannedContent } from './secrets-scan';

/** Histories fetched at once: quick, without crowding a server that other test files share. */
const CONCURRENT_FETCHES = 8;

/** Every run `query` lists (each run of a workflow that continued as new is listed on its own). */
export async function listRuns(client: Client, query?: string): Promise<WorkflowExecutionInfo[]> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const run of client.workflow.list(query === undefined ? {} : { query })) runs.push(run);
  return runs;
}

/** Each event of each run's history, named by workflow, run and event. */
export async function historyEvents(
  client: Client,
  runs: readonly WorkflowExecutionInfo[],
): Promise<ScannedContent[]> {
  const perRun = await mapConcurrently(runs, CONCURRENT_FETCHES, async (run) => {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const namespace = client.options.namespace === 'default' ? '' : `, namespace ${client.options.namespace}`;
    const name = `workflow ${run.workflowId} run ${run.runId} (${run.type}, task queue ${run.taskQueue}${namespace})`;
    return (history.events ?? []).map((event) => ({
      where: `history of ${name}, event ${String(event.eventId)} ${eventTypeName(event.eventType)}`,
      content: temporal.api.history.v1.HistoryEvent.encode(event).finish(),
    }));
  });
  return perRun.flat();
}

function eventTypeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  return (temporal.api.enums.v1.EventType[type ?? 0] ?? String(type)).replace(/^EVENT_TYPE_/, '');
}
