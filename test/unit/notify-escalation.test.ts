import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  notifyEscalation,
  type EscalationChannels,
  type EscalationWebhookBody,
} from '../../src/activities/notify-escalation';
import { ErrorType } from '../../src/shared/errors';
import type { EscalationNotice } from '../../src/shared/recovery-types';

const notice: EscalationNotice = {
  workflowId: 'wf-1',
  runId: 'run-1',
  label: 'nightly-etl',
  jobs: [
    {
      jobId: 'job-aaaaaaaa',
      reason: 'RETRY_BUDGET_EXHAUSTED',
      message: 'failed after 3 retries',
      retries: 3,
      decisionDeadline: '2026-11-26T00:00:00.000Z',
    },
  ],
  howToDecide: 'send Update "resolveEscalation"',
};
const now = () => new Date('2026-11-25T00:00:00Z');
const send = (channels: EscalationChannels): Promise<{ delivered: string[] }> =>
  new MockActivityEnvironment().run(() => notifyEscalation(channels, notice, now));

let server: Server;
let status = 200;
const received: EscalationWebhookBody[] = [];
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as EscalationWebhookBody);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  status = 200;
});

describe('notifyEscalation', () => {
  it('posts the notice as JSON to the configured webhook', async () => {
    const result = await send({ webhookUrl: `${baseUrl}/hook` });
    expect(result.delivered).toEqual(['log', 'webhook']);
    expect(received).toEqual([
      { ...notice, kind: 'tencent-batch-recovery.escalation', sentAt: '2026-11-25T00:00:00.000Z' },
    ]);
  });

  it('only logs when no webhook is configured', async () => {
    const result = await send({});
    expect(result.delivered).toEqual(['log']);
  });

  it('fails retryably without revealing the webhook URL, which may hold a token', async () => {
    status = 503;
    const secretPath = '/hooks/T0KEN-secret-abc123';
    const err: unknown = await send({ webhookUrl: `${baseUrl}${secretPath}` }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      type: ErrorType.EscalationDeliveryFailed,
      message: 'escalation webhook answered HTTP 503',
    });
    expect(JSON.stringify(err)).not.toContain('T0KEN');
  });

  it('fails retryably when the webhook cannot be reached', async () => {
    const err: unknown = await send({
      webhookUrl: 'http://127.0.0.1:1/token-xyz',
      webhookTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: ErrorType.EscalationDeliveryFailed });
    expect((err as Error).message).not.toContain('token-xyz');
  });
});
