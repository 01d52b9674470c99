/**
 * One invocation of the CLI, independent of the process: parse, connect, run the command, map every error to a
 * message and an exit code. `main.ts` wires it to the real process; tests call it with their own client and
 * streams.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { InvalidRecoveryInputError, RecoveryUpdateRejectedError, type RecoveryClient } from '../client';
import { parseCommandLine, UsageError, type CliCommand, type ConnectionFlags } from './args';
import { writeJsonLine, writeLines, type CliIo } from './cli-io';
import { connect, redact, resolveConnectionConfig } from './connection';
import { decideCommand } from './commands/decide';
import { escalationsCommand } from './commands/escalations';
import { retryNowCommand } from './commands/retry-now';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { watchCommand } from './commands/watch';
import { ExitCode } from './exit-codes';
import { usageText } from './usage';

/** A client for one invocation and how to release it. */
export interface ConnectedClient {
  client: RecoveryClient;
  close(): Promise<void>;
  /** Values no output may contain (the API key). */
  secrets: readonly string[];
}

/** What one invocation depends on. */
export interface CliDependencies {
  env: Readonly<Record<string, string | undefined>>;
  io: CliIo;
  /** Stops `watch` (Ctrl-C). */
  signal?: AbortSignal;
  /** Terminal width, for `watch`. */
  columns?: number;
  /** Opens the Temporal client. @default envconfig + `--address/--namespace/--profile` */
  connect?: (flags: ConnectionFlags, env: CliDependencies['env']) => Promise<ConnectedClient>;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<ExitCode> {
  const { io } = deps;
  let json = argv.includes('--json');
  let secrets: readonly string[] = [];
  try {
    const commandLine = parseCommandLine(argv, deps.env);
    json = commandLine.json;
    if (commandLine.command.name === 'help') {
      io.stdout.write(usageText());
      return ExitCode.OK;
    }
    const connected = await (deps.connect ?? connectFromEnvironment)(commandLine.connection, deps.env);
    secrets = connected.secrets;
    try {
      return await runCommand(connected.client, commandLine.command, json, deps);
    } finally {
      await connected.close();
    }
  } catch (err) {
    return reportError(err, io, json, secrets);
  }
}

async function connectFromEnvironment(
  flags: ConnectionFlags,
  env: CliDependencies['env'],
): Promise<ConnectedClient> {
  const config = resolveConnectionConfig(env, flags);
  try {
    const connection = await connect(config);
    return { client: connection.client, close: () => connection.close(), secrets: config.secrets };
  } catch (err) {
    const why = redact(err instanceof Error ? err.message : String(err), config.secrets);
    const { address, namespace, tls, apiKey } = config.target;
    throw new Error(
      `cannot connect to Temporal at ${address} (namespace ${namespace}, TLS ${tls ? 'on' : 'off'}, API key ${apiKey}): ${why}`,
    );
  }
}

async function runCommand(
  client: RecoveryClient,
  command: Exclude<CliCommand, { name: 'help' }>,
  json: boolean,
  deps: CliDependencies,
): Promise<ExitCode> {
  const { io } = deps;
  switch (command.name) {
    case 'start': {
      const { name: _name, ...options } = command;
      return startCommand(client, { ...options, json }, io, deps.env);
    }
    case 'status':
      return statusCommand(client, { workflowId: command.workflowId, json }, io);
    case 'watch':
      return watchCommand(
        client,
        {
          workflowId: command.workflowId,
          intervalMs: command.intervalMs,
          json,
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(deps.columns ? { columns: deps.columns } : {}),
        },
        io,
      );
    case 'decide': {
      const { name: _name, ...options } = command;
      return decideCommand(client, { ...options, json }, io);
    }
    case 'retry-now': {
      const { name: _name, ...options } = command;
      return retryNowCommand(client, { ...options, json }, io);
    }
    case 'escalations': {
      const { name: _name, ...options } = command;
      return escalationsCommand(client, { ...options, json }, io);
    }
  }
}

/** How an error is reported: a kind for scripts, a message, the problems, and the exit code. */
interface ErrorReport {
  kind: string;
  message: string;
  problems?: readonly string[];
  exitCode: ExitCode;
  hint?: string;
}

function classify(err: unknown): ErrorReport {
  if (err instanceof UsageError) {
    return {
      kind: 'USAGE',
      message: 'bad command line',
      problems: err.problems,
      exitCode: ExitCode.USAGE,
      hint: 'run tencent-batch-recovery --help',
    };
  }
  if (err instanceof InvalidRecoveryInputError) {
    return {
      kind: 'INVALID_INPUT',
      message: err.message.split('\n')[0] ?? err.message,
      problems: err.problems,
      exitCode: ExitCode.USAGE,
    };
  }
  if (err instanceof WorkflowNotFoundError) {
    return {
      kind: 'NOT_FOUND',
      message: `workflow ${err.workflowId} not found (or already closed, for signals and decisions)`,
      exitCode: ExitCode.NOT_FOUND,
    };
  }
  if (err instanceof RecoveryUpdateRejectedError) {
    return { kind: 'REJECTED', message: err.message, problems: [err.reason], exitCode: ExitCode.REJECTED };
  }
  return {
    kind: 'ERROR',
    message: err instanceof Error ? err.message : String(err),
    exitCode: ExitCode.FAILURE,
  };
}

function reportError(err: unknown, io: CliIo, json: boolean, secrets: readonly string[]): ExitCode {
  const report = classify(err);
  const message = redact(report.message, secrets);
  const problems = report.problems?.map((p) => redact(p, secrets));
  if (json) {
    writeJsonLine(io.stderr, { error: { kind: report.kind, message, ...(problems ? { problems } : {}) } });
  } else {
    writeLines(io.stderr, [
      `error: ${message}`,
      ...(problems && report.kind !== 'REJECTED' ? problems.map((p) => `  - ${p}`) : []),
      ...(report.hint ? [report.hint] : []),
    ]);
  }
  return report.exitCode;
}
