/**
 * One API request from bytes to answer, in the order the real API checks things:
 * method and body type → Action/Version → signature, TC3 or v1 (AuthFailure.*) → version (NoSuchVersion) →
 * action (InvalidAction) → region (MissingParameter, UnsupportedRegion) → language → rate limit
 * (RequestLimitExceeded) → body → parameters and effect.
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
import { isOfficialErrorCode } from './official-error-codes';
import { checkRegion } from './regions';
import { decodeRequest } from './request-decoder';
import { type SignedRequest, verifyTc3Request } from './tc3-verifier';
import { verifyV1Request } from './v1-verifier';

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
    const decoded = decodeRequest(request);
    const { action, version, region, language } = decoded.common;
    if (!action) throw missingParameter('Action');
    if (!version) throw missingParameter('Version');

    const verifyOptions = {
      credentials: this.deps.credentials(),
      nowSeconds: Math.floor(atMs / 1000),
      clockSkewToleranceSeconds: this.deps.clockSkewToleranceSeconds,
    };
    const signer =
      decoded.signatureMethod === 'TC3-HMAC-SHA256'
        ? verifyTc3Request(request, verifyOptions)
        : verifyV1Request(request, decoded.v1Params ?? {}, decoded.signatureMethod, verifyOptions);
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
    checkRegion(action, region);
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

    const params = decoded.params();
    try {
      return ACTION_HANDLERS[action](params, {
        store: this.deps.store,
        now: this.deps.store.now(),
        encoding: decoded.encoding,
        region: region === '' ? undefined : region,
      });
    } catch (error) {
      if (error instanceof ApiError && !isOfficialErrorCode(action, error.code)) {
        // An emulator bug: the official lists never give this action that code. Say so rather than teach
        // clients a code the real API never sends.
        throw new Error(`${action} answered ${error.code}, which the official lists do not give it`);
      }
      throw error;
    }
  }
}
