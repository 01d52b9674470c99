/**
 * What the running test file started and handed out, for the secrets scan after it
 * (test/setup/scan-secrets-after-file.ts): the task queues its workflows run on, what its workers printed (child
 * processes, with their environment, and the log of the workers it runs in its own process) and the credentials it
 * issued. Jest loads modules once per test file, so this is the file's own record; in a benchmark it is the
 * process's.
 */
import { credentialsInEnv, type CredentialSet } from '../support/secrets-scan';

/** Text a worker printed, as the scan sees it. */
export interface CapturedOutput {
  /** Whose output: the script or command with its pid and the test that started it, or the in-process log. */
  name: string;
  /** Everything written so far. */
  output(): string;
}

/** A child process as the scan sees it. */
export interface StartedProcess extends CapturedOutput {
  /** The variables it was given on top of the parent's. */
  env: Readonly<Record<string, string>>;
}

/** Namespace of a process that sets no `TEMPORAL_NAMESPACE`. */
const DEFAULT_NAMESPACE = 'default';

const taskQueuePrefixes = new Set<string>();
const processes: StartedProcess[] = [];
const otherOutputs: CapturedOutput[] = [];
const credentials: CredentialSet[] = [];

/** Workflows on task queues whose names start with `prefix` are the file's. */
export function noteTaskQueuePrefix(prefix: string): void {
  taskQueuePrefixes.add(prefix);
}

/** Records a child process; its name gets the pid and, in jest, the current test's name. */
export function noteChildProcess(
  name: string,
  pid: number | undefined,
  child: Omit<StartedProcess, 'name'>,
): void {
  const test = typeof expect === 'undefined' ? undefined : expect.getState().currentTestName;
  processes.push({ ...child, name: `${name} pid ${pid ?? '?'}${test ? ` (started in "${test}")` : ''}` });
}

/** Records output that is not a child process's (the SDK runtime's log in this process). */
export function noteOutput(output: CapturedOutput): void {
  otherOutputs.push(output);
}

/** Records credentials the file issued or handed to code under test. */
export function noteCredentials(...sets: CredentialSet[]): void {
  credentials.push(...sets);
}

/** Everything recorded so far; credentials include those in the child processes' environments. */
export function testFileFootprint(): {
  taskQueuePrefixes: string[];
  namespaces: string[];
  outputs: readonly CapturedOutput[];
  credentials: CredentialSet[];
} {
  return {
    taskQueuePrefixes: [...taskQueuePrefixes],
    namespaces: [
      ...new Set([DEFAULT_NAMESPACE, ...processes.map((p) => p.env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE)]),
    ],
    outputs: [...processes, ...otherOutputs],
    credentials: [...credentials, ...processes.map((p) => credentialsInEnv(p.env))],
  };
}
