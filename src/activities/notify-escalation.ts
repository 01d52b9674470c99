import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import type { EscalationNotice } from '../shared/recovery-types';

/** Where escalations go besides the log. Read from the worker's environment, never from workflow input. */
export interface EscalationChannels {
  /**
   * HTTP(S) URL that receives a JSON POST per escalation. Often carries a token in its path (Slack, Feishu,
   * WeCom robots), so it is never logged or put in an error.
   */
  webhookUrl?: string;
  /** @default 10000 */
  webhookTimeoutMs?: number;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The JSON body the webhook receives. */
export interface EscalationWebhookBody extends EscalationNotice {
  kind: 'tencent-batch-recovery.escalation';
  sentAt: string;
}

/**
 * Tells people that jobs need a decision: a structured log line always (on the first attempt, so a retried
 * webhook does not repeat it), and a webhook POST when one is configured. A webhook that fails is retried by
 * Temporal; the log line has already been written.
 */
export async function notifyEscalation(
  channels: EscalationChannels,
  notice: EscalationNotice,
  now: () => Date,
): Promise<{ delivered: ('log' | 'webhook')[] }> {
  if (Context.current().info.attempt === 1) {
    log.warn('Tencent Batch jobs escalated: a decision is needed', {
      workflowId: notice.workflowId,
      runId: notice.runId,
      label: notice.label,
      jobs: notice.jobs.map((j) => ({
        jobId: j.jobId,
        reason: j.reason,
        message: j.message,
        code: j.code,
        retries: j.retries,
      })),
      howToDecide: notice.howToDecide,
    });
  }
  if (!channels.webhookUrl) return { delivered: ['log'] };

  const body: EscalationWebhookBody = {
    kind: 'tencent-batch-recovery.escalation',
    sentAt: now().toISOString(),
    ...notice,
  };
  const doFetch = channels.fetch ?? fetch;
  let status: number;
  try {
    const response = await doFetch(channels.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(channels.webhookTimeoutMs ?? 10_000),
    });
    status = response.status;
  } catch (err) {
    throw ApplicationFailure.create({
      message: `escalation webhook unreachable: ${err instanceof Error ? err.name : 'error'}`,
      type: ErrorType.EscalationDeliveryFailed,
    });
  }
  if (status < 200 || status >= 300) {
    throw ApplicationFailure.create({
      message: `escalation webhook answered HTTP ${status}`,
      type: ErrorType.EscalationDeliveryFailed,
    });
  }
  return { delivered: ['log', 'webhook'] };
}
