/**
 * The CLI's Temporal connection, configured the way every Temporal tool is: `@temporalio/envconfig` reads
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the config file
 * (`temporal config`), and `--address` / `--namespace` / `--profile` override them. Read once, at the process edge.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { ConnectionFlags } from './args';

/** How long to wait for the server before giving up with a clear error. */
export const CONNECT_TIMEOUT = '10s';

/** Where the CLI connects, safe to print: the API key is reported as set or not, never shown. */
export interface ConnectionTarget {
  address: string;
  namespace: string;
  apiKey: 'set' | 'none';
  tls: boolean;
}

/** An open connection and its client. Close it when the command is done. */
export interface CliConnection {
  client: Client;
  target: ConnectionTarget;
  close(): Promise<void>;
}

/** The connection configuration, resolved; `secrets` are values no output may contain. */
export interface ResolvedConnectionConfig {
  connectionOptions: Parameters<typeof Connection.connect>[0] & { address: string };
  namespace: string;
  target: ConnectionTarget;
  secrets: string[];
}

/** Resolves the connection configuration from `env`, profiles and `flags`. Pure but for reading the config file. */
export function resolveConnectionConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConnectionFlags = {},
): ResolvedConnectionConfig {
  const overrideEnvVars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) overrideEnvVars[key] = value;
  if (flags.address !== undefined) overrideEnvVars.TEMPORAL_ADDRESS = flags.address;
  if (flags.namespace !== undefined) overrideEnvVars.TEMPORAL_NAMESPACE = flags.namespace;
  const loaded = loadClientConnectConfig({
    overrideEnvVars,
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
  });
  const options = loaded.connectionOptions;
  const address = options.address ?? 'localhost:7233';
  const namespace = loaded.namespace ?? 'default';
  // gRPC metadata may carry credentials too (an `authorization` header set through TEMPORAL_GRPC_META_*).
  const secretMetadata = Object.entries(options.metadata ?? {})
    .filter(([key]) => /auth|token|key|secret|password/i.test(key))
    .map(([, value]) => value);
  const secrets = [options.apiKey, ...secretMetadata].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
  return {
    connectionOptions: {
      address,
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      connectTimeout: CONNECT_TIMEOUT,
    },
    namespace,
    target: {
      address,
      namespace,
      apiKey: options.apiKey ? 'set' : 'none',
      tls: options.tls !== undefined && options.tls !== false,
    },
    secrets,
  };
}

/** Connects with a resolved configuration. */
export async function connect(config: ResolvedConnectionConfig): Promise<CliConnection> {
  const connection = await Connection.connect(config.connectionOptions);
  return {
    client: new Client({ connection, namespace: config.namespace }),
    target: config.target,
    close: () => connection.close(),
  };
}

/** Replaces every secret in `text` (an error message from the SDK or gRPC) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}
