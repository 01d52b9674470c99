/**
 * The secrets scan (test/support/secrets-scan.ts) that runs after every e2e file and every chaos run is only worth
 * its silence if it would have spoken: it finds a credential written plainly, escaped in JSON, base64 encoded at any
 * alignment or inside a history event's payload, says where, and never repeats the secret.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  describeSecretFindings,
  findSecrets,
  redactSecret,
  secretsOf,
  type Secret,
} from '../support/secrets-scan';

const SECRET_ID = 'AKIDtestSecretId00000000000000000000';
const SECRET_KEY = 'k3y/with+base64"chars\\and-more-0123';
const SECRETS = secretsOf([{ secretId: SECRET_ID, secretKey: SECRET_KEY, token: 'session-token-value-42' }]);

function scan(content: string | Uint8Array, secrets: readonly Secret[] = SECRETS) {
  return findSecrets([{ where: 'the place', content }], secrets);
}

describe('findSecrets', () => {
  it('finds a secret written plainly in text and names the place, the line and the kind', () => {
    expect(scan(`starting\nsigned with ${SECRET_ID} today\n`)).toEqual([
      { where: 'the place, line 2', kind: 'SecretId', secret: 'AKID… (36 chars)', form: 'plain' },
    ]);
  });

  it('finds a secret escaped inside a JSON string', () => {
    expect(scan(JSON.stringify({ message: `bad key ${SECRET_KEY}` }))).toEqual([
      expect.objectContaining({ kind: 'SecretKey', form: 'JSON-escaped' }),
    ]);
  });

  it.each([0, 1, 2, 3, 4, 5])(
    'finds a secret base64 and base64url encoded inside a longer text, %i bytes in',
    (offset) => {
      const raw = Buffer.from(`${'x'.repeat(offset)}${SECRET_KEY} and more after it`);
      expect(scan(raw.toString('base64')).map((f) => f.form)).toEqual(['base64']);
      // At some alignments the two alphabets give the same characters: then it is reported as base64.
      expect(scan(raw.toString('base64url')).map((f) => f.form)).toEqual([expect.stringMatching(/^base64/)]);
    },
  );

  it('finds a secret in the payload of a history event, as JSON and as bytes', () => {
    const event = temporal.api.history.v1.HistoryEvent.encode({
      eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      activityTaskCompletedEventAttributes: {
        result: {
          payloads: [
            defaultPayloadConverter.toPayload({ jobs: [], signedBy: SECRET_ID }),
            defaultPayloadConverter.toPayload(new TextEncoder().encode('session-token-value-42')),
          ],
        },
      },
    }).finish();
    expect(findSecrets([{ where: 'event 13', content: event }], SECRETS)).toEqual([
      { where: 'event 13', kind: 'SecretId', secret: 'AKID… (36 chars)', form: 'plain' },
      { where: 'event 13', kind: 'session token', secret: 'sess… (22 chars)', form: 'plain' },
    ]);
  });

  it('reports nothing for other keys, for text without a secret and for values too short to be one', () => {
    expect(scan('AKIDtestSecretId0000 emulator-secret-key-not-for-production')).toEqual([]);
    expect(scan('the id is abc', secretsOf([{ secretId: 'abc' }]))).toEqual([]);
  });
});

describe('reporting', () => {
  it('shows the first four characters and the length, never the secret', () => {
    const findings = scan(`${SECRET_ID} ${SECRET_KEY} ${Buffer.from(SECRET_KEY).toString('base64')}`);
    const message = describeSecretFindings(findings);
    expect(message).toContain('SecretId AKID… (36 chars), plain, in the place, line 1');
    expect(message).toContain('SecretKey k3y/… (35 chars), base64, in the place, line 1');
    for (const secret of SECRETS) expect(message).not.toContain(secret.value);
    expect(redactSecret('abcdefghij')).toBe('abcd… (10 chars)');
  });

  it('takes each credential once and skips empty ones', () => {
    expect(secretsOf([{ secretId: SECRET_ID, secretKey: '' }, { secretId: SECRET_ID }])).toEqual([
      { kind: 'SecretId', value: SECRET_ID },
    ]);
  });
});
