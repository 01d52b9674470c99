/**
 * The command line, parsed with `node:util` parseArgs into one typed command. Only the shape is checked here
 * (known command and options, required positionals, numbers); job IDs, policies and decisions are checked by the
 * client helpers with the workflow's own rules, so the CLI and services refuse the same things.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../shared/duration';
import type { ResolveEscalationInput } from '../shared/recovery-types';
import type { StartCommandOptions } from './commands/start';

/** Refresh period of `watch`. @default 2 s */
export const DEFAULT_WATCH_INTERVAL_MS = 2_000;
/** Shortest `watch --interval`: each refresh is one query to the workflow. */
export const MIN_WATCH_INTERVAL_MS = 500;
/** Most recoveries `escalations` lists. @default 50 */
export const DEFAULT_ESCALATIONS_LIMIT = 50;

/** Temporal connection overrides from the command line (else the environment and profiles decide). */
export interface ConnectionFlags {
  /** `--address host:port` (TEMPORAL_ADDRESS) */
  address?: string;
  /** `--namespace ns` (TEMPORAL_NAMESPACE) */
  namespace?: string;
  /** `--profile name` (TEMPORAL_PROFILE) */
  profile?: string;
}

/** One parsed command. */
export type CliCommand =
  | { name: 'help' }
  | ({ name: 'start' } & Omit<StartCommandOptions, 'json'>)
  | { name: 'status'; workflowId: string }
  | { name: 'watch'; workflowId: string; intervalMs: number }
  | {
      name: 'decide';
      workflowId: string;
      decision: ResolveEscalationInput['decision'];
      jobIds?: string[];
      extraRetries?: number;
      operator?: string;
      note?: string;
    }
  | { name: 'retry-now'; workflowId: string; jobIds?: string[] }
  | { name: 'escalations'; jobId?: string; limit: number };

/** The name of a command. */
export type CommandName = CliCommand['name'];

/** A parsed command line. */
export interface CommandLine {
  command: CliCommand;
  /** `--json`: machine-readable output on stdout, errors as JSON on stderr. */
  json: boolean;
  connection: ConnectionFlags;
}

/** The command line is wrong; every problem is listed. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Every problem found. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  address: { type: 'string' },
  namespace: { type: 'string' },
  profile: { type: 'string' },
  job: { type: 'string', multiple: true },
  'policy-file': { type: 'string' },
  label: { type: 'string' },
  'id-scope': { type: 'string' },
  'task-queue': { type: 'string' },
  'retry-task-queue': { type: 'string' },
  'describe-task-queue': { type: 'string' },
  interval: { type: 'string' },
  'extra-retries': { type: 'string' },
  operator: { type: 'string' },
  note: { type: 'string' },
  limit: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof OPTIONS;

const GLOBAL_OPTIONS: readonly OptionName[] = ['help', 'json', 'address', 'namespace', 'profile'];

/** Options each command accepts besides the global ones. */
const COMMAND_OPTIONS: Readonly<Record<Exclude<CommandName, 'help'>, readonly OptionName[]>> = {
  start: ['job', 'policy-file', 'label', 'id-scope', 'task-queue', 'retry-task-queue', 'describe-task-queue'],
  status: [],
  watch: ['interval'],
  decide: ['job', 'extra-retries', 'operator', 'note'],
  'retry-now': ['job'],
  escalations: ['job', 'limit'],
};

/** Command names, in the order the usage text lists them. */
export const COMMAND_NAMES = Object.keys(COMMAND_OPTIONS) as Exclude<CommandName, 'help'>[];

const DECISIONS: Readonly<Record<string, ResolveEscalationInput['decision']>> = {
  retry: 'RETRY',
  abandon: 'ABANDON',
  resolve: 'RESOLVE',
};

/**
 * Parses `argv` (without `node` and the script). Throws {@link UsageError} for an unknown command or option, a
 * missing or extra argument, or a malformed number or duration.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError([err instanceof Error ? err.message : String(err)]);
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  const connection: ConnectionFlags = {
    ...(values.address !== undefined ? { address: values.address } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
  };
  const [name, ...args] = positionals;
  if (values.help === true || name === undefined || name === 'help') {
    return { command: { name: 'help' }, json, connection };
  }
  if (!isCommandName(name)) {
    throw new UsageError([`unknown command ${JSON.stringify(name)}; commands: ${COMMAND_NAMES.join(', ')}`]);
  }
  const problems: string[] = [];
  const allowed = new Set<OptionName>([...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[name]]);
  for (const option of Object.keys(values) as OptionName[]) {
    if (!allowed.has(option)) problems.push(`--${option} is not an option of ${name}`);
  }
  const jobs = values.job?.flatMap(splitList);
  const command = buildCommand(name, args, values, jobs, env, problems);
  if (problems.length > 0 || command === undefined) throw new UsageError(problems);
  return { command, json, connection };
}

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>
>['values'];

function buildCommand(
  name: Exclude<CommandName, 'help'>,
  args: string[],
  values: Values,
  jobs: string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): CliCommand | undefined {
  const positionals = (...names: string[]): (string | undefined)[] => {
    if (args.length < names.length) problems.push(`${name} needs ${names.map((n) => `<${n}>`).join(' ')}`);
    if (args.length > names.length) {
      problems.push(
        `${name} takes ${names.length} argument(s); unexpected: ${args.slice(names.length).join(' ')}`,
      );
    }
    return names.map((_, i) => args[i]);
  };
  switch (name) {
    case 'start': {
      positionals();
      if (!jobs || jobs.length === 0) problems.push('start needs at least one --job <job ID>');
      return {
        name,
        jobIds: jobs ?? [],
        policyFile: values['policy-file'],
        label: values.label,
        idScope: values['id-scope'],
        taskQueue: values['task-queue'],
        retryTaskQueue: values['retry-task-queue'],
        describeTaskQueue: values['describe-task-queue'],
      };
    }
    case 'status': {
      const [workflowId] = positionals('workflowId');
      return workflowId === undefined ? undefined : { name, workflowId };
    }
    case 'watch': {
      const [workflowId] = positionals('workflowId');
      const intervalMs =
        values.interval === undefined ? DEFAULT_WATCH_INTERVAL_MS : parseInterval(values.interval);
      if (intervalMs === undefined) {
        problems.push(
          `--interval ${JSON.stringify(values.interval)} must be a duration of at least ${MIN_WATCH_INTERVAL_MS} ms (e.g. 2s, 500ms, or seconds as a number)`,
        );
      }
      return workflowId === undefined || intervalMs === undefined
        ? undefined
        : { name, workflowId, intervalMs };
    }
    case 'decide': {
      const [workflowId, choice] = positionals('workflowId', 'retry|abandon|resolve');
      const decision = choice === undefined ? undefined : DECISIONS[choice.toLowerCase()];
      if (choice !== undefined && decision === undefined) {
        problems.push(`decision ${JSON.stringify(choice)} must be retry, abandon or resolve`);
      }
      const extraRetries =
        values['extra-retries'] === undefined ? undefined : Number(values['extra-retries']);
      if (extraRetries !== undefined && decision !== undefined && decision !== 'RETRY') {
        problems.push('--extra-retries only applies to retry');
      }
      if (extraRetries !== undefined && !Number.isInteger(extraRetries)) {
        problems.push(`--extra-retries ${JSON.stringify(values['extra-retries'])} must be an integer`);
      }
      if (workflowId === undefined || decision === undefined) return undefined;
      const operator = values.operator ?? env.USER ?? env.LOGNAME;
      return {
        name,
        workflowId,
        decision,
        ...(jobs !== undefined ? { jobIds: jobs } : {}),
        ...(extraRetries !== undefined ? { extraRetries } : {}),
        ...(operator !== undefined && operator !== '' ? { operator } : {}),
        ...(values.note !== undefined ? { note: values.note } : {}),
      };
    }
    case 'retry-now': {
      const [workflowId] = positionals('workflowId');
      return workflowId === undefined ? undefined : { name, workflowId, ...(jobs ? { jobIds: jobs } : {}) };
    }
    case 'escalations': {
      positionals();
      if (jobs && jobs.length > 1) problems.push('escalations takes at most one --job');
      const limit = values.limit === undefined ? DEFAULT_ESCALATIONS_LIMIT : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        problems.push(`--limit ${JSON.stringify(values.limit)} must be a positive integer`);
      }
      return { name, limit, ...(jobs?.[0] !== undefined ? { jobId: jobs[0] } : {}) };
    }
  }
}

function isCommandName(name: string): name is Exclude<CommandName, 'help'> {
  return (COMMAND_NAMES as string[]).includes(name);
}

/** `--job a,b --job c` and `--job "a b"` both name three jobs. */
function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((part) => part !== '');
}

/** A Temporal duration ('2s', '500ms') or a plain number of seconds. */
function parseInterval(value: string): number | undefined {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : parseDurationMs(value);
  return ms !== undefined && ms >= MIN_WATCH_INTERVAL_MS ? ms : undefined;
}
