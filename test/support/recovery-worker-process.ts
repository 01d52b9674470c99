/**
 * The package's real worker (src/worker.ts) in a child process, configured only through the environment as in
 * production. Tests SIGKILL it to prove a retry interrupted mid-flight is not repeated.
 */
import { readWorkerConfig } from '../../src/runtime/worker-config';
import { runWorker, shutdownSignal } from '../../src/worker';
import { exitWhenParentDies } from '../helpers/temporal-worker-process';

exitWhenParentDies();
runWorker(readWorkerConfig(process.env), shutdownSignal()).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`worker failed: ${String(err)}\n`);
    process.exit(1);
  },
);
