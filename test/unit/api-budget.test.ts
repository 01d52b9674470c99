import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import {
  GrantLead,
  budgetedBatchApi,
  createTemporalApiBudget,
  type ApiBudget,
} from '../../src/activities/api-budget';
import type { ApiCallsGrant, ApiCallsRequest } from '../../src/shared/api-budget-types';
import { ErrorType } from '../../src/shared/errors';
import { FakeBatchApi } from '../support/fake-batch-api';

/**
 * A client whose budget workflow answers each grant request with `answer(request)`: only the two members
 * `createTemporalApiBudget` asks for a grant with.
 */
function budgetClient(answer: (request: ApiCallsRequest) => ApiCallsGrant | Error): {
  client: Client;
  requests: ApiCallsRequest[];
} {
  const requests: ApiCallsRequest[] = [];
  const fake = {
    withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>): Promise<R> => fn(),
    workflow: {
      executeUpdateWithStart: (_update: unknown, options: { args: [ApiCallsRequest] }) => {
        requests.push(options.args[0]);
        const grant = answer(options.args[0]);
        return grant instanceof Error ? Promise.reject(grant) : Promise.resolve(grant);
      },
    },
  };
  return { client: fake as unknown as Client, requests };
}

/** A budget that grants every call at once and records what it was asked, in order with the calls. */
function recordingBudget(events: string[]): ApiBudget {
  return {
    take: (action) => {
      events.push(`take ${action}`);
      return Promise.resolve(Date.now());
    },
    refused: (action) => {
      events.push(`refused ${action}`);
      return Promise.resolve();
    },
  };
}

describe('GrantLead', () => {
  it('goes up at once to twice a slow answer and back to its floor within a few fast ones', () => {
    const lead = new GrantLead(() => 0);
    expect(lead.current).toBe(100);
    lead.answered(1_500);
    expect(lead.current).toBe(3_000);
    const after = [20, 20, 20, 20, 20].map((answerMs) => {
      lead.answered(answerMs);
      return lead.current;
    });
    expect(after).toEqual([1_500, 750, 375, 188, 100]);
  });

  it('doubles after a slot missed because its grant came late, and stays after one missed because the process stalled', () => {
    let now = 0;
    const lead = new GrantLead(() => now);
    lead.missed(20, false);
    expect(lead.current).toBe(100);
    lead.missed(20, true);
    lead.missed(20, true);
    expect(lead.current).toBe(400);
    // Never past what the budget workflow accepts.
    for (let i = 0; i < 10; i++) lead.missed(20, true);
    expect(lead.current).toBe(5_000);
    // Without slow answers it halves every 2 s: a stall at start is forgotten within seconds.
    now += 2_000;
    expect(lead.current).toBe(2_500);
    now += 8_000;
    expect(lead.current).toBe(156);
  });
});

describe('createTemporalApiBudget', () => {
  it('lets a call go at its slot, not when the slot is granted', async () => {
    let slot = 0;
    const { client } = budgetClient(() => {
      slot = Date.now() + 300;
      return { slots: [slot], rateInForce: 2 };
    });
    await createTemporalApiBudget({ client }).take('RetryJobs');
    // A timer may fire a millisecond early; without the wait the call would go out 300 ms early.
    expect(Date.now()).toBeGreaterThanOrEqual(slot - 20);
  });

  it('resolves ahead of the slot by the time its caller asks for, with the slot', async () => {
    let slot = 0;
    const { client } = budgetClient(() => {
      slot = Date.now() + 500;
      return { slots: [slot], rateInForce: 2 };
    });
    const taken = await createTemporalApiBudget({ client }).take('RetryJobs', 300);
    expect(taken).toBe(slot);
    expect(Date.now()).toBeGreaterThanOrEqual(slot - 300 - 20);
    expect(Date.now()).toBeLessThan(slot - 150);
  });

  it('gives up a slot it could only use late and asks again, further ahead', async () => {
    const { client, requests } = budgetClient(() => ({
      // The first answer arrives after its slot has passed (a slow frontend, a paused process).
      slots: [requests.length === 1 ? Date.now() - 1_000 : Date.now() + 50],
      rateInForce: 2,
    }));
    await createTemporalApiBudget({ client }).take('RetryJobs');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.leadMs).toBeGreaterThan(requests[0]?.leadMs ?? Infinity);
  });

  it('asks again no further ahead when its slot was missed because the process stalled, not the grant', async () => {
    const { client, requests } = budgetClient(() => {
      if (requests.length === 1) {
        // The grant is in time, then the event loop is blocked past the slot (workflow bundling at start does this).
        setImmediate(() => {
          const until = Date.now() + 400;
          while (Date.now() < until);
        });
      }
      return { slots: [Date.now() + 100], rateInForce: 2 };
    });
    await createTemporalApiBudget({ client }).take('RetryJobs');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.leadMs).toBe(requests[0]?.leadMs);
  });

  it('lets a background call give up its turn after a few tries when the budget is busy', async () => {
    const { client, requests } = budgetClient(() => ({ slots: [], rateInForce: 2 }));
    const startedAt = Date.now();
    await expect(createTemporalApiBudget({ client }).take('DescribeJobs', 0, true)).resolves.toBeUndefined();
    expect(requests.map((r) => r.background)).toEqual([true, true, true]);
    // It waited between tries (about a second each), so polls refused together spread out.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2 * 1_000 - 20);
  });

  it('fails for good when the budget workflow refuses the request', async () => {
    const { client } = budgetClient(
      () => new WorkflowUpdateFailedError('Workflow Update failed', new Error('unknown action')),
    );
    await expect(createTemporalApiBudget({ client }).take('RetryJobs')).rejects.toMatchObject({
      type: ErrorType.InvalidInput,
      nonRetryable: true,
    });
  });
});

describe('budgetedBatchApi', () => {
  it('fails a background call the budget had no turn for with a BENIGN, retryable ApiBudgetBusy, without calling the API', async () => {
    const api = new FakeBatchApi();
    let calls = 0;
    const describeJobs = api.describeJobs.bind(api);
    api.describeJobs = (input) => {
      calls++;
      return describeJobs(input);
    };
    const busy: ApiBudget = { take: () => Promise.resolve(undefined), refused: () => Promise.resolve() };
    const polls = budgetedBatchApi(api, busy, undefined, { background: true });
    await expect(polls.describeJobs({ jobIds: ['job-aaaaaaaa'] })).rejects.toMatchObject({
      type: ErrorType.ApiBudgetBusy,
      category: ApplicationFailureCategory.BENIGN,
      nonRetryable: false,
    });
    expect(calls).toBe(0);
  });

  it('takes a slot before every call, and sends a call refused for its rate again at a later slot after telling the budget', async () => {
    const api = new FakeBatchApi();
    api.fail('job-aaaaaaaa');
    const events: string[] = [];
    const retryJobs = api.retryJobs.bind(api);
    api.retryJobs = (input) => {
      events.push('call RetryJobs');
      if (events.filter((e) => e === 'call RetryJobs').length === 1) {
        return Promise.reject(
          ApplicationFailure.create({ message: 'RequestLimitExceeded', type: ErrorType.Throttled }),
        );
      }
      return retryJobs(input);
    };
    await budgetedBatchApi(api, recordingBudget(events)).retryJobs({ jobIds: ['job-aaaaaaaa'] });
    expect(events).toEqual([
      'take RetryJobs',
      'call RetryJobs',
      'refused RetryJobs',
      'take RetryJobs',
      'call RetryJobs',
    ]);
    expect(api.retryCalls).toEqual([['job-aaaaaaaa']]);
  });

  it('passes every other failure through at once, without telling the budget', async () => {
    const api = new FakeBatchApi();
    api.jobs.set('job-aaaaaaaa', { state: 'RUNNING' });
    const events: string[] = [];
    await expect(
      budgetedBatchApi(api, recordingBudget(events)).retryJobs({ jobIds: ['job-aaaaaaaa'] }),
    ).rejects.toMatchObject({ type: ErrorType.UnsupportedOperation });
    expect(events).toEqual(['take RetryJobs']);
  });
});
