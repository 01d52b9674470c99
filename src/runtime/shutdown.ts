/**
 * Signal handling of the worker process. The first SIGINT/SIGTERM starts a graceful shutdown (the workers
 * drain: no new tasks, in-flight ones get the shutdown grace time). A second signal means the operator does not
 * want to wait: the process exits at once with 130 (128 + SIGINT, the shell's "interrupted").
 */
import type { Logger } from '@temporalio/common';

/** Exit code of a shutdown forced by a second signal. */
export const FORCED_EXIT_CODE = 130;

/** The signals that stop the worker. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Options of {@link handleShutdownSignals}. */
export interface ShutdownSignalOptions {
  logger: Logger;
  /** Included in the log line, so operators see how long the drain may take. */
  shutdownGraceMs: number;
  /** For tests. @default process */
  process?: Pick<NodeJS.Process, 'on' | 'off'> & { exit(code: number): void };
}

/** Handle of {@link handleShutdownSignals}. */
export interface ShutdownSignals {
  /** Settles with the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Removes the handlers (after the workers stopped, so a late signal gets the default behaviour). */
  dispose(): void;
}

/** Installs the handlers: first signal → `requested` resolves; second → exit {@link FORCED_EXIT_CODE}. */
export function handleShutdownSignals(options: ShutdownSignalOptions): ShutdownSignals {
  const proc = options.process ?? process;
  let first: NodeJS.Signals | undefined;
  let resolveRequested!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first === undefined) {
      first = signal;
      options.logger.info('Shutdown requested: draining the workers', {
        signal,
        shutdownGraceMs: options.shutdownGraceMs,
        forceWith: 'a second SIGINT/SIGTERM',
      });
      resolveRequested(signal);
      return;
    }
    options.logger.warn('Second shutdown signal: exiting without waiting for the drain', {
      signal,
      firstSignal: first,
      exitCode: FORCED_EXIT_CODE,
    });
    // The runtime buffers log lines for ordering (about 100 ms); flush them or the exit swallows this one.
    (options.logger as Partial<{ flush(): void }>).flush?.();
    proc.exit(FORCED_EXIT_CODE);
  };
  for (const signal of SHUTDOWN_SIGNALS) proc.on(signal, onSignal);
  return {
    requested,
    dispose: () => {
      for (const signal of SHUTDOWN_SIGNALS) proc.off(signal, onSignal);
    },
  };
}
