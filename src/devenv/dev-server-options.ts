import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../shared/constants';
import type { ProgressLog } from './progress';
import type { ResolvedServerBinary } from './resolved-binary';

/** Search attribute types `temporal server start-dev --search-attribute Name=Type` accepts. */
export type SearchAttributeTypeName =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/**
 * Dynamic config every local dev server gets: the values the SDK itself passes to the servers it starts
 * (`createLocal`), so tests behave the same as under the SDK's own environment.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  // Updates (human decisions answered with a result) need these on server 1.29.
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  // No network here: the server must not try to reach Temporal's version service.
  'frontend.enableServerVersionCheck': false,
  // Task queues keep the server's default partitions (4), as on Temporal Cloud: the API budget holds without
  // any server setting (deploy/temporal/dynamicconfig.yaml's one-partition queues are a second fence only).
};

/** Options of `startDevServer`. */
export interface DevServerOptions {
  /** The CLI to run. @default resolveTemporalCli({ log }) */
  binary?: ResolvedServerBinary;
  /** Address the frontend (and UI) bind to. @default '127.0.0.1' */
  ip?: string;
  /** Frontend gRPC port. @default a free port chosen by the OS */
  port?: number;
  /** Namespace to create and wait for ("default" always exists as well). @default 'default' */
  namespace?: string;
  /** SQLite file that persists workflows across restarts; its directory must exist. @default in memory */
  dbFilename?: string;
  /** Web UI port; when unset the server runs `--headless`. @default headless */
  uiPort?: number;
  /** Server log level. @default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Custom search attributes to register. @default SEARCH_ATTRIBUTE_DEFINITIONS (this package's) */
  searchAttributes?: Readonly<Record<string, SearchAttributeTypeName>>;
  /** Dynamic config values (JSON-serialisable), merged over {@link DEV_SERVER_DYNAMIC_CONFIG}. */
  dynamicConfig?: Readonly<Record<string, unknown>>;
  /** Further `start-dev` arguments. */
  extraArgs?: readonly string[];
  /** Where server output goes. @default 'inherit' */
  output?: 'inherit' | { file: string };
  /** Let this process exit while the server runs (the watchdog then stops it). @default false */
  unref?: boolean;
  /** Deadline for the server to serve the namespace and search attributes. @default 30_000 */
  readyTimeoutMs?: number;
  /** Progress lines. @default stderrProgress */
  log?: ProgressLog;
}

/** A running local dev server. */
export interface DevServer {
  /** `host:port` of the frontend gRPC service, for clients and workers. */
  readonly address: string;
  /** Namespace the server was started with. */
  readonly namespace: string;
  /** Web UI URL, when the UI is enabled. */
  readonly uiUrl: string | undefined;
  /** The binary that runs it, with how it was found. */
  readonly binary: ResolvedServerBinary;
  /** Settles when the server has stopped, whether through {@link DevServer.stop} or on its own. */
  readonly exited: Promise<void>;
  /** Stops the server and waits for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options after defaults, as the launchers use them. */
export interface ResolvedDevServerOptions {
  ip: string;
  port: number;
  namespace: string;
  dbFilename: string | undefined;
  uiPort: number | undefined;
  logLevel: NonNullable<DevServerOptions['logLevel']>;
  searchAttributes: Readonly<Record<string, SearchAttributeTypeName>>;
  dynamicConfig: Readonly<Record<string, unknown>>;
  extraArgs: readonly string[];
}

/** `--search-attribute Name=Type` pairs. */
export function searchAttributeArgs(
  searchAttributes: ResolvedDevServerOptions['searchAttributes'],
): string[] {
  return Object.entries(searchAttributes).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
}

/** `--dynamic-config-value KEY=JSON` pairs. */
export function dynamicConfigArgs(dynamicConfig: ResolvedDevServerOptions['dynamicConfig']): string[] {
  return Object.entries(dynamicConfig).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

/** The full `temporal` argument list for {@link ResolvedDevServerOptions}. */
export function devServerArgs(options: ResolvedDevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-format',
    'pretty',
    '--log-level',
    options.logLevel,
    ...(options.dbFilename === undefined ? [] : ['--db-filename', options.dbFilename]),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...dynamicConfigArgs(options.dynamicConfig),
    ...searchAttributeArgs(options.searchAttributes),
    ...options.extraArgs,
  ];
}

/** Applies the documented defaults. */
export function withDevServerDefaults(options: DevServerOptions, port: number): ResolvedDevServerOptions {
  return {
    ip: options.ip ?? '127.0.0.1',
    port,
    namespace: options.namespace ?? 'default',
    dbFilename: options.dbFilename,
    uiPort: options.uiPort,
    logLevel: options.logLevel ?? 'warn',
    searchAttributes: options.searchAttributes ?? SEARCH_ATTRIBUTE_DEFINITIONS,
    dynamicConfig: { ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig },
    extraArgs: options.extraArgs ?? [],
  };
}
