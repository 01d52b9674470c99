/**
 * One API request from bytes to answer, in the order the real API checks things:
 * method → Action/Version headers → signature (AuthFailure.*) → version (NoSuchVersion) → action
 * (InvalidAction) → language → rate limit (RequestLimitExceeded) → body → parameters and effect.
 * Requests rejected by the rate limiter still count as seen; requests that fail before it do not count
 * against any limit. Everything here is synchronous, so each request is atomic.
 */
import { randomUUID } from 'node:crypto';
import { ACTION_HANDLERS } from './actions';
import { ApiError, missingParameter } from './api-error';
import { INTERNAL_ERROR_MESSAGE, errorEnvelope, requestLimitMessage, successEnvelope } from './api-envelope';
import {
  BATCH_API_VERSION,
  BATCH_SERVICE,
  type EmulatorCredentials,
  LANGUAGES,
  isBatchAction,
} from './batch-api-constants';
import type { JobStore } from './job-store';
import type { AppliedEffects } from './ledger';
import type { SlidingWindowRateLimiter } from './rate-limiter';
import { type SignedRequest, headerValue, verifyTc3Request } from './tc3-verifier';

/** What the pipeline needs. */
export interface ApiPipelineDeps {
  store: JobStore;
  limiter: SlidingWindowRateLimiter;
  /** Read on every request, so credentials can change at run time. */
  credentials: () => readonly EmulatorCredentials[];
  clockSkewToleranceSeconds: number;
  /** A refusal for a correctly signed request (expired temporary credentials: ./credential-store.ts). */
  refuseSigner?: (secretId: string, atMs: number) => ApiError | undefined;
}

/** The answer to one request, and what the ledger records of it. */
export interface ApiAnswer {
  requestId: string;
  /** The envelope to send with HTTP 200. */
  body: Record<string, unknown>;
  /** 'ok' or the error code. */
  outcome: string;
  admitted: boolean;
  secretId?: string;
  effects?: AppliedEffects;
}

/** Handles API requests. */
export class ApiPipeline {
  constructor(private readonly deps: ApiPipelineDeps) {}

  /** Handles a request that arrived at real time `atMs`. */
  handle(request: SignedRequest, atMs: number): ApiAnswer {
    const requestId = randomUUID();
    const state: { admitted: boolean; secretId?: string } = { admitted: false };
    try {
      const { response, effects } = this.run(request, atMs, state);
      return {
        requestId,
        body: successEnvelope(requestId, response),
        outcome: 'ok',
        ...state,
        ...(effects && Object.keys(effects).length > 0 ? { effects } : {}),
      };
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError('InternalError', `${INTERNAL_ERROR_MESSAGE} (${String(error)})`);
      return {
        requestId,
        body: errorEnvelope(requestId, apiError.code, apiError.message),
        outcome: apiError.code,
        ...state,
      };
    }
  }

  private run(
    request: SignedRequest,
    atMs: number,
    state: { admitted: boolean; secretId?: string },
  ): { response: Record<string, unknown>; effects?: AppliedEffects } {
    if (request.method !== 'POST') {
      throw new ApiError(
        'UnsupportedProtocol',
        `The emulator accepts only POST requests with a JSON body (got ${request.method}).`,
      );
    }
    const action = headerValue(request.headers, 'x-tc-action');
    if (!action) throw missingParameter('Action');
    const version = headerValue(request.headers, 'x-tc-version');
    if (!version) throw missingParameter('Version');

    const signer = verifyTc3Request(request, {
      credentials: this.deps.credentials(),
      nowSeconds: Math.floor(atMs / 1000),
      clockSkewToleranceSeconds: this.deps.clockSkewToleranceSeconds,
    });
    state.secretId = signer.secretId;
    const refusal = this.deps.refuseSigner?.(signer.secretId, atMs);
    if (refusal) throw refusal;

    if (version !== BATCH_API_VERSION) {
      throw new ApiError(
        'NoSuchVersion',
        `The requested version \`${version}\` of service \`${BATCH_SERVICE}\` does not exist (only ${BATCH_API_VERSION}).`,
      );
    }
    if (!isBatchAction(action)) {
      throw new ApiError(
        'InvalidAction',
        `The requested action \`${action}\` does not exist (the emulator implements ${Object.keys(ACTION_HANDLERS).join(', ')}).`,
      );
    }
    const language = headerValue(request.headers, 'x-tc-language');
    if (language !== undefined && !(LANGUAGES as readonly string[]).includes(language)) {
      throw new ApiError(
        'InvalidParameterValue',
        `The value of \`Language\` must be one of ${LANGUAGES.join(', ')}.`,
      );
    }

    if (!this.deps.limiter.tryAcquire(action, atMs)) {
      throw new ApiError(
        'RequestLimitExceeded',
        requestLimitMessage(action, this.deps.limiter.limitOf(action)),
      );
    }
    state.admitted = true;

    const body = parseJsonBody(request.body);
    return ACTION_HANDLERS[action](body, { store: this.deps.store, now: this.deps.store.now() });
  }
}

/** The body as JSON; an empty body is `{}`. @throws {ApiError} when it is not JSON. */
function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('InvalidParameter', 'The request body is not valid JSON.');
  }
}

/** The body for the ledger: parsed JSON, or the text (first 10 000 characters) when it is not JSON. */
export function bodyForLedger(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 10_000);
  }
}
