import { types } from 'node:util';
import { containsSecret, redactSecrets } from './credentials';

/**
 * Keeps secrets out of the `cause` of Batch failures. Temporal serialises a cause's message and stack into
 * workflow history, and loggers print its fields: whatever the cause holds, operators will see.
 */

/** How deep a cause chain is checked and copied; deeper links are dropped. */
const MAX_CAUSE_DEPTH = 5;

/**
 * A copy of an error with every known secret scrubbed from its text and every object-valued field dropped.
 * Used as the `cause` instead of the original only when the original is not safe to keep (see {@link safeCause}).
 */
export class SanitizedError extends Error {
  /** Constructor name of the error this copies, e.g. `TencentCloudSDKHttpException`. */
  readonly originalName: string;

  constructor(original: Error, depth = 0) {
    super(redactSecrets(String(original.message)));
    this.name = original.name;
    this.originalName = original.constructor?.name ?? original.name;
    this.stack = redactSecrets(original.stack ?? '');
    const self = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(original)) {
      if (key === 'cause' || key === 'message' || key === 'stack' || key === 'name' || key in self) continue;
      if (typeof value === 'string') self[key] = redactSecrets(value);
      else if (['number', 'boolean', 'bigint'].includes(typeof value) || value === null) self[key] = value;
      // Objects (request configs, headers, agents) are dropped: they are where credentials hide.
    }
    const cause: unknown = (original as { cause?: unknown }).cause;
    if (isError(cause) && depth < MAX_CAUSE_DEPTH) this.cause = new SanitizedError(cause, depth + 1);
  }
}

/**
 * The original error when it is safe to keep as the cause, else a {@link SanitizedError} copy. Safe means:
 * no known secret in its message, stack or string fields, no object-valued fields (request configs and
 * headers are where credentials hide), and a cause chain that is safe too. The SDK's own exceptions hold
 * only message, requestId, traceId, code and httpCode, so they are normally kept as they are.
 */
export function safeCause(err: Error): Error {
  return isSafeToKeep(err, 0) ? err : new SanitizedError(err);
}

function isSafeToKeep(err: Error, depth: number): boolean {
  if (depth > MAX_CAUSE_DEPTH) return false;
  if (containsSecret(String(err.message)) || containsSecret(err.stack ?? '')) return false;
  for (const [key, value] of Object.entries(err)) {
    if (key === 'cause') continue;
    if (typeof value === 'string' ? containsSecret(value) : typeof value === 'object' && value !== null)
      return false;
    if (typeof value === 'function') return false;
  }
  const cause: unknown = (err as { cause?: unknown }).cause;
  return cause === undefined || (isError(cause) && isSafeToKeep(cause, depth + 1));
}

/**
 * `instanceof Error` is false for errors from another realm (Node core errors seen from a jest or vm
 * context, errors crossing worker threads); Node's own check is not.
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}
