/** The Go caller (examples/callers/go, Go SDK from the module proxy); the scenario is in caller-kit.ts. */
import path from 'node:path';
import { runCommand } from '../support/run-command';
import { callersDir, describeCaller } from './caller-kit';

describe('the Go caller against the dev server and the emulator', () => {
  describeCaller('go', async ({ buildDir }) => {
    const binary = path.join(buildDir, 'go-caller');
    await runCommand('go', ['build', '-o', binary, '.'], {
      cwd: path.join(callersDir, 'go'),
      timeoutMs: 10 * 60_000,
    });
    return { command: binary, args: [], cwd: callersDir };
  });
});
