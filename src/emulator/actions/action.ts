/**
 * What every action handler receives and returns. Handlers are synchronous: Node runs one at a time, so each
 * action is atomic with respect to every other request.
 */
import type { AppliedEffects } from '../ledger';
import type { JobStore } from '../job-store';
import type { ParamEncoding } from '../params';

/** The world as one request sees it. */
export interface ActionContext {
  store: JobStore;
  /** Emulated now (epoch ms), read once per request so that one answer is consistent. */
  now: number;
  /** How the parameters arrived: JSON, or flattened strings to read as the schema's types. */
  encoding: ParamEncoding;
  /** The request's region (checked); jobs of other regions are invisible. Undefined only where optional. */
  region: string | undefined;
}

/** A successful answer: the Response fields without RequestId, and the changes it made for the ledger. */
export interface ActionResult {
  response: Record<string, unknown>;
  effects?: AppliedEffects;
}

/**
 * One action: checks its parameters (throwing `ApiError`), applies its change and answers.
 * `body` is the parsed JSON body, or the flattened parameters nested back (string values).
 */
export type ActionHandler = (body: unknown, context: ActionContext) => ActionResult;
