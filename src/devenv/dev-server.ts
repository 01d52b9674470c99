import {
  devServerArgs,
  withDevServerDefaults,
  type DevServer,
  type DevServerOptions,
  type ResolvedDevServerOptions,
} from './dev-server-options';
import { findFreePort } from './free-port';
import { waitForFrontend } from './frontend-readiness';
import { stderrProgress } from './progress';
import type { ResolvedServerBinary } from './resolved-binary';
import { startSdkDownloadedDevServer } from './sdk-dev-server';
import { resolveTemporalCli } from './temporal-cli-binary';
import { spawnWatched } from './watched-process';

export {
  DEV_SERVER_DYNAMIC_CONFIG,
  devServerArgs,
  type DevServer,
  type DevServerOptions,
  type SearchAttributeTypeName,
} from './dev-server-options';

/**
 * Starts `temporal server start-dev` and resolves once it serves the namespace with every search attribute
 * registered. The server runs under the parent watchdog, so it never outlives this process; call
 * {@link DevServer.stop} to stop it earlier. Used by the jest global setup (headless, in-memory or temp db)
 * and by the main job (`npm start`: web UI, persisted db).
 *
 * When provisioning fell back to the SDK download, the SDK starts (and owns) the server instead.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? stderrProgress;
  const binary = options.binary ?? (await resolveTemporalCli({ log }));
  const resolved = withDevServerDefaults(
    options,
    options.port ?? (await findFreePort(options.ip ?? '127.0.0.1')),
  );
  if (binary.executable.type === 'cached-download') return startSdkDownloadedDevServer(binary, resolved);
  return startLocalBinary(binary.executable.path, binary, resolved, options);
}

async function startLocalBinary(
  cliPath: string,
  binary: ResolvedServerBinary,
  resolved: ResolvedDevServerOptions,
  options: DevServerOptions,
): Promise<DevServer> {
  const address = `${resolved.ip}:${resolved.port}`;
  const watched = spawnWatched(cliPath, devServerArgs(resolved), {
    // No network here: the CLI must not try to reach Temporal's version service.
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    output: options.output ?? 'inherit',
    unref: options.unref ?? false,
  });
  const outputHint = typeof options.output === 'object' ? ` (server output: ${options.output.file})` : '';
  try {
    await waitForFrontend({
      address,
      namespace: resolved.namespace,
      searchAttributes: Object.keys(resolved.searchAttributes),
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      gaveUp: () => {
        const status = watched.exitStatus();
        if (status === undefined) return undefined;
        return `exited during startup (code ${status.code}, signal ${status.signal})${outputHint}`;
      },
    });
  } catch (error) {
    await watched.stop();
    throw new Error(`${cliPath} ${devServerArgs(resolved).join(' ')} did not start${outputHint}`, {
      cause: error,
    });
  }
  return {
    address,
    namespace: resolved.namespace,
    uiUrl: resolved.uiPort === undefined ? undefined : `http://${resolved.ip}:${resolved.uiPort}`,
    binary,
    exited: watched.exited.then(() => undefined),
    stop: () => watched.stop(),
  };
}
