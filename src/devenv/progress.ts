/** Receives one human-readable progress line (no trailing newline). */
export type ProgressLog = (line: string) => void;

/**
 * Writes progress lines to stderr, prefixed so they stand out from test and server output. Stderr, because
 * provisioning runs inside jest and `npm start`, whose stdout belongs to their own reporting.
 */
export const stderrProgress: ProgressLog = (line) => {
  process.stderr.write(`[temporal-devenv] ${line}\n`);
};

/** Drops every line (for callers that only want the result). */
export const silentProgress: ProgressLog = () => undefined;
