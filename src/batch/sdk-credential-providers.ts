import { homedir } from 'node:os';
import path from 'node:path';
import {
  CvmRoleCredential,
  DefaultCredentialProvider,
  OIDCRoleArnCredential,
  ProfileCredential,
  STSCredential,
} from 'tencentcloud-sdk-nodejs/tencentcloud/common/credential';
import { sdkCredentialSource, type CredentialSource } from './credential-source';
import type { Credentials } from './credentials';

/** What a provider-based source needs besides its kind. */
export type ProviderSettings =
  | { kind: 'profile' }
  | { kind: 'cvm-role' }
  | { kind: 'oidc' }
  | { kind: 'default-chain' }
  | {
      kind: 'sts';
      /** The long-lived keys that may assume the role. */
      base: Credentials;
      roleArn: string;
      roleSessionName: string;
      region: string;
    };

/**
 * The profile files the SDK's `ProfileCredential` reads, in its order: the first that exists wins. It reads the
 * `[default]` section's `secret_id`, `secret_key` and optional `token` on every call.
 */
export function profileCredentialPaths(): string[] {
  return [path.join(homedir(), '.tencentcloud', 'credentials'), '/etc/tencentcloud/credentials'];
}

/**
 * A {@link CredentialSource} over the SDK's own provider for `settings.kind`. The SDK's role providers
 * (CVM role, OIDC, STS) cache their temporary keys and fetch new ones shortly before they expire.
 */
export function createProviderSource(settings: ProviderSettings): CredentialSource {
  switch (settings.kind) {
    case 'profile':
      return sdkCredentialSource(
        'profile',
        `the profile file (${profileCredentialPaths().join(', else ')})`,
        new ProfileCredential(),
      );
    case 'cvm-role':
      return sdkCredentialSource(
        'cvm-role',
        'the CVM instance role (instance metadata service)',
        new CvmRoleCredential(),
      );
    case 'oidc':
      // Without arguments the SDK reads TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN.
      return sdkCredentialSource('oidc', 'the TKE OIDC role (TKE_ROLE_ARN)', new OIDCRoleArnCredential());
    case 'default-chain':
      return sdkCredentialSource(
        'default-chain',
        "the SDK's default chain (environment, profile file, CVM role, TKE OIDC)",
        new DefaultCredentialProvider(),
      );
    case 'sts': {
      const { base } = settings;
      return sdkCredentialSource(
        'sts',
        `STS AssumeRole of ${settings.roleArn}`,
        new STSCredential(
          {
            credential: {
              getCredential: () =>
                Promise.resolve({
                  secretId: base.secretId,
                  secretKey: base.secretKey,
                  ...(base.sessionToken !== undefined ? { token: base.sessionToken } : {}),
                }),
            },
            region: settings.region,
          },
          { RoleArn: settings.roleArn, RoleSessionName: settings.roleSessionName },
        ),
      );
    }
  }
}
