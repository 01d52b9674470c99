/**
 * Finds Tencent Cloud credentials (SecretId, SecretKey, session token) where they must never be: workflow
 * histories, worker output. Pure, so its unit test can prove it finds what it must; the scans of real runs are in
 * test/setup/scan-secrets-after-file.ts (every e2e file) and bench/chaos/chaos-secrets.ts (every chaos run).
 *
 * A secret is looked for as written (UTF-8, which is also how JSON payloads and protobuf strings hold it), escaped
 * inside a JSON string, and base64 or base64url encoded (as bytes payloads and nested payloads show in JSON), at
 * each of the three alignments it can have inside a longer encoded text. A finding names the place and the secret's
 * kind, never the secret: {@link redactSecret}.
 */

export type SecretKind = 'SecretId' | 'SecretKey' | 'session token';

/** A credential value to look for. */
export interface Secret {
  kind: SecretKind;
  value: string;
}

/** A credential set as tests hand them out (the emulator's keys, a worker's environment). */
export interface CredentialSet {
  secretId?: string;
  secretKey?: string;
  token?: string;
}

/** Something to search: its bytes or text, and how to name it in a finding. */
export interface ScannedContent {
  /** Where it comes from: "history of workflow … event 7 (…)", "output of worker pid 123". */
  where: string;
  content: Uint8Array | string;
}

/** How a secret was written where it was found. */
export type SecretForm = 'plain' | 'JSON-escaped' | 'base64' | 'base64url';

/** One secret found in one place. */
export interface SecretFinding {
  /** The place, with the line when the content is text. */
  where: string;
  kind: SecretKind;
  /** The secret as {@link redactSecret} shows it. */
  secret: string;
  form: SecretForm;
}

/**
 * Shorter values are not looked for: a few characters match by chance, and no real credential is that short (a
 * SecretId is 36 characters, a SecretKey 32).
 */
const MIN_SECRET_LENGTH = 8;

/** The first 4 characters and the length: enough to tell which key it was, not enough to use it. */
export function redactSecret(value: string): string {
  return `${value.slice(0, 4)}… (${value.length} chars)`;
}

/** Every non-empty value of `credentials`, each once. */
export function secretsOf(credentials: readonly CredentialSet[]): Secret[] {
  const secrets = new Map<string, Secret>();
  for (const set of credentials) {
    const values: [SecretKind, string | undefined][] = [
      ['SecretId', set.secretId],
      ['SecretKey', set.secretKey],
      ['session token', set.token],
    ];
    for (const [kind, value] of values) {
      if (value && !secrets.has(value)) secrets.set(value, { kind, value });
    }
  }
  return [...secrets.values()];
}

/** The credentials in a worker's environment: the variables src/batch/batch-config.ts reads them from. */
export function credentialsInEnv(env: Readonly<Record<string, string | undefined>>): CredentialSet {
  return {
    secretId: env.TENCENTCLOUD_SECRET_ID,
    secretKey: env.TENCENTCLOUD_SECRET_KEY,
    token: env.TENCENTCLOUD_SESSION_TOKEN,
  };
}

/** Every place in `contents` where one of `secrets` appears, in any {@link SecretForm}. */
export function findSecrets(contents: Iterable<ScannedContent>, secrets: readonly Secret[]): SecretFinding[] {
  const needles = secrets
    .filter((secret) => secret.value.length >= MIN_SECRET_LENGTH)
    .flatMap((secret) => encodedForms(secret.value).map((form) => ({ secret, ...form })));
  const findings: SecretFinding[] = [];
  for (const { where, content } of contents) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    for (const needle of needles) {
      const at = bytes.indexOf(needle.bytes);
      if (at < 0) continue;
      findings.push({
        where: typeof content === 'string' ? `${where}, line ${lineAt(bytes, at)}` : where,
        kind: needle.secret.kind,
        secret: redactSecret(needle.secret.value),
        form: needle.form,
      });
    }
  }
  return findings;
}

/** A failure message listing every finding (one a line), without the secrets themselves. */
export function describeSecretFindings(findings: readonly SecretFinding[]): string {
  const lines = findings.map((f) => `- ${f.kind} ${f.secret}, ${f.form}, in ${f.where}`);
  return `${findings.length} Tencent Cloud credential(s) found where none may be:\n${lines.join('\n')}`;
}

/** The byte strings that show `value` in each form; a form identical to an earlier one is left out. */
function encodedForms(value: string): { form: SecretForm; bytes: Buffer }[] {
  const raw = Buffer.from(value, 'utf8');
  const forms: { form: SecretForm; text: string }[] = [
    { form: 'plain', text: value },
    { form: 'JSON-escaped', text: JSON.stringify(value).slice(1, -1) },
    ...[0, 1, 2].flatMap((offset) => {
      const base64 = alignedBase64(raw, offset);
      return [
        { form: 'base64' as const, text: base64 },
        { form: 'base64url' as const, text: base64.replace(/\+/g, '-').replace(/\//g, '_') },
      ];
    }),
  ];
  const unique = new Map<string, SecretForm>();
  for (const { form, text } of forms) if (!unique.has(text)) unique.set(text, form);
  return [...unique].map(([text, form]) => ({ form, bytes: Buffer.from(text, 'utf8') }));
}

/**
 * The base64 characters that depend only on `raw` when it starts `offset` bytes (0–2) into a 3-byte group of a
 * longer encoding: the characters shared with the bytes before it or after it are cut off.
 */
function alignedBase64(raw: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString('base64');
  const leading = [0, 2, 3][offset] ?? 0;
  const wholeGroups = Math.floor((offset + raw.length) / 3);
  return encoded.slice(leading, wholeGroups * 4);
}

function lineAt(bytes: Buffer, index: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < index; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}
