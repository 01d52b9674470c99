/**
 * `jobStateWatcherWorkflow`: one per namespace and describe queue. Recovery workflows register the jobs they
 * still watch; the watcher reads all of them together, up to 100 per DescribeJobs call (the describe queue's
 * rate limit paces the calls), and signals each owner only the jobs that changed. 500 workflows watching one job
 * each cost 5 calls per poll instead of 500: with DescribeJobs at 2/s, a wave of failures is seen in seconds.
 *
 * It polls with one `awaitJobChanges` activity per 100 jobs, whose retries are the polls, so waiting adds no
 * history. A part that sees a change reports it and polls again on its
 * own; the others keep polling. New registrations get one read of their jobs (a first look) and a poll of their
 * own; every hour all polls are rebuilt into full parts without the jobs nobody watches any more.
 *
 * Owners decide everything (retry, escalate); the watcher only reads and tells. A lost registration costs at most
 * one refresh period (owners renew it every 2 h, and at once when their jobs change); a registration of a
 * workflow that ended is dropped when signalling it fails, or after its TTL.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import { jobReadsQuery, watchJobsSignal, type JobWatcherInput } from '../shared/watcher-types';
import { JobWatcher } from './job-watcher';

export async function jobStateWatcherWorkflow(input: JobWatcherInput = {}): Promise<void> {
  const watcher = new JobWatcher(input);
  setHandler(watchJobsSignal, (request) => watcher.register(request));
  setHandler(jobReadsQuery, (request) => watcher.jobReads(request));
  while (!watcher.timeToContinue()) {
    watcher.expireStale();
    if (watcher.registry.isEmpty()) await watcher.awaitOwners();
    else if (watcher.registry.unseenJobIds().length > 0) await watcher.firstLook();
    else await watcher.pollForAWhile();
  }
  await watcher.reportsSent();
  await condition(allHandlersFinished);
  await continueAsNew<typeof jobStateWatcherWorkflow>(watcher.continueAsNewInput());
}
