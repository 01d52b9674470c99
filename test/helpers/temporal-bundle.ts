import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Bundles already built (or being built) in this process, by workflows path. */
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * The webpack bundle of `workflowsPath`, built once per process (jest gives each test file its own module
 * registry, so in practice once per test file). Bundling takes seconds; pass the result to
 * `Worker.create({ workflowBundle })` instead of `workflowsPath` in every test.
 */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    // WARN: webpack's progress output would drown the test report.
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
    // A failed bundle is not cached: the next test gets the real error again, not a stale rejection.
    bundle.catch(() => bundles.delete(workflowsPath));
  }
  return bundle;
}
