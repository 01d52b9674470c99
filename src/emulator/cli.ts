/**
 * Standalone emulator: `npx tsx src/emulator/cli.ts --port 9090 [--time-scale 60] [--seed-demo] ...`.
 * Prints the endpoint and the environment variables a client of this package needs, then runs until
 * SIGINT/SIGTERM.
 */
import { DEFAULT_EMULATOR_CREDENTIALS, DEFAULT_RATE_LIMITS } from './batch-api-constants';
import { USAGE, parseCliArgs } from './cli-args';
import { seedDemoJobs } from './demo-jobs';
import { startEmulator } from './emulator';

async function main(): Promise<number> {
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === 'invalid') {
    console.error(command.problems.map((p) => `error: ${p}`).join('\n') + '\n\n' + USAGE);
    return 2;
  }
  const { options } = command;
  const emulator = await startEmulator(options);
  const credentials = options.credentials?.[0] ?? DEFAULT_EMULATOR_CREDENTIALS;
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  console.log(`Tencent Cloud Batch emulator (API 2017-03-12) listening on ${emulator.url}`);
  console.log(`  time scale: ${options.timeScale ?? 1} emulated s per real s`);
  console.log(
    `  rate limits (req/s): ${Object.entries(limits)
      .map(([action, rps]) => `${action} ${rps === 0 ? 'unlimited' : rps}`)
      .join(', ')}`,
  );
  if (options.ledgerPath) console.log(`  ledger: ${options.ledgerPath}`);
  console.log(`  admin API: ${emulator.url}_emulator/ (${options.adminAccess ?? 'loopback'})`);
  console.log('\nPoint clients at it with:');
  console.log(`  export TENCENTCLOUD_SECRET_ID=${credentials.secretId}`);
  console.log(`  export TENCENTCLOUD_SECRET_KEY=${credentials.secretKey}`);
  console.log('  export TENCENTCLOUD_REGION=ap-guangzhou');
  console.log(`  export TENCENT_BATCH_ENDPOINT=${emulator.endpoint}`);
  console.log('  export TENCENT_BATCH_PROTOCOL=http://');
  if (command.seedDemo) {
    console.log('\nDemo jobs:');
    for (const demo of seedDemoJobs(emulator)) console.log(`  ${demo.jobId}  ${demo.jobName}: ${demo.story}`);
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
