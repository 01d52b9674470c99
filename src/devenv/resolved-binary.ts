import type { ProgressLog } from './progress';

/**
 * How to run a local Temporal server, in the shape `@temporalio/testing` takes as
 * `server.executable` (structurally identical to its `EphemeralServerExecutable`).
 */
export type ServerExecutable =
  | { type: 'existing-path'; path: string }
  /** Let the SDK download a release into the OS temp dir. Needs internet access to GitHub/temporal.download. */
  | { type: 'cached-download' };

/** Where a resolved server came from. */
export type BinarySource = 'env' | 'path' | 'cache' | 'built' | 'sdk-download';

/** A server binary, with the record of how it was found. */
export interface ResolvedServerBinary {
  /** What to spawn or hand to the SDK. */
  executable: ServerExecutable;
  /** Which resolution step produced it. */
  source: BinarySource;
  /** One line per step tried, in order, with its outcome. Shown when the server then fails to start. */
  attempts: string[];
}

/** Options shared by the server resolvers. */
export interface ResolveServerOptions {
  /** Environment to read `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH` and `XDG_CACHE_HOME` from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Cache root. @default devenvCacheRoot(env) */
  cacheRoot?: string;
  /** Progress lines (builds take minutes on a cold cache). @default stderrProgress */
  log?: ProgressLog;
  /** Build from source (Go / Maven) when nothing usable is found. @default true */
  allowBuild?: boolean;
  /**
   * Fall back to the SDK's own download when everything else failed. That needs internet access; set
   * `TEMPORAL_DEVENV_NO_DOWNLOAD=1` (or pass `false`) to fail fast with the list of attempts instead.
   * @default true unless TEMPORAL_DEVENV_NO_DOWNLOAD=1
   */
  allowSdkDownload?: boolean;
}

/** No way to run a Temporal server was found; the message lists every step that was tried. */
export class TemporalBinaryUnavailableError extends Error {
  override readonly name = 'TemporalBinaryUnavailableError';

  constructor(what: string, attempts: readonly string[], options?: ErrorOptions) {
    super(
      `No ${what} could be found, built or downloaded. Tried, in order:\n${formatAttempts(attempts)}`,
      options,
    );
  }
}

/** Renders attempts as an indented, numbered list for errors and progress output. */
export function formatAttempts(attempts: readonly string[]): string {
  return attempts.map((attempt, i) => `  ${i + 1}. ${attempt}`).join('\n');
}

/** Whether the SDK-download fallback is allowed, from the option or `TEMPORAL_DEVENV_NO_DOWNLOAD`. */
export function sdkDownloadAllowed(options: ResolveServerOptions, env: NodeJS.ProcessEnv): boolean {
  return options.allowSdkDownload ?? env.TEMPORAL_DEVENV_NO_DOWNLOAD !== '1';
}

/** A binary found or built at `file`. */
export function existingBinary(
  file: string,
  source: ResolvedServerBinary['source'],
  attempts: string[],
): ResolvedServerBinary {
  return { executable: { type: 'existing-path', path: file }, source, attempts };
}

/**
 * The last resort once nothing local worked: the SDK's own download (needs internet), unless the caller or
 * `TEMPORAL_DEVENV_NO_DOWNLOAD=1` forbids it, in which case every attempt is reported in the error.
 */
export function sdkDownloadOrThrow(
  what: string,
  options: ResolveServerOptions,
  env: NodeJS.ProcessEnv,
  attempts: string[],
  log: (line: string) => void,
): ResolvedServerBinary {
  if (sdkDownloadAllowed(options, env)) {
    attempts.push('SDK download (cached-download): chosen as the last resort; it needs internet access');
    log(`no local ${what}: falling back to the SDK download, which needs internet access`);
    return { executable: { type: 'cached-download' }, source: 'sdk-download', attempts };
  }
  attempts.push('SDK download: disabled (TEMPORAL_DEVENV_NO_DOWNLOAD=1)');
  throw new TemporalBinaryUnavailableError(what, attempts);
}
