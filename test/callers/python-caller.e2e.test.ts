/** The Python caller (examples/callers/python, temporalio from PyPI in setup.sh's venv); see caller-kit.ts. */
import path from 'node:path';
import { callersDir, describeCaller } from './caller-kit';

describe('the Python caller against the dev server and the emulator', () => {
  describeCaller('python', ({ setup }) =>
    Promise.resolve({
      command: setup.CALLERS_PYTHON!,
      // -B: no __pycache__ in the repository.
      args: ['-B', 'main.py'],
      cwd: path.join(callersDir, 'python'),
    }),
  );
});
