/**
 * The API 3.0 response envelope. Success and API errors are both HTTP 200:
 * `{"Response": {...fields, "RequestId"}}` and `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
 */

/** A success answer. */
export function successEnvelope(requestId: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { Response: { ...fields, RequestId: requestId } };
}

/** An API error answer. */
export function errorEnvelope(requestId: string, code: string, message: string): Record<string, unknown> {
  return { Response: { Error: { Code: code, Message: message }, RequestId: requestId } };
}

/** The message of RequestLimitExceeded, worded like the API's. */
export function requestLimitMessage(action: string, limit: number): string {
  return (
    `Your current request times exceeds the frequency limit \`${limit}\` per second of action ${action}. ` +
    'Please reduce the frequency of calls.'
  );
}

/** The message of InternalError, worded like the API's. */
export const INTERNAL_ERROR_MESSAGE =
  'An internal error has occurred. Retry your request, but if the problem persists, contact us.';
