/**
 * The keys the emulator accepts, changeable while it runs, as in a Tencent Cloud account: API keys can be
 * revoked (deleted or disabled in the CAM console) and new ones issued, and STS hands out temporary credentials
 * (SecretId, SecretKey and a token) that expire.
 *
 * What a request signed with such a key gets (the real API's common error codes):
 * - revoked key: `AuthFailure.SecretIdNotFound` ("Key does not exist. Check if the key has been deleted or
 *   disabled in the console") — the verifier no longer finds it;
 * - expired temporary credentials: `AuthFailure.TokenFailure` ("Token error"). Which code the real API uses for an
 *   expired STS token is undocumented; TokenFailure is the code its docs give for a bad token, chosen here.
 * - temporary credentials without their token, or with another one: `AuthFailure.TokenFailure` (the verifier).
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from './api-error';
import type { EmulatorCredentials } from './batch-api-constants';

/** A key as the store keeps it. */
interface StoredKey extends EmulatorCredentials {
  /** Real-clock epoch ms after which temporary credentials are refused; undefined for API keys. */
  expiresAtMs?: number;
  revoked: boolean;
}

/** Temporary credentials as STS (GetFederationToken / AssumeRole) returns them, camelCased. */
export interface IssuedTemporaryCredentials {
  secretId: string;
  secretKey: string;
  token: string;
  /** Unix seconds, as STS's `ExpiredTime`. */
  expiredTime: number;
  /** ISO-8601, as STS's `Expiration`. */
  expiration: string;
}

/** One key as listed (no secret). */
export interface KeyListing {
  secretId: string;
  temporary: boolean;
  status: 'active' | 'revoked' | 'expired';
  expiration?: string;
}

/** Test and admin controls over the accepted keys. */
export interface CredentialControls {
  /** Issues a new long-lived API key (SecretId, SecretKey). */
  issueKey(): EmulatorCredentials;
  /** Issues temporary credentials valid for `ttlSeconds` of real time (default 1800, as STS's default). */
  issueTemporary(ttlSeconds?: number): IssuedTemporaryCredentials;
  /** Revokes a key (API key or temporary): later requests get AuthFailure.SecretIdNotFound. False if unknown. */
  revoke(secretId: string): boolean;
  /** Every key issued or configured, without secrets. */
  list(): KeyListing[];
}

/** STS's default duration for temporary credentials. */
const DEFAULT_TEMPORARY_TTL_SECONDS = 1800;
/** STS's longest duration (AssumeRole: 43200 s). */
const MAX_TEMPORARY_TTL_SECONDS = 43_200;

/** Holds the accepted keys; the API pipeline reads it on every request. */
export class CredentialStore implements CredentialControls {
  readonly #keys = new Map<string, StoredKey>();

  constructor(
    initial: readonly EmulatorCredentials[],
    private readonly nowMs: () => number = Date.now,
  ) {
    for (const key of initial) this.#keys.set(key.secretId, { ...key, revoked: false });
  }

  /** The keys the signature verifier may match: every key not revoked (expired ones are refused after it). */
  accepted(): EmulatorCredentials[] {
    return [...this.#keys.values()]
      .filter((key) => !key.revoked)
      .map(({ secretId, secretKey, token }) => ({
        secretId,
        secretKey,
        ...(token !== undefined ? { token } : {}),
      }));
  }

  /** The refusal for a request correctly signed by `secretId` at `atMs`, if its credentials have expired. */
  refusalFor(secretId: string, atMs: number): ApiError | undefined {
    const key = this.#keys.get(secretId);
    if (key?.expiresAtMs !== undefined && atMs >= key.expiresAtMs) {
      return new ApiError(
        'AuthFailure.TokenFailure',
        `The temporary credentials of this SecretId expired at ${new Date(key.expiresAtMs).toISOString()}; request new ones.`,
      );
    }
    return undefined;
  }

  issueKey(): EmulatorCredentials {
    const key = { secretId: newSecretId(), secretKey: randomBytes(24).toString('base64url') };
    this.#keys.set(key.secretId, { ...key, revoked: false });
    return { ...key };
  }

  issueTemporary(ttlSeconds: number = DEFAULT_TEMPORARY_TTL_SECONDS): IssuedTemporaryCredentials {
    if (!(ttlSeconds > 0 && ttlSeconds <= MAX_TEMPORARY_TTL_SECONDS)) {
      throw new RangeError(`ttlSeconds must be > 0 and <= ${MAX_TEMPORARY_TTL_SECONDS}, got ${ttlSeconds}`);
    }
    const expiresAtMs = this.nowMs() + ttlSeconds * 1000;
    const key = {
      secretId: newSecretId(),
      secretKey: randomBytes(24).toString('base64url'),
      token: randomBytes(48).toString('base64url'),
    };
    this.#keys.set(key.secretId, { ...key, expiresAtMs, revoked: false });
    return {
      ...key,
      expiredTime: Math.floor(expiresAtMs / 1000),
      expiration: new Date(expiresAtMs).toISOString(),
    };
  }

  revoke(secretId: string): boolean {
    const key = this.#keys.get(secretId);
    if (!key) return false;
    key.revoked = true;
    return true;
  }

  list(): KeyListing[] {
    const now = this.nowMs();
    return [...this.#keys.values()].map((key) => ({
      secretId: key.secretId,
      temporary: key.token !== undefined,
      status: key.revoked
        ? 'revoked'
        : key.expiresAtMs !== undefined && now >= key.expiresAtMs
          ? 'expired'
          : 'active',
      ...(key.expiresAtMs !== undefined ? { expiration: new Date(key.expiresAtMs).toISOString() } : {}),
    }));
  }
}

/** `AKID` + 32 characters, the shape of real SecretIds. */
function newSecretId(): string {
  return `AKID${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32)}`;
}
