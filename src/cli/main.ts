#!/usr/bin/env node
/**
 * `tencent-batch-recovery`: the operators' CLI (`npx tsx src/cli/main.ts` in development, the package's `bin`
 * once built). Everything but the process wiring lives in run-cli.ts.
 */
import { processIo } from './cli-io';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const interrupt = new AbortController();
  // The first Ctrl-C stops `watch` cleanly; a second one kills the process as usual.
  process.once('SIGINT', () => interrupt.abort());
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    io: processIo(),
    signal: interrupt.signal,
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  });
}

void main();
