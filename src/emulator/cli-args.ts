/** Command-line arguments of `cli.ts`, parsed and checked once; every problem is reported together. */
import { parseArgs } from 'node:util';
import { type BatchAction, type EmulatorCredentials, isBatchAction } from './batch-api-constants';
import type { AdminAccess, EmulatorOptions } from './emulator-options';

/** Usage text. */
export const USAGE = `Usage: npx tsx src/emulator/cli.ts [options]

Runs a local Tencent Cloud Batch API (2017-03-12) emulator.

  --port <n>                 port to listen on (default 9090; 0 = any free port)
  --host <addr>              interface to listen on (default 127.0.0.1)
  --time-scale <x>           emulated seconds per real second for job progress (default 1)
  --rate-limit <Action=rps>  per-action limit, repeatable (e.g. RetryJobs=2; 0 = unlimited)
  --credentials <ID:KEY>     accepted SecretId:SecretKey, repeatable (default: the public emulator pair)
  --ledger <file.jsonl>      also append every request to this JSONL file
  --seed <n>                 seed of generated IDs and fault probabilities (default 1)
  --admin-access <who>       loopback | any | off: who may use /_emulator/ (default loopback)
  --seed-demo                create demo jobs with scripted outcomes
  --help                     print this text
`;

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'run'; options: EmulatorOptions; seedDemo: boolean }
  | { kind: 'help' }
  | { kind: 'invalid'; problems: string[] };

/** Default port of the standalone emulator. */
export const DEFAULT_CLI_PORT = 9090;

/** Parses `argv` (without node and script). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'time-scale': { type: 'string' },
        'rate-limit': { type: 'string', multiple: true },
        credentials: { type: 'string', multiple: true },
        ledger: { type: 'string' },
        seed: { type: 'string' },
        'admin-access': { type: 'string' },
        'seed-demo': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return { kind: 'invalid', problems: [(error as Error).message] };
  }
  if (values.help) return { kind: 'help' };

  const problems: string[] = [];
  const options: EmulatorOptions = { port: DEFAULT_CLI_PORT };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      problems.push(`--port must be 0..65535, got ${values.port}`);
    else options.port = port;
  }
  if (values.host !== undefined) options.host = values.host;
  if (values['time-scale'] !== undefined) {
    const scale = Number(values['time-scale']);
    if (!(scale > 0) || !Number.isFinite(scale))
      problems.push(`--time-scale must be > 0, got ${values['time-scale']}`);
    else options.timeScale = scale;
  }
  const rateLimits: Partial<Record<BatchAction, number>> = {};
  for (const item of values['rate-limit'] ?? []) {
    const [action, rps, extra] = item.split('=');
    const value = Number(rps);
    if (extra !== undefined || !isBatchAction(action) || rps === undefined || rps === '' || !(value >= 0)) {
      problems.push(`--rate-limit takes Action=rps with a known action and rps >= 0, got ${item}`);
    } else rateLimits[action] = value;
  }
  if (Object.keys(rateLimits).length > 0) options.rateLimits = rateLimits;
  const credentials: EmulatorCredentials[] = [];
  for (const item of values.credentials ?? []) {
    const separator = item.indexOf(':');
    if (separator <= 0 || separator === item.length - 1) {
      problems.push('--credentials takes SecretId:SecretKey (both non-empty)');
    } else credentials.push({ secretId: item.slice(0, separator), secretKey: item.slice(separator + 1) });
  }
  if (credentials.length > 0) options.credentials = credentials;
  if (values.ledger !== undefined) options.ledgerPath = values.ledger;
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) problems.push(`--seed must be an integer, got ${values.seed}`);
    else options.seed = seed;
  }
  if (values['admin-access'] !== undefined) {
    const access = values['admin-access'];
    if (access !== 'loopback' && access !== 'any' && access !== 'off') {
      problems.push(`--admin-access must be loopback, any or off, got ${access}`);
    } else options.adminAccess = access satisfies AdminAccess;
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'run', options, seedDemo: values['seed-demo'] ?? false };
}
