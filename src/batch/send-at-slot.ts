/**
 * Calls that leave at their slot or not at all. The API budget grants each call a slot, and a call that reaches the
 * API well after its slot could crowd a later one-second window. Between the start of a call and the wire lie the
 * credential lookup, the signing and a few turns of the event loop, which on a busy process (or during a
 * credential refresh) can take longer than a slot's tolerance. So the slot is kept where the request is handed to
 * a socket, by the Batch client's own agent: a request ready early waits there for its slot, and one ready too late
 * is not sent. A caller that starts its calls ahead by about as long as its requests take to get ready
 * ({@link SentAtSlot.readyAfterMs}) has them leave on time even when every one of them is slow.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

interface SlotToKeep {
  slot: number;
  toleranceMs: number;
  startedAt: number;
  readyAt?: number;
  /** Set by the agent when it dropped the request. */
  missed?: SendDeadlineMissedError;
}

const slots = new AsyncLocalStorage<SlotToKeep>();

/** The request was ready only after its slot's tolerance, so it was never sent. */
export class SendDeadlineMissedError extends Error {
  constructor(
    readonly missedByMs: number,
    /** How long the request took to get ready (from the start of the call to the socket). */
    readonly readyAfterMs: number,
  ) {
    super(`the request was ready ${missedByMs} ms after its slot's tolerance and was not sent`);
    this.name = 'SendDeadlineMissedError';
  }
}

/** What a call made at a slot answered, and how long its request took to get ready. */
export interface SentAtSlot<T> {
  answer: T;
  readyAfterMs: number | undefined;
}

/**
 * Runs `call`; the Batch request it makes is handed to a socket at `slot` (epoch ms), or within `toleranceMs` after
 * it, or not at all (the call then fails with {@link SendDeadlineMissedError}). Only requests made through
 * {@link slotKeepingAgent} are held to it; `readyAfterMs` is undefined for others.
 */
export async function sendAtSlot<T>(
  slot: number,
  toleranceMs: number,
  call: () => Promise<T>,
): Promise<SentAtSlot<T>> {
  const kept: SlotToKeep = { slot, toleranceMs, startedAt: Date.now() };
  try {
    const answer = await slots.run(kept, call);
    return { answer, readyAfterMs: kept.readyAt === undefined ? undefined : kept.readyAt - kept.startedAt };
  } catch (err) {
    // The client wraps the agent's refusal in errors of its own; the agent kept the original.
    throw kept.missed ?? err;
  }
}

/** A keep-alive agent for `protocol` that sends each request made in {@link sendAtSlot} at its slot. */
export function slotKeepingAgent(protocol: 'http://' | 'https://'): HttpAgent {
  const Base = protocol === 'http://' ? HttpAgent : HttpsAgent;
  // `addRequest` is where Node hands a request to a socket (and queues it when none is free); it and the failing
  // form of `onSocket` are not in Node's typings, hence the casts.
  const agent = new Base({ keepAlive: true }) as HttpAgent & {
    addRequest(request: ClientRequest, options: unknown): void;
  };
  const addRequest = agent.addRequest.bind(agent);
  agent.addRequest = (request, options) => {
    const kept = slots.getStore();
    if (kept === undefined) return addRequest(request, options);
    const readyAt = Date.now();
    kept.readyAt = readyAt;
    const sendOrDrop = () => {
      const lateMs = Date.now() - (kept.slot + kept.toleranceMs);
      if (lateMs <= 0) return addRequest(request, options);
      kept.missed = new SendDeadlineMissedError(lateMs, readyAt - kept.startedAt);
      // How an agent fails a request it has no socket for (Node's own Agent does the same).
      (request as unknown as { onSocket(socket: null, err: Error): void }).onSocket(null, kept.missed);
    };
    const earlyMs = kept.slot - readyAt;
    if (earlyMs > 0) setTimeout(sendOrDrop, earlyMs);
    else sendOrDrop();
  };
  return agent;
}
