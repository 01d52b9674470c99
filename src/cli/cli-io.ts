/** Where commands write: injected, so tests capture output and the real CLI writes to the process's streams. */

/** Something text can be written to (a `process.stdout`, a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** The streams of one CLI invocation. */
export interface CliIo {
  /** Results: tables, or JSON with `--json`. */
  stdout: TextSink;
  /** Errors, hints and progress that scripts must not parse. */
  stderr: TextSink;
  /** True when stdout is a terminal: `watch` then redraws in place and shows a spinner. */
  interactive: boolean;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, interactive: process.stdout.isTTY === true };
}

/** Writes `value` as one line of JSON (scripts read stdout line by line). */
export function writeJsonLine(sink: TextSink, value: unknown): void {
  sink.write(`${JSON.stringify(value)}\n`);
}

/** Writes `lines`, each ended by a newline. */
export function writeLines(sink: TextSink, lines: readonly string[]): void {
  if (lines.length > 0) sink.write(`${lines.join('\n')}\n`);
}
