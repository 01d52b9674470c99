/**
 * docker-compose.yml, checked without a Docker engine: tools/compose-check loads it with compose-go (the library
 * Docker Compose itself uses) and checks the deployment's invariants (pinned images, no literal credentials,
 * the emulator only in its profile, one partition for the rate-limited queues). The tool is built once; the
 * first build on a machine downloads its modules through the Go module proxy, later builds hit Go's caches.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_DESCRIBE_TASK_QUEUE, DEFAULT_RETRY_TASK_QUEUE } from '../../src/shared/constants';

const repo = path.resolve(__dirname, '../..');
const composeFile = path.join(repo, 'docker-compose.yml');
/** A cold build downloads compose-go and its dependencies and compiles them: minutes on a slow network. */
const BUILD_TIMEOUT_MS = 240_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], timeout: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: repo, timeout }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let workDir: string;
let composeCheck: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'compose-check-'));
  composeCheck = path.join(workDir, 'compose-check');
  const build = await run(
    'go',
    ['-C', 'tools/compose-check', 'build', '-buildvcs=false', '-o', composeCheck, '.'],
    BUILD_TIMEOUT_MS,
  );
  if (build.code !== 0) throw new Error(`go build of tools/compose-check failed:\n${build.stderr}`);
}, BUILD_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs the check on `file`, with the queue names taken from the code rather than the tool's defaults. */
function check(file: string): Promise<RunResult> {
  return run(
    composeCheck,
    [
      '--project-directory',
      repo,
      '--single-partition-queues',
      `${DEFAULT_RETRY_TASK_QUEUE},${DEFAULT_DESCRIBE_TASK_QUEUE}`,
      file,
    ],
    30_000,
  );
}

/** Writes a copy of docker-compose.yml with `pattern` replaced; fails if the pattern no longer matches. */
async function brokenCopy(pattern: RegExp, replacement: string): Promise<string> {
  const text = await readFile(composeFile, 'utf8');
  expect(text).toMatch(pattern);
  const file = path.join(workDir, `broken-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, text.replace(pattern, replacement));
  return file;
}

test('docker-compose.yml loads with every profile and keeps every deployment invariant', async () => {
  const result = await check(composeFile);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toContain('docker-compose.yml ok');
});

test('a worker with a literal TENCENTCLOUD_SECRET_KEY is refused, naming the variable but not the value', async () => {
  const file = await brokenCopy(
    /TENCENTCLOUD_SECRET_KEY: \$\{.*\}/,
    'TENCENTCLOUD_SECRET_KEY: abc-literal-key',
  );
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    'service "worker" sets TENCENTCLOUD_SECRET_KEY to a literal value (not shown)',
  );
  expect(result.stderr).not.toContain('abc-literal-key');
});

test('an emulator outside its profile is refused: it would run next to the real-cloud worker', async () => {
  const file = await brokenCopy(/^ {4}profiles: \['emulator'\]\n/m, '');
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('service "emulator" must be in the "emulator" profile only');
  expect(result.stderr).toContain('service "emulator" runs without --profile emulator');
});

test('an image on the latest tag is refused', async () => {
  const file = await brokenCopy(/image: temporalio\/ui:[\w.-]+/, 'image: temporalio/ui:latest');
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('image "temporalio/ui:latest" uses the latest tag');
});

test('a dynamic config that leaves the describe queue partitioned is refused', async () => {
  const dynamicConfig = path.join(workDir, 'dynamicconfig.yaml');
  await writeFile(
    dynamicConfig,
    ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']
      .map(
        (key) =>
          `${key}:\n  - value: 1\n    constraints:\n      taskQueueName: ${DEFAULT_RETRY_TASK_QUEUE}\n`,
      )
      .join(''),
  );
  const file = await brokenCopy(/\.\/deploy\/temporal\/dynamicconfig\.yaml:/, `${dynamicConfig}:`);
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    `matching.numTaskqueueReadPartitions has no entry {value: 1, constraints: {taskQueueName: ${DEFAULT_DESCRIBE_TASK_QUEUE}}}`,
  );
});

test('the auto-setup image, which Temporal says not to use in production, is refused', async () => {
  const file = await brokenCopy(/image: temporalio\/server:/, 'image: temporalio/auto-setup:');
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('runs temporalio/auto-setup');
});

test('a schema job whose admin tools are for another server version is refused', async () => {
  const file = await brokenCopy(
    /temporal-schema:\n {4}image: temporalio\/admin-tools:1\.29\.1-/,
    'temporal-schema:\n    image: temporalio/admin-tools:1.28.0-',
  );
  const result = await check(file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('are not for server 1.29.1');
});
