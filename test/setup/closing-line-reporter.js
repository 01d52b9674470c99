// @ts-check
// Plain JavaScript: jest loads reporters without its transformer.

/**
 * Ends every jest run with exactly `jest: N passed, M failed` on its own line, the form CI reads (jest's own
 * summary does not match it). Suites that crashed before running a test count as failed. The line is
 * written when the process exits, so nothing (global teardown, jest's exit notices) can follow it.
 */
class ClosingLineReporter {
  /**
   * @param {unknown} _contexts
   * @param {import('@jest/reporters').AggregatedResult} results
   */
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}

module.exports = ClosingLineReporter;
