import { inspect } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { noteOutput } from './test-file-footprint';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Installs the SDK runtime of this test process with a WARN logger (or `TEMPORAL_TEST_LOG_LEVEL`), so
 * worker state changes do not drown the test report. The runtime can be installed only before its first
 * use; a test file that installed its own keeps it.
 *
 * Everything from INFO up is also kept, unprinted, for the secrets scan after the file: the in-process workers'
 * log is worker output too.
 */
export function installTestRuntime(): void {
  const wanted = process.env.TEMPORAL_TEST_LOG_LEVEL?.toUpperCase() ?? 'WARN';
  const level = LEVELS.find((candidate) => candidate === wanted);
  if (!level) throw new Error(`TEMPORAL_TEST_LOG_LEVEL=${wanted}: expected one of ${LEVELS.join(', ')}`);
  const printed = new DefaultLogger(level);
  const kept: string[] = [];
  const keep = (entry: LogEntry): void => {
    kept.push(
      `${entry.level} ${entry.message} ${inspect(entry.meta ?? {}, { depth: 8, breakLength: Infinity })}`,
    );
    printed.log(entry.level, entry.message, entry.meta);
  };
  try {
    Runtime.install({ logger: new DefaultLogger(LEVELS.indexOf(level) < 2 ? level : 'INFO', keep) });
  } catch {
    // Already installed (by an earlier call or by the test file itself).
    return;
  }
  noteOutput({
    name: "this test file's in-process workers (SDK runtime log)",
    output: () => kept.join('\n'),
  });
}
