/**
 * The admin API: unsigned JSON endpoints under /_emulator/ so that scripts in any language can seed jobs,
 * force outcomes, inject faults and read the ledger. By default only loopback peers may use it.
 *
 *   GET    /_emulator/health                      {ok, emulatedNow}
 *   POST   /_emulator/jobs                        JobSpec → 201 {jobId}
 *   GET    /_emulator/jobs/<jobId>                EmulatedJob
 *   DELETE /_emulator/jobs/<jobId>                {deleted}
 *   POST   /_emulator/jobs/<jobId>/script         JobScript → {ok}
 *   POST   /_emulator/jobs/<jobId>/state          {state, taskName?, exitCode?, reason?} → {ok}
 *   GET    /_emulator/ledger?action=&outcome=&since=&until=&jobId=   {entries}
 *   GET    /_emulator/ledger/max-per-window?action=&windowMs=1000&count=all|admitted   {max}
 *   GET    /_emulator/jobs/<jobId>/retries        {retries} (applied RetryJobs, from the ledger)
 *   GET    /_emulator/faults                      {faults}
 *   POST   /_emulator/faults                      FaultRule → {ok}
 *   DELETE /_emulator/faults                      {ok}
 *   POST   /_emulator/rate-limits                 {action, rps} → {ok}   (rps 0 = unlimited)
 *   POST   /_emulator/clock/advance               {seconds} → {emulatedNow}
 *   GET    /_emulator/credentials                 {keys} (SecretIds and status, no secrets)
 *   POST   /_emulator/credentials                 {temporary?, ttlSeconds?} → 201 {secretId, secretKey, token?, expiredTime?, expiration?}
 *   DELETE /_emulator/credentials/<secretId>      {revoked} (later requests: AuthFailure.SecretIdNotFound)
 *
 * Bad input answers 400 {error}; unknown paths 404; a refused peer 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JOB_STATES, type JobState } from '../shared/batch-types';
import { isBatchAction } from './batch-api-constants';
import type { EmulatorControls } from './emulator-controls';
import type { AdminAccess } from './emulator-options';
import type { FaultRule } from './faults';
import { isLoopbackAddress, readBody, sendJson } from './http-body';
import type { LedgerFilter, WindowCount } from './ledger';

/** Path prefix of the admin API. */
export const ADMIN_PREFIX = '/_emulator';

const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

class BadRequest extends Error {}

/** Handles one admin request. */
export async function handleAdminRequest(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  controls: EmulatorControls,
  access: AdminAccess,
): Promise<void> {
  if (access === 'off' || (access === 'loopback' && !isLoopbackAddress(request.socket.remoteAddress))) {
    sendJson(response, 403, { error: 'the admin API is not available to this peer' });
    return;
  }
  try {
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    const route = url.pathname.slice(ADMIN_PREFIX.length).split('/').filter(Boolean);
    const answer = dispatch(request.method ?? 'GET', route, url.searchParams, body, controls);
    if (answer === undefined)
      sendJson(response, 404, { error: `no admin route ${request.method} ${url.pathname}` });
    else sendJson(response, answer.status ?? 200, answer.body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sendJson(response, 400, { error: message });
  }
}

function dispatch(
  method: string,
  route: string[],
  query: URLSearchParams,
  body: unknown,
  controls: EmulatorControls,
): { status?: number; body: unknown } | undefined {
  const [resource, id, sub] = route;
  const key = `${method} ${resource ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}`;
  switch (key) {
    case 'GET health':
      return { body: { ok: true, emulatedNow: new Date(controls.emulatedNow()).toISOString() } };
    case 'POST jobs':
      return { status: 201, body: { jobId: controls.createJob(asObject(body)) } };
    case 'GET jobs/:id': {
      const job = controls.getJob(id ?? '');
      return job ? { body: job } : { status: 404, body: { error: `no job ${id}` } };
    }
    case 'DELETE jobs/:id':
      return { body: { deleted: controls.deleteJob(id ?? '') } };
    case 'POST jobs/:id/script':
      controls.setScript(existing(controls, id), asObject(body));
      return { body: { ok: true } };
    case 'POST jobs/:id/state': {
      const { state, ...options } = asObject(body) as {
        state?: string;
        taskName?: string;
        exitCode?: number;
        reason?: string;
      };
      if (!JOB_STATES.includes(state as JobState))
        throw new BadRequest(`state must be one of ${JOB_STATES.join(', ')}`);
      controls.setJobState(existing(controls, id), state as JobState, options);
      return { body: { ok: true } };
    }
    case 'GET jobs/:id/retries':
      return { body: { retries: controls.ledger.retriesOf(id ?? '') } };
    case 'GET ledger':
      return { body: { entries: controls.ledger.entries(ledgerFilter(query)) } };
    case 'GET ledger/:id':
      if (id !== 'max-per-window') return undefined;
      return { body: { max: maxPerWindow(controls, query) } };
    case 'GET faults':
      return { body: { faults: controls.faults.list() } };
    case 'POST faults':
      controls.faults.add(asObject(body) as unknown as FaultRule);
      return { body: { ok: true } };
    case 'DELETE faults':
      controls.faults.clear();
      return { body: { ok: true } };
    case 'POST rate-limits': {
      const { action, rps } = asObject(body);
      if (!isBatchAction(action)) throw new BadRequest(`unknown action ${String(action)}`);
      if (typeof rps !== 'number') throw new BadRequest('rps must be a number (0 = unlimited)');
      controls.setRateLimit(action, rps);
      return { body: { ok: true } };
    }
    case 'GET credentials':
      return { body: { keys: controls.credentials.list() } };
    case 'POST credentials': {
      const { temporary, ttlSeconds } = asObject(body);
      if (ttlSeconds !== undefined && typeof ttlSeconds !== 'number')
        throw new BadRequest('ttlSeconds must be a number');
      if (temporary !== true && ttlSeconds !== undefined)
        throw new BadRequest('ttlSeconds applies to temporary credentials only');
      const issued =
        temporary === true
          ? controls.credentials.issueTemporary(ttlSeconds)
          : controls.credentials.issueKey();
      return { status: 201, body: issued };
    }
    case 'DELETE credentials/:id':
      return { body: { revoked: controls.credentials.revoke(id ?? '') } };
    case 'POST clock/:id':
      if (id !== 'advance') return undefined;
      controls.advanceTime(Number(asObject(body)['seconds']));
      return { body: { emulatedNow: new Date(controls.emulatedNow()).toISOString() } };
    default:
      return undefined;
  }
}

function existing(controls: EmulatorControls, jobId: string | undefined): string {
  if (jobId === undefined || controls.getJob(jobId) === undefined) throw new BadRequest(`no job ${jobId}`);
  return jobId;
}

function ledgerFilter(query: URLSearchParams): LedgerFilter {
  const filter: LedgerFilter = {};
  const action = query.get('action');
  const outcome = query.get('outcome');
  const since = query.get('since');
  const until = query.get('until');
  const jobId = query.get('jobId');
  if (action) filter.action = action;
  if (outcome) filter.outcome = outcome;
  if (since) filter.since = Number(since);
  if (until) filter.until = Number(until);
  if (jobId) filter.jobId = jobId;
  return filter;
}

function maxPerWindow(controls: EmulatorControls, query: URLSearchParams): number {
  const action = query.get('action');
  if (!action) throw new BadRequest('action is required');
  const windowMs = Number(query.get('windowMs') ?? 1000);
  if (!(windowMs > 0)) throw new BadRequest('windowMs must be > 0');
  const count = (query.get('count') ?? 'all') as WindowCount;
  if (count !== 'all' && count !== 'admitted') throw new BadRequest('count must be all or admitted');
  return controls.ledger.maxPerWindow(action, windowMs, count);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, MAX_ADMIN_BODY_BYTES);
  if (body === 'too-large') throw new BadRequest('body larger than 1 MiB');
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('body is not JSON');
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequest('body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
