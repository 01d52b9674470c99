/**
 * The command line of a benchmark: `--kebab-case value` options typed by their defaults, the command that
 * reproduces a run (written into every report), and a main wrapper that always cleans up.
 */
import { runCleanups } from './cleanup';

type OptionValue = string | number | boolean;

/**
 * Reads `--name value` / `--name=value` options into a copy of `defaults` (camelCase keys, kebab-case flags),
 * converting each to its default's type. Unknown or malformed options throw, listing what is accepted.
 */
export function readOptions<T extends Record<string, OptionValue>>(
  defaults: T,
  argv: readonly string[] = process.argv.slice(2),
): T {
  const options: Record<string, OptionValue> = { ...defaults };
  const flagToKey = new Map(Object.keys(defaults).map((key) => [`--${kebab(key)}`, key]));
  const usage = (): string =>
    'accepted options:\n' +
    [...flagToKey].map(([flag, key]) => `  ${flag} (default ${JSON.stringify(defaults[key])})`).join('\n');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = splitFlag(arg);
    const key = flagToKey.get(flag);
    if (key === undefined) throw new Error(`unknown option ${JSON.stringify(arg)}; ${usage()}`);
    const text = inline ?? argv[++i];
    if (text === undefined) throw new Error(`${flag} needs a value; ${usage()}`);
    options[key] = convert(text, defaults[key] as OptionValue, flag);
  }
  return options as T;
}

/** `--name=value` → [`--name`, `value`]; `--name` → [`--name`, undefined]. */
function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function convert(text: string, fallback: OptionValue, flag: string): OptionValue {
  if (typeof fallback === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new Error(`${flag} takes a number, got ${JSON.stringify(text)}`);
    return n;
  }
  if (typeof fallback === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new Error(`${flag} takes true or false`);
    return text === 'true';
  }
  return text;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `npm run bench:<name>`, with the run's own arguments when it had any, as a reader would retype it. */
export function reproduceCommand(name: string, argv: readonly string[] = process.argv.slice(2)): string {
  const quoted = argv.map((arg) => (/^[\w./:=,×-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  return `npm run bench:${name}${quoted.length > 0 ? ` -- ${quoted.join(' ')}` : ''}`;
}

/**
 * Parses `--input`: a JSON object merged into every workflow input, so a run can pass a field the workflow
 * gained after this benchmark was written (e.g. a new flag) without editing the benchmark.
 */
export function parseExtraInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`--input must be a JSON object, got ${text}`);
  }
  return value as Record<string, unknown>;
}

/** Runs a benchmark's main function, then cleans up everything it started; a failure exits 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main()
    .then(runCleanups, async (error: unknown) => {
      console.error(error);
      await runCleanups();
      process.exitCode = 1;
    })
    // Lingering long-polls or timers must not keep a finished benchmark alive.
    .finally(() => setTimeout(() => process.exit(), 500).unref());
}

/** A progress line on stderr, with the seconds since the benchmark started. */
export function progress(line: string): void {
  process.stderr.write(`[bench ${process.uptime().toFixed(1).padStart(6)} s] ${line}\n`);
}
