import path from 'node:path';
import { readPort } from './start-local-config';

/** What `npm run stack` runs, read once from the environment at startup. */
export interface StackConfig {
  /** Frontend gRPC port (`TEMPORAL_STACK_PORT`): the clients' usual default. @default 7233 */
  port: number;
  /** Web UI port (`TEMPORAL_STACK_UI_PORT`), as in docker-compose.yml. @default 8080 */
  uiPort: number;
  /**
   * PostgreSQL data, server config and logs; kept across restarts (`.temporal/` is gitignored). It must be
   * reachable by the `postgres` account when the stack runs as root. @default <repo>/.temporal/stack
   */
  dataDir: string;
  /** Port of the built-in Tencent Batch emulator (`TENCENT_BATCH_EMULATOR_PORT`). @default 9090 */
  emulatorPort: number;
}

/** Reads and validates the stack's settings, reporting every bad variable at once. */
export function readStackConfig(env: NodeJS.ProcessEnv, repoRoot: string): StackConfig {
  const problems: string[] = [];
  const port = readPort(env, 'TEMPORAL_STACK_PORT', 7233, problems);
  const uiPort = readPort(env, 'TEMPORAL_STACK_UI_PORT', 8080, problems);
  const emulatorPort = readPort(env, 'TENCENT_BATCH_EMULATOR_PORT', 9090, problems);
  if (problems.length > 0)
    throw new Error(`Invalid environment for npm run stack:\n  ${problems.join('\n  ')}`);
  return { port, uiPort, dataDir: path.join(repoRoot, '.temporal', 'stack'), emulatorPort };
}
