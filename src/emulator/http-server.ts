/**
 * The HTTP side: routes /_emulator/ to the admin API and everything else to the API pipeline, applies
 * injected faults, writes the ledger and the answer.
 *
 * What a client sees for each fault (the Node SDK's view in brackets):
 * - latency: the normal answer, late [a timeout if later than reqTimeout];
 * - slow-answer: handled (and applied) at once, the answer late: a caller that dies while it waits has had its
 *   change made without hearing of it [as latency];
 * - internal-error / request-limit-exceeded: HTTP 200 with that API error [TencentCloudSDKHttpException with
 *   code and requestId];
 * - http-502/503/504: that status with an HTML body [TencentCloudSDKHttpException with httpCode, requestId ''];
 * - connection-reset: TCP reset, no answer [TencentCloudSDKHttpException, no code, message from node-fetch];
 * - non-json: HTTP 200 with an HTML body [a raw FetchError of type 'invalid-json', not the SDK's class];
 * - apply-then-drop: the request is fully handled, its change applied and ledgered, then the connection is
 *   reset [as connection-reset]. Resetting right after applying, rather than holding the socket until the
 *   client times out, gives the same "no answer" to the client without making tests wait for a timeout.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { ADMIN_PREFIX, handleAdminRequest } from './admin-api';
import { INTERNAL_ERROR_MESSAGE, errorEnvelope, requestLimitMessage } from './api-envelope';
import type { ApiPipeline } from './api-pipeline';
import { MAX_REQUEST_BODY_BYTES, isBatchAction } from './batch-api-constants';
import { realNowMs } from './clock';
import type { EmulatorControls } from './emulator-controls';
import type { AdminAccess } from './emulator-options';
import type { ChosenFault, FaultInjector, FaultKind } from './faults';
import { readBody, sendJson } from './http-body';
import type { Ledger, LedgerEntry } from './ledger';
import type { SlidingWindowRateLimiter } from './rate-limiter';
import { actionAndParamsOf } from './request-decoder';
import { type SignedRequest, headerValue } from './tc3-verifier';

/** What the server needs. */
export interface EmulatorServerDeps {
  pipeline: ApiPipeline;
  faults: FaultInjector;
  ledger: Ledger;
  limiter: SlidingWindowRateLimiter;
  controls: EmulatorControls;
  adminAccess: AdminAccess;
}

/** Faults answered without handling the request. */
const SHORT_CIRCUIT: readonly FaultKind[] = [
  'internal-error',
  'http-502',
  'http-503',
  'http-504',
  'connection-reset',
  'non-json',
  'request-limit-exceeded',
];

const GATEWAY_STATUS_TEXT: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The HTTP server, with a way to stop it that also cancels requests held by latency faults. */
export interface EmulatorServer {
  server: Server;
  /** Stops accepting, drops open connections and pending delayed requests. */
  close: () => Promise<void>;
}

/** Creates the server (not yet listening). */
export function createEmulatorServer(deps: EmulatorServerDeps): EmulatorServer {
  const delays = new Set<() => void>();
  let closed = false;

  /** Waits `ms`, or until the server closes; false when closed. */
  const delay = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        delays.delete(done);
        resolve(!closed);
      };
      const timer = setTimeout(done, ms);
      delays.add(done);
    });

  const handleApi = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    // Stamped as soon as the request arrives, as a gateway counts it: reading the body takes more turns of the
    // event loop, and on a busy machine those would bunch calls that arrived apart.
    const arrivedAt = realNowMs();
    const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
    const rawUrl = request.url ?? '/';
    const signed: SignedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      // As received: URL parsing would re-encode characters some clients leave as they are (`'`, `*`).
      query: rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '',
      headers: request.headers,
      body: body === 'too-large' ? Buffer.alloc(0) : body,
    };
    const { action, params } = actionAndParamsOf(signed);
    const traceId = headerValue(request.headers, 'x-tc-traceid');
    const headers: Record<string, string> = traceId ? { 'X-TC-TraceId': traceId } : {};
    const fault = deps.faults.choose(action);
    const answerHeldMs = fault?.kind === 'slow-answer' ? fault.latencyMs : 0;
    const heldBefore = fault !== undefined && fault.latencyMs > 0 && answerHeldMs === 0;
    if (heldBefore && !(await delay(fault.latencyMs))) return;

    // A request held by a latency fault reaches the API when the hold ends.
    const at = heldBefore ? realNowMs() : arrivedAt;
    if (body === 'too-large') {
      const requestId = randomUUID();
      const message = `The request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes.`;
      deps.ledger.record({
        at,
        action,
        params: '(body too large)',
        outcome: 'RequestSizeLimitExceeded',
        requestId,
        admitted: false,
      });
      sendJson(response, 200, errorEnvelope(requestId, 'RequestSizeLimitExceeded', message), headers);
      return;
    }
    if (fault && SHORT_CIRCUIT.includes(fault.kind)) {
      const requestId = randomUUID();
      deps.ledger.record({ at, action, params, ...faultFields(fault, false), requestId, admitted: false });
      answerFault(fault.kind, action, requestId, request, response, headers, deps.limiter);
      return;
    }

    const answer = deps.pipeline.handle(signed, at);
    const entry: Omit<LedgerEntry, 'seq'> = {
      at,
      action,
      params,
      outcome: answer.outcome,
      requestId: answer.requestId,
      admitted: answer.admitted,
      ...(answer.secretId !== undefined ? { secretId: answer.secretId } : {}),
      ...(answer.effects !== undefined ? { appliedEffects: answer.effects } : {}),
    };
    if (fault)
      Object.assign(entry, faultFields(fault, answer.outcome === 'ok'), { apiOutcome: answer.outcome });
    deps.ledger.record(entry);
    if (fault?.kind === 'apply-then-drop') {
      resetConnection(request.socket);
      return;
    }
    if (answerHeldMs > 0 && !(await delay(answerHeldMs))) return;
    sendJson(response, 200, answer.body, headers);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const handling = url.pathname.startsWith(`${ADMIN_PREFIX}/`)
      ? handleAdminRequest(request, response, url, deps.controls, deps.adminAccess)
      : handleApi(request, response, url);
    handling.catch((error: unknown) => {
      // A bug of the emulator, not an API answer: say so plainly rather than hang the client.
      if (!response.headersSent) sendJson(response, 500, { error: `emulator failure: ${String(error)}` });
      else response.destroy();
    });
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closed = true;
        for (const done of [...delays]) done();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function faultFields(
  fault: ChosenFault,
  applied: boolean,
): Pick<LedgerEntry, 'outcome' | 'applied' | 'latencyMs'> {
  return {
    outcome: `fault:${fault.kind}`,
    applied,
    ...(fault.latencyMs > 0 ? { latencyMs: fault.latencyMs } : {}),
  };
}

function answerFault(
  kind: FaultKind,
  action: string,
  requestId: string,
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string>,
  limiter: SlidingWindowRateLimiter,
): void {
  switch (kind) {
    case 'internal-error':
      sendJson(response, 200, errorEnvelope(requestId, 'InternalError', INTERNAL_ERROR_MESSAGE), headers);
      return;
    case 'request-limit-exceeded': {
      const limit = isBatchAction(action) ? limiter.limitOf(action) : Infinity;
      sendJson(
        response,
        200,
        errorEnvelope(requestId, 'RequestLimitExceeded', requestLimitMessage(action, limit)),
        headers,
      );
      return;
    }
    case 'http-502':
    case 'http-503':
    case 'http-504': {
      const status = Number(kind.slice('http-'.length));
      sendHtml(response, status, gatewayPage(status));
      return;
    }
    case 'non-json':
      sendHtml(
        response,
        200,
        '<html><body><h1>Welcome</h1><p>This is not the API you are looking for.</p></body></html>\n',
      );
      return;
    case 'connection-reset':
    case 'latency':
    case 'slow-answer':
    case 'apply-then-drop':
      resetConnection(request.socket);
      return;
  }
}

function gatewayPage(status: number): string {
  const title = `${status} ${GATEWAY_STATUS_TEXT[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, GATEWAY_STATUS_TEXT[status] ?? 'OK', {
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(html),
  });
  response.end(html);
}

/** Resets the TCP connection (RST), so the client sees ECONNRESET / "socket hang up" and no answer. */
function resetConnection(socket: Socket): void {
  socket.resetAndDestroy();
}
