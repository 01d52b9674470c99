import { inspect } from 'node:util';
import { Credentials, redactSecrets } from './credentials';

/**
 * Where the Batch client gets its Tencent Cloud credentials (`TENCENTCLOUD_CREDENTIALS`):
 * - `env`: `TENCENTCLOUD_SECRET_ID` / `_KEY` / `_SESSION_TOKEN`, read and validated once at start (the default);
 * - `profile`: the SDK's profile file (`~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`),
 *   re-read on every call, so a key rotated into the file is used without a restart;
 * - `cvm-role`: the CVM instance role, from the instance metadata service (temporary, refreshed by the SDK);
 * - `oidc`: the TKE OIDC role (`TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`);
 * - `sts`: STS AssumeRole of `TENCENTCLOUD_ROLE_ARN` with the keys of `TENCENTCLOUD_SECRET_ID` / `_KEY`;
 * - `default-chain`: the SDK's `DefaultCredentialProvider` (environment, profile file, CVM role, TKE OIDC).
 */
export const CREDENTIAL_SOURCE_KINDS = [
  'env',
  'profile',
  'cvm-role',
  'oidc',
  'sts',
  'default-chain',
] as const;
export type CredentialSourceKind = (typeof CREDENTIAL_SOURCE_KINDS)[number];

/**
 * The credentials of the next API call. The Batch client asks on every call, so sources that rotate (profile
 * file, roles) are followed without a restart; the SDK's role providers cache and refresh their temporary keys.
 */
export interface CredentialSource {
  readonly kind: CredentialSourceKind;
  /** Where the credentials come from, for logs and `/healthz`; never holds a secret. */
  readonly description: string;
  /**
   * The credentials to sign the next call with. Every secret returned is registered for redaction.
   * @throws {CredentialsUnavailableError} when the source has none (missing file, metadata service down, ...).
   */
  current(): Promise<Credentials>;
}

/**
 * The source could not produce credentials. The SDK wraps it into a transport-like exception (message only),
 * which the client layer classifies as retryable: work resumes once the source answers again.
 */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
}

/**
 * How every {@link CredentialsUnavailableError} message starts. The SDK keeps only the message of an error thrown
 * by `getCredential()` (a `TencentCloudSDKHttpException` without code): match on this to tell it from a network
 * failure.
 */
export const CREDENTIALS_UNAVAILABLE_PREFIX = 'No Tencent Cloud credentials from';

/** What the SDK's providers return (`getCredential()`); fields may be empty when a provider found nothing. */
export interface SdkCredentialProvider {
  getCredential(): Promise<{ secretId?: string; secretKey?: string; token?: string }>;
}

/** `env`: fixed credentials, validated at start. */
export function fixedCredentialSource(credentials: Credentials): CredentialSource {
  return new FixedCredentialSource(credentials);
}

class FixedCredentialSource implements CredentialSource {
  readonly kind = 'env';
  readonly #credentials: Credentials;

  constructor(credentials: Credentials) {
    this.#credentials = credentials;
  }

  get description(): string {
    return `TENCENTCLOUD_SECRET_ID ${this.#credentials.toJSON().secretId}`;
  }

  /** The credentials themselves (for callers that know the source is fixed). */
  get credentials(): Credentials {
    return this.#credentials;
  }

  current(): Promise<Credentials> {
    return Promise.resolve(this.#credentials);
  }

  toJSON(): unknown {
    return { kind: this.kind, ...this.#credentials.toJSON() };
  }

  [inspect.custom](): string {
    return `CredentialSource(env) ${this.#credentials[inspect.custom]()}`;
  }
}

/** A source over one of the SDK's providers; each answer becomes {@link Credentials} (secrets registered). */
export function sdkCredentialSource(
  kind: Exclude<CredentialSourceKind, 'env'>,
  description: string,
  provider: SdkCredentialProvider,
): CredentialSource {
  return new SdkCredentialSource(kind, description, provider);
}

class SdkCredentialSource implements CredentialSource {
  readonly #provider: SdkCredentialProvider;

  constructor(
    readonly kind: Exclude<CredentialSourceKind, 'env'>,
    readonly description: string,
    provider: SdkCredentialProvider,
  ) {
    this.#provider = provider;
  }

  async current(): Promise<Credentials> {
    let answer: Awaited<ReturnType<SdkCredentialProvider['getCredential']>>;
    try {
      answer = await this.#provider.getCredential();
    } catch (err) {
      // Provider messages hold no keys today, but they pass through text an operator reads: scrub anyway.
      const reason = redactSecrets(err instanceof Error ? err.message : String(err));
      throw new CredentialsUnavailableError(
        `${CREDENTIALS_UNAVAILABLE_PREFIX} ${this.description}: ${reason}`,
      );
    }
    const { secretId, secretKey, token } = answer ?? {};
    if (!secretId || !secretKey) {
      // Registered first: a half-filled answer must not leak its key through the message either.
      if (secretKey) new Credentials('unknown', secretKey);
      throw new CredentialsUnavailableError(
        `${CREDENTIALS_UNAVAILABLE_PREFIX} ${this.description}: it gave no SecretId/SecretKey`,
      );
    }
    return new Credentials(secretId, secretKey, token || undefined);
  }

  toJSON(): unknown {
    return { kind: this.kind, description: this.description };
  }

  [inspect.custom](): string {
    return `CredentialSource(${this.kind}) ${this.description}`;
  }
}

/** The fixed credentials of an `env` source; undefined for every other source. */
export function fixedCredentialsOf(source: CredentialSource): Credentials | undefined {
  return source instanceof FixedCredentialSource ? source.credentials : undefined;
}
