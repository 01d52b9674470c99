import { inspect } from 'node:util';

/** What every redacted value prints as. */
export const REDACTED = '[REDACTED]';

/**
 * Secrets shorter than this are not registered for {@link redactSecrets}: scrubbing every occurrence of a
 * two-letter string would mangle messages, and a secret that short is no secret. Real Tencent Cloud
 * SecretKeys are 32 characters.
 */
const MIN_REDACTABLE_SECRET_LENGTH = 6;

/**
 * Every secret value (SecretKey, session token) this process has loaded, so that any text leaving the
 * Batch layer (failure messages, stacks, causes) can be scrubbed without the caller having to pass the
 * secrets around. Secrets live as long as the process's config does anyway.
 */
const knownSecrets = new Set<string>();

/**
 * Tencent Cloud API credentials. Holds the SecretKey and the optional session token in private fields so that
 * they do not leak when the object (or a config holding it) is logged or serialised:
 *
 * - `JSON.stringify` goes through {@link Credentials.toJSON}: the key and token become `[REDACTED]`;
 * - `util.inspect` / `console.log` go through `[util.inspect.custom]`: same;
 * - spreading or `Object.keys` sees no own properties at all.
 *
 * The SecretId is an identifier, not a secret, but it is still shown masked (`AKID…MPLE`) in logs: enough to
 * tell keys apart, not enough to copy one.
 *
 * Read the values only to hand them to the SDK ({@link Credentials.secretKey}, {@link Credentials.sessionToken}).
 */
export class Credentials {
  readonly #secretId: string;
  readonly #secretKey: string;
  readonly #sessionToken: string | undefined;

  /**
   * @param secretId `TENCENTCLOUD_SECRET_ID`
   * @param secretKey `TENCENTCLOUD_SECRET_KEY`
   * @param sessionToken `TENCENTCLOUD_SESSION_TOKEN`, only with temporary (STS) credentials
   */
  constructor(secretId: string, secretKey: string, sessionToken?: string) {
    this.#secretId = secretId;
    this.#secretKey = secretKey;
    this.#sessionToken = sessionToken;
    registerSecret(secretKey);
    if (sessionToken !== undefined) registerSecret(sessionToken);
  }

  /** The SecretId (an identifier; sent in clear in every request's Authorization header). */
  get secretId(): string {
    return this.#secretId;
  }

  /** The SecretKey. Hand it to the SDK only; never log it. */
  get secretKey(): string {
    return this.#secretKey;
  }

  /** The session token of temporary credentials, if any. Hand it to the SDK only; never log it. */
  get sessionToken(): string | undefined {
    return this.#sessionToken;
  }

  /** True for temporary credentials (a session token is present). */
  get isTemporary(): boolean {
    return this.#sessionToken !== undefined;
  }

  /** The loggable form: the SecretId masked, the key and token redacted. */
  toJSON(): { secretId: string; secretKey: string; sessionToken?: string } {
    return {
      secretId: maskIdentifier(this.#secretId),
      secretKey: REDACTED,
      ...(this.#sessionToken !== undefined ? { sessionToken: REDACTED } : {}),
    };
  }

  /** Same as {@link Credentials.toJSON}, for `util.inspect`, `console.log` and loggers that use them. */
  [inspect.custom](): string {
    const token = this.#sessionToken !== undefined ? `, sessionToken: '${REDACTED}'` : '';
    return `Credentials { secretId: '${maskIdentifier(this.#secretId)}', secretKey: '${REDACTED}'${token} }`;
  }

  /** Template literals and string concatenation get the redacted form too. */
  toString(): string {
    return this[inspect.custom]();
  }
}

/** `AKIDz8krbsJ5...` → `AKID…MPLE`; identifiers too short to mask meaningfully are redacted whole. */
export function maskIdentifier(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 4)}…${value.slice(-4)}` : REDACTED;
}

function registerSecret(secret: string): void {
  if (secret.length >= MIN_REDACTABLE_SECRET_LENGTH) knownSecrets.add(secret);
}

/** True when `text` contains any secret this process has loaded through {@link Credentials}. */
export function containsSecret(text: string): boolean {
  for (const secret of knownSecrets) if (text.includes(secret)) return true;
  return false;
}

/** Replaces every occurrence of every secret this process has loaded with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
