/**
 * The worker process refuses to start on a namespace without the package's search attributes (or with other
 * types), naming the commands that create them; once those commands have run, it starts. Real dev server,
 * namespaces of their own.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from '../../src/devenv/temporal-binaries';
import { devServerAddress, devServerEnv, waitFor } from '../helpers/temporal';
import { perTestResources, uniqueQueues } from '../support/e2e-kit';
import { readHealth, startWorkerProcess, type WorkerProcess } from '../support/worker-process-kit';

const { KEYWORD_LIST, TEXT } = {
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
};

let env: TestWorkflowEnvironment;
const { emulator, track } = perTestResources();

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A fresh namespace with `searchAttributes` (name → type) registered, once the server serves it. */
async function namespaceWith(
  searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType>,
): Promise<string> {
  const namespace = `ns-setup-${randomUUID().slice(0, 8)}`;
  await env.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  await waitFor(
    async () => {
      try {
        await env.connection.operatorService.listSearchAttributes({ namespace });
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 20_000, description: `namespace ${namespace} to be served` },
  );
  if (Object.keys(searchAttributes).length > 0) {
    await env.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  }
  return namespace;
}

/** Runs the CLI commands the worker printed (lines starting `temporal `) against the run's dev server. */
async function runPrintedCommands(output: string): Promise<number> {
  const binary = await resolveTemporalCli();
  if (binary.executable.type !== 'existing-path') throw new Error('no Temporal CLI binary');
  const commands = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('temporal operator search-attribute create '));
  for (const command of commands) {
    const args = command.split(/\s+/).slice(1);
    await promisify(execFile)(binary.executable.path, [...args, '--address', devServerAddress()], {
      env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    });
  }
  return commands.length;
}

/** Waits until `/healthz` answers 200: the namespace check passed and every worker polls. */
async function untilHealthy(w: WorkerProcess): Promise<void> {
  await waitFor(
    async () => {
      const health = await readHealth(w.healthUrl);
      return health !== 'closed' && health.status === 200;
    },
    { timeoutMs: 30_000, description: 'every worker to be RUNNING', intervalMs: 200 },
  );
}

async function workerOn(namespace: string): Promise<WorkerProcess> {
  const w = await startWorkerProcess(await emulator(), uniqueQueues(), { TEMPORAL_NAMESPACE: namespace });
  track(w.child);
  return w;
}

describe('the worker process on a namespace', () => {
  it('without the search attributes exits non-zero, naming the commands that create them', async () => {
    const namespace = await namespaceWith({});
    const w = await workerOn(namespace);
    const exit = await w.child.exited;
    expect(exit.code).not.toBe(0);
    const output = w.child.output();
    expect(output).toContain(
      `temporal operator search-attribute create --namespace ${namespace} --name TencentBatchJobIds --type KeywordList`,
    );
    expect(output).toContain(
      `temporal operator search-attribute create --namespace ${namespace} --name TencentBatchRecoveryState --type Keyword`,
    );
    expect(output).toContain(
      `tcld namespace search-attributes add --namespace ${namespace} --search-attribute "TencentBatchJobIds=KeywordList" --search-attribute "TencentBatchRecoveryState=Keyword"`,
    );

    // The commands as printed create what the worker needs: it then starts.
    expect(await runPrintedCommands(output)).toBe(2);
    await untilHealthy(await workerOn(namespace));
  }, 90_000);

  it('with a search attribute of another type exits non-zero and says which', async () => {
    const namespace = await namespaceWith({
      TencentBatchJobIds: KEYWORD_LIST,
      TencentBatchRecoveryState: TEXT,
    });
    const w = await workerOn(namespace);
    expect((await w.child.exited).code).not.toBe(0);
    expect(w.child.output()).toContain(
      'search attribute TencentBatchRecoveryState has type Text, expected Keyword',
    );
    expect(w.child.output()).not.toContain('TencentBatchJobIds (KeywordList) is missing');
  }, 60_000);
});
