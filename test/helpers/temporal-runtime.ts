import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Installs the SDK runtime of this test process with a WARN logger (or `TEMPORAL_TEST_LOG_LEVEL`), so
 * worker state changes do not drown the test report. The runtime can be installed only before its first
 * use; a test file that installed its own keeps it.
 */
export function installTestRuntime(): void {
  const wanted = process.env.TEMPORAL_TEST_LOG_LEVEL?.toUpperCase() ?? 'WARN';
  const level = LEVELS.find((candidate) => candidate === wanted);
  if (!level) throw new Error(`TEMPORAL_TEST_LOG_LEVEL=${wanted}: expected one of ${LEVELS.join(', ')}`);
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed (by an earlier call or by the test file itself).
  }
}
