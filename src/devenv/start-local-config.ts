import path from 'node:path';

/** What the main job (`npm start`) runs, read once from the environment at startup. */
export interface StartLocalConfig {
  /**
   * Frontend gRPC port (`TEMPORAL_DEV_PORT`). The CLI's and SDK clients' usual default, so
   * `temporal workflow list` and `@temporalio/envconfig` find the server with no settings.
   * @default 7233
   */
  port: number;
  /** Web UI port (`TEMPORAL_DEV_UI_PORT`). @default port + 1000 (8233) */
  uiPort: number;
  /** SQLite file that keeps workflows across restarts (`.temporal/` is gitignored). @default <repo>/.temporal/dev.db */
  dbFilename: string;
  /** Port of the built-in Tencent Batch emulator (`TENCENT_BATCH_EMULATOR_PORT`). @default 9090 */
  emulatorPort: number;
  /** Run the demo workflow on the emulator (`DEMO=0` turns it off). @default true */
  demo: boolean;
}

/** Reads and validates the main job's settings, reporting every bad variable at once. */
export function readStartLocalConfig(env: NodeJS.ProcessEnv, repoRoot: string): StartLocalConfig {
  const problems: string[] = [];
  const port = readPort(env, 'TEMPORAL_DEV_PORT', 7233, problems);
  const uiPort = readPort(env, 'TEMPORAL_DEV_UI_PORT', port + 1000, problems);
  const emulatorPort = readPort(env, 'TENCENT_BATCH_EMULATOR_PORT', 9090, problems);
  if (problems.length > 0) throw new Error(`Invalid environment for npm start:\n  ${problems.join('\n  ')}`);
  return {
    port,
    uiPort,
    dbFilename: path.join(repoRoot, '.temporal', 'dev.db'),
    emulatorPort,
    demo: env.DEMO !== '0',
  };
}

export function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    problems.push(`${name}=${JSON.stringify(raw)}: expected a TCP port (1-65535)`);
    return fallback;
  }
  return port;
}
