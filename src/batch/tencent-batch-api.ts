import { Client } from 'tencentcloud-sdk-nodejs/tencentcloud/services/batch/v20170312/batch_client';
import type {
  Job as SdkJob,
  DescribeTaskRequest,
} from 'tencentcloud-sdk-nodejs/tencentcloud/services/batch/v20170312/batch_models';
import { JOB_STATES, type JobState } from '../shared/batch-types';
import { MAX_JOB_IDS_PER_REQUEST } from '../shared/constants';
import { isJobId, normalizeJobIds } from '../shared/job-id';
import type { BatchApi } from './batch-api';
import type { BatchConfig } from './batch-config';
import { classifyTencentError, invalidInputFailure, invalidJobIdFailure } from './classify-error';
import { slotKeepingAgent } from './send-at-slot';
import {
  parseDescribeJob,
  parseDescribeJobs,
  parseDescribeTask,
  parseRequestIdOnly,
  parseSubmitJob,
} from './parse-responses';

/** DescribeTask's page size limits (API default 100, max 1000). */
export const DESCRIBE_TASK_MAX_LIMIT = 1000;

/**
 * The {@link BatchApi} over the official `tencentcloud-sdk-nodejs` Batch client (API 2017-03-12).
 *
 * - Only the Batch service module is loaded (not the SDK's index, which loads every service).
 * - Inputs are checked locally before any request: malformed job IDs fail with `ErrorType.InvalidJobId`,
 *   empty or oversized lists and bad paging with `ErrorType.InvalidInput`, both non-retryable.
 * - Answers are checked for shape (`ErrorType.MalformedResponse`, retryable) and mapped to camelCase.
 * - Every failure goes through `classifyTencentError`.
 *
 * Credentials reach the SDK through a `getCredential()` closure that asks `config.credentials` on every call,
 * so the SDK client object itself holds no secret that a debugger or a careless log line could print, and keys
 * that rotate are followed without a restart. The SDK (4.1.x) has no request logging to turn
 * off; it never logs requests or headers.
 *
 * The client uses its own keep-alive agent, which sends requests at their budget slots
 * (./send-at-slot.ts). Side effect, on purpose: the SDK's implicit `http_proxy`
 * environment lookup (lowercase only, no `no_proxy`, which would send emulator traffic to a proxy) is off;
 * all configuration comes from {@link BatchConfig}.
 */
export function createBatchApi(config: BatchConfig): BatchApi {
  const client = createSdkClient(config);

  /** Sends one action; whatever fails (SDK, transport, shape check) leaves as a classified failure. */
  async function call<T>(
    action: string,
    send: () => Promise<unknown>,
    parse: (raw: unknown) => T,
  ): Promise<T> {
    try {
      return parse(await send());
    } catch (err) {
      throw classifyTencentError(err, action);
    }
  }

  return {
    async describeJobs(input) {
      const action = 'DescribeJobs';
      const jobIds = requireJobIdList(action, field(input, 'jobIds'));
      // Limit defaults to 20 on the API side: without it a 100-ID request silently returns 20 jobs.
      return call(
        action,
        () => client.DescribeJobs({ JobIds: jobIds, Offset: 0, Limit: jobIds.length }),
        (raw) => parseDescribeJobs(raw, jobIds),
      );
    },

    async describeJob(input) {
      const action = 'DescribeJob';
      const jobId = requireJobId(action, field(input, 'jobId'));
      return call(
        action,
        () => client.DescribeJob({ JobId: jobId }),
        (raw) => parseDescribeJob(raw, jobId),
      );
    },

    async describeTask(input) {
      const action = 'DescribeTask';
      const jobId = requireJobId(action, field(input, 'jobId'));
      const taskName = requireNonEmptyString(action, 'taskName', field(input, 'taskName'));
      const offset = optionalInteger(action, 'offset', field(input, 'offset'), 0, Number.MAX_SAFE_INTEGER);
      const limit = optionalInteger(action, 'limit', field(input, 'limit'), 1, DESCRIBE_TASK_MAX_LIMIT);
      const instanceState = optionalState(action, 'instanceState', field(input, 'instanceState'));
      const request: DescribeTaskRequest = {
        JobId: jobId,
        TaskName: taskName,
        ...(offset !== undefined ? { Offset: offset } : {}),
        ...(limit !== undefined ? { Limit: limit } : {}),
        ...(instanceState !== undefined
          ? { Filters: [{ Name: 'task-instance-state', Values: [instanceState] }] }
          : {}),
      };
      return call(
        action,
        () => client.DescribeTask(request),
        (raw) => parseDescribeTask(raw, jobId, taskName),
      );
    },

    async retryJobs(input) {
      const action = 'RetryJobs';
      const jobIds = requireJobIdList(action, field(input, 'jobIds'));
      return call(action, () => client.RetryJobs({ JobIds: jobIds }), parseRequestIdOnly);
    },

    async submitJob(input) {
      const action = 'SubmitJob';
      const placement = field(input, 'placement');
      const zone = requireNonEmptyString(action, 'placement.zone', field(placement, 'zone'));
      const job = field(input, 'job');
      if (typeof job !== 'object' || job === null || Array.isArray(job)) {
        throw invalidInputFailure(action, 'job must be the Job object of the API (JobName, Tasks, ...)');
      }
      const clientToken = field(input, 'clientToken');
      if (clientToken !== undefined) requireNonEmptyString(action, 'clientToken', clientToken);
      return call(
        action,
        () =>
          client.SubmitJob({
            Placement: { Zone: zone },
            // Passed through as given: the API validates the Job object itself (InvalidParameter*).
            Job: job as SdkJob,
            ...(typeof clientToken === 'string' ? { ClientToken: clientToken } : {}),
          }),
        parseSubmitJob,
      );
    },

    async terminateJob(input) {
      const action = 'TerminateJob';
      const jobId = requireJobId(action, field(input, 'jobId'));
      return call(action, () => client.TerminateJob({ JobId: jobId }), parseRequestIdOnly);
    },

    async deleteJob(input) {
      const action = 'DeleteJob';
      const jobId = requireJobId(action, field(input, 'jobId'));
      return call(action, () => client.DeleteJob({ JobId: jobId }), parseRequestIdOnly);
    },
  };
}

/**
 * Activities receive their input from other services and languages, so the TypeScript types are a promise,
 * not a fact: fields are read defensively.
 */
function field(input: unknown, key: string): unknown {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
}

/** 1..100 well-formed job IDs, de-duplicated in first-seen order. */
function requireJobIdList(action: string, jobIds: unknown): string[] {
  const result = normalizeJobIds(jobIds, MAX_JOB_IDS_PER_REQUEST);
  if (result.ok) return result.jobIds;
  const malformed = result.problems.some((problem) => problem.index >= 0);
  throw malformed ? invalidJobIdFailure(action, result.summary) : invalidInputFailure(action, result.summary);
}

function requireJobId(action: string, jobId: unknown): string {
  if (isJobId(jobId)) return jobId;
  throw invalidJobIdFailure(action, `jobId=${JSON.stringify(jobId) ?? String(jobId)} is not a job ID`);
}

function requireNonEmptyString(action: string, name: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw invalidInputFailure(action, `${name} must be a non-empty string`);
}

function optionalInteger(
  action: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalidInputFailure(action, `${name} must be an integer from ${min} to ${max}`);
}

function optionalState(action: string, name: string, value: unknown): JobState | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value))
    return value as JobState;
  throw invalidInputFailure(action, `${name} must be one of ${JOB_STATES.join(', ')}`);
}

/**
 * One cheap read that any identity allowed to use Batch may send (DescribeJobs, `Limit` 1, no filter): the worker
 * sends it now and then, so `/healthz` learns that Tencent Cloud refuses (or accepts again) its credentials even
 * while no activity calls the API.
 * @throws the classified failure, as every {@link BatchApi} method.
 */
export function createCredentialCheck(config: BatchConfig): () => Promise<{ requestId: string }> {
  const client = createSdkClient(config);
  return async () => {
    try {
      const raw = await client.DescribeJobs({ Offset: 0, Limit: 1 });
      return { requestId: typeof raw?.RequestId === 'string' ? raw.RequestId : '' };
    } catch (err) {
      throw classifyTencentError(err, 'DescribeJobs');
    }
  };
}

function createSdkClient(config: BatchConfig): Client {
  return new Client({
    credential: {
      // Asked on every call: a source that rotates (profile file, CVM/OIDC/STS roles) needs no restart.
      getCredential: async () => {
        const credentials = await config.credentials.current();
        return {
          secretId: credentials.secretId,
          secretKey: credentials.secretKey,
          ...(credentials.sessionToken !== undefined ? { token: credentials.sessionToken } : {}),
        };
      },
    },
    region: config.region,
    profile: {
      signMethod: 'TC3-HMAC-SHA256',
      // English error messages: they end up in failure messages read by operators and other services.
      language: 'en-US',
      httpProfile: {
        reqMethod: 'POST',
        endpoint: config.endpoint,
        protocol: config.protocol,
        reqTimeout: config.requestTimeoutSeconds,
        agent: slotKeepingAgent(config.protocol),
      },
    },
  });
}
