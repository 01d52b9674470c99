/** The Java caller (examples/callers/java, the Java SDK from Maven Central), compiled with javac; see caller-kit.ts. */
import path from 'node:path';
import { runCommand } from '../support/run-command';
import { callersDir, describeCaller } from './caller-kit';

describe('the Java caller against the dev server and the emulator', () => {
  describeCaller('java', async ({ setup, buildDir }) => {
    const classpath = setup.CALLERS_JAVA_CLASSPATH!;
    await runCommand(
      'javac',
      ['-Xlint:all', '-Werror', '-cp', classpath, '-d', buildDir, 'BatchRecovery.java', 'Main.java'],
      {
        cwd: path.join(callersDir, 'java/src/main/java/example/callers'),
        timeoutMs: 2 * 60_000,
      },
    );
    return {
      command: 'java',
      args: ['-cp', `${buildDir}${path.delimiter}${classpath}`, 'example.callers.Main'],
      cwd: callersDir,
    };
  });
});
