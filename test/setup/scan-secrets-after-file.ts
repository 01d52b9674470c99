/**
 * After each test file of the server projects (jest.config.js `setupFilesAfterEnv`): no Tencent Cloud credential
 * the file handed out (test/helpers/test-file-footprint.ts: every emulator key, issued and rotated ones included, and
 * every key in a child process's environment) appears in the history of a workflow the file ran — every run on the
 * file's task queues, the package's helper workflows (job watcher, RetryJobs dispatcher, API budget) included — or
 * in what its workers printed (its child processes, its in-process workers' log). A file that handed out no
 * credential (unit tests) costs nothing.
 *
 * The hook runs before the file's own `afterAll` hooks: processes those stop are read as they are then.
 */
import { testFileFootprint } from '../helpers/test-file-footprint';
import { describeSecretFindings, findSecrets, secretsOf, type ScannedContent } from '../support/secrets-scan';

/** Workflows of the file started after it did; a minute of slack for the server's clock. */
const fileStartedAt = new Date(Date.now() - 60_000);

/** Listing and fetching a file's histories takes a second or two; this is room for a loaded machine. */
const SCAN_TIMEOUT_MS = 60_000;

afterAll(async () => {
  const footprint = testFileFootprint();
  const secrets = secretsOf(footprint.credentials);
  if (secrets.length === 0) return;
  const contents: ScannedContent[] = footprint.outputs.map((o) => ({
    where: `output of ${o.name}`,
    content: o.output(),
  }));
  if (footprint.taskQueuePrefixes.length > 0) {
    contents.push(...(await historiesOfThisFile(footprint.namespaces, footprint.taskQueuePrefixes)));
  }
  const findings = findSecrets(contents, secrets);
  if (findings.length > 0) throw new Error(describeSecretFindings(findings));
}, SCAN_TIMEOUT_MS);

/** Every event of every run on the file's task queues, in each namespace the file used. */
async function historiesOfThisFile(
  namespaces: readonly string[],
  taskQueuePrefixes: readonly string[],
): Promise<ScannedContent[]> {
  // Loaded here, not above: most files this hook runs after never get this far.
  const [{ Client, Connection }, { devServerAddress }, { historyEvents, listRuns }] = await Promise.all([
    import('@temporalio/client'),
    import('../helpers/temporal'),
    import('../support/workflow-histories'),
  ]);
  const connection = await Connection.connect({ address: devServerAddress() });
  try {
    const perNamespace = await Promise.all(
      namespaces.map(async (namespace) => {
        const client = new Client({ connection, namespace });
        const runs = (await listRuns(client, `StartTime >= '${fileStartedAt.toISOString()}'`)).filter((run) =>
          taskQueuePrefixes.some((prefix) => run.taskQueue.startsWith(prefix)),
        );
        return historyEvents(client, runs);
      }),
    );
    return perNamespace.flat();
  } finally {
    await connection.close();
  }
}
