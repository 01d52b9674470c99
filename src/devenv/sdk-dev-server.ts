import type { DevServer, ResolvedDevServerOptions } from './dev-server-options';
import { dynamicConfigArgs, DEV_SERVER_DYNAMIC_CONFIG, searchAttributeArgs } from './dev-server-options';
import { TemporalBinaryUnavailableError, type ResolvedServerBinary } from './resolved-binary';

/**
 * Last resort of `startDevServer`: lets `@temporalio/testing` download the CLI and start it. The SDK owns
 * that process (no parent watchdog) and needs internet access; when the download fails, the error lists
 * every provisioning step that was tried before it.
 */
export async function startSdkDownloadedDevServer(
  binary: ResolvedServerBinary,
  options: ResolvedDevServerOptions,
): Promise<DevServer> {
  // A dev dependency, loaded only on this path so the main job does not need it otherwise.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  // The SDK passes DEV_SERVER_DYNAMIC_CONFIG itself; only the caller's additions go in extraArgs.
  const extraDynamicConfig = Object.fromEntries(
    Object.entries(options.dynamicConfig).filter(([key]) => !(key in DEV_SERVER_DYNAMIC_CONFIG)),
  );
  let env;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: options.ip,
        port: options.port,
        namespace: options.namespace,
        ...(options.dbFilename === undefined ? {} : { dbFilename: options.dbFilename }),
        ui: options.uiPort !== undefined,
        ...(options.uiPort === undefined ? {} : { uiPort: options.uiPort }),
        log: { format: 'pretty', level: options.logLevel },
        extraArgs: [
          ...dynamicConfigArgs(extraDynamicConfig),
          ...searchAttributeArgs(options.searchAttributes),
          ...options.extraArgs,
        ],
      },
    });
  } catch (error) {
    throw new TemporalBinaryUnavailableError(
      'Temporal CLI (dev server)',
      [...binary.attempts, `SDK download: failed: ${error instanceof Error ? error.message : String(error)}`],
      { cause: error },
    );
  }
  let resolveExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => {
    resolveExited = resolve;
  });
  let stopping: Promise<void> | undefined;
  return {
    address: env.address,
    namespace: options.namespace,
    uiUrl: options.uiPort === undefined ? undefined : `http://${options.ip}:${options.uiPort}`,
    binary,
    exited,
    stop: () => {
      stopping ??= env.teardown().finally(resolveExited);
      return stopping;
    },
  };
}
