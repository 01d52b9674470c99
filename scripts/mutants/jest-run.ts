/**
 * One jest run in the sandbox, in a process group of its own so that a run past its deadline is stopped whole
 * (jest, its worker, the workers' Temporal test servers).
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { JestProject } from './catalogue';

/** What to run: test files (before `--selectProjects`, which otherwise takes them for project names). */
export interface JestSelection {
  tests: readonly string[];
  project: JestProject;
  testNamePattern?: string;
}

export interface JestRunResult {
  /** `no-tests`: the selection ran nothing (a wrong path or name pattern), which proves nothing either way. */
  outcome: 'passed' | 'failed' | 'timeout' | 'no-tests' | 'crashed';
  passed: number;
  failed: number;
  /** Full names of the tests that failed (and suites that could not run). */
  failures: string[];
  durationMs: number;
  logFile: string;
}

/** The arguments after `jest`, as a person would type them. */
export function jestArgs(selection: JestSelection): string[] {
  return [
    ...selection.tests,
    '--selectProjects',
    selection.project,
    // The machine has 2 cores shared with other sessions' test runs.
    '--maxWorkers=1',
    ...(selection.testNamePattern === undefined ? [] : ['-t', selection.testNamePattern]),
  ];
}

interface JestJson {
  numPassedTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string }[];
  }[];
}

/** Runs jest in `cwd`; its output goes to `<logDir>/<name>.log`. */
export async function runJest(
  cwd: string,
  selection: JestSelection,
  options: { logDir: string; name: string; timeoutMs: number },
): Promise<JestRunResult> {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const jsonFile = path.join(options.logDir, `${options.name}.json`);
  await rm(jsonFile, { force: true });
  const started = Date.now();
  const log = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      path.join(cwd, 'node_modules/jest/bin/jest.js'),
      ...jestArgs(selection),
      '--ci',
      '--json',
      '--outputFile',
      jsonFile,
    ],
    { cwd, detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs);
  stopOnExit.add(child.pid);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  }).finally(() => {
    clearTimeout(timer);
    stopOnExit.delete(child.pid);
  });
  const durationMs = Date.now() - started;
  if (timedOut) return { outcome: 'timeout', passed: 0, failed: 0, failures: [], durationMs, logFile };
  const json = await readFile(jsonFile, 'utf8').then(
    (text) => JSON.parse(text) as JestJson,
    () => undefined,
  );
  if (!json) {
    return {
      outcome: 'crashed',
      passed: 0,
      failed: 0,
      failures: [`jest exited with code ${exitCode} and wrote no results`],
      durationMs,
      logFile,
    };
  }
  const failures = json.testResults.flatMap((suite) => {
    const failedTests = suite.assertionResults.filter((t) => t.status === 'failed').map((t) => t.fullName);
    if (failedTests.length > 0 || suite.status !== 'failed') return failedTests;
    return [`${path.relative(cwd, suite.name)}: ${(suite.message ?? 'the suite failed').split('\n')[0]}`];
  });
  const failed = json.numFailedTests + json.numRuntimeErrorTestSuites;
  const counts = { passed: json.numPassedTests, failed, durationMs, logFile };
  if (failed > 0) return { outcome: 'failed', failures, ...counts };
  if (json.numPassedTests === 0) return { outcome: 'no-tests', failures, ...counts };
  // Every test passed but jest still failed (a global teardown, say): not something a mutant is judged by.
  if (exitCode !== 0)
    return { outcome: 'crashed', failures: [`jest exited with code ${exitCode}`], ...counts };
  return { outcome: 'passed', failures, ...counts };
}

/** Process groups of the jest runs in progress: stopped if this script is interrupted. */
const stopOnExit = new Set<number | undefined>();

/** Stops every jest run still in progress (on Ctrl-C). */
export function stopRunningJest(): void {
  for (const pid of stopOnExit) {
    if (pid === undefined) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
