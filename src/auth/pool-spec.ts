import type { CreateUserPoolClientCommandInput, CreateUserPoolCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { parseDuration } from './limits.js';

/** One environment's auth settings after defaults, durations in minutes. */
export interface AuthSettings {
  readonly environment: string;
  readonly accessTokenMinutes: number;
  readonly idTokenMinutes: number;
  readonly refreshTokenMinutes: number;
  readonly refreshTokenRotation: boolean;
  readonly invitationDays: number;
  readonly signInCodeMinutes: number;
  readonly signInCodesPerHour: number;
  readonly managedLoginSessionMinutes: number;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  readonly featurePlan: 'LITE' | 'ESSENTIALS' | 'PLUS';
  readonly mfa: 'OFF' | 'OPTIONAL' | 'ON';
  readonly deletionProtection: boolean;
  readonly codeSender?: string;
}

/** The settings of one environment's pool (the config was validated: every duration parses). */
export function authSettings(config: GroundworkConfig, environment: string): AuthSettings {
  const auth = config.auth.environments[environment];
  if (!auth) throw new Error(`no auth settings for environment ${environment}`);
  const minutes = (text: string) => parseDuration(text) as number;
  return {
    environment,
    accessTokenMinutes: minutes(auth.accessTokenValidity),
    idTokenMinutes: minutes(auth.idTokenValidity),
    refreshTokenMinutes: minutes(auth.refreshTokenValidity),
    refreshTokenRotation: auth.refreshTokenRotation,
    invitationDays: auth.invitationDays,
    signInCodeMinutes: minutes(auth.signInCodeValidity),
    signInCodesPerHour: auth.signInCodesPerHour,
    managedLoginSessionMinutes: auth.managedLoginSessionMinutes,
    callbackUrls: auth.callbackUrls,
    logoutUrls: auth.logoutUrls,
    featurePlan: auth.featurePlan,
    mfa: auth.mfa,
    deletionProtection: auth.deletionProtection ?? environment === 'prod',
    codeSender: auth.codeSender,
  };
}

/** The pool's name in its account. */
export const poolName = (environment: string) => `groundwork-${environment}`;
/** The sign-in code table of an environment's pool (`-v2`: keyed by `sub` since #24; the old one was keyed by e-mail). */
export const codeTableName = (environment: string) => `groundwork-${environment}-sign-in-codes-v2`;
/** The alias of the KMS HMAC key an environment's sign-in codes are MACed with. */
export const codeKeyAlias = (environment: string) => `alias/groundwork-${environment}-sign-in-codes`;
/** The SPA client's name. */
export const SPA_CLIENT_NAME = 'spa';
/** The resource server of the backend service, and its scopes. */
export const RESOURCE_SERVER = {
  Identifier: 'backend-service',
  Name: 'Backend service',
  Scopes: [
    { ScopeName: 'read', ScopeDescription: 'Read through the backend API' },
    { ScopeName: 'write', ScopeDescription: 'Change data through the backend API' },
  ],
} as const;

/**
 * The user pool's settings as CreateUserPool takes them: e-mail sign-in with case-insensitive user names, a strong
 * password policy whose temporary passwords (invitation codes) last `invitationDays`, recovery by verified e-mail only,
 * MFA with an authenticator app, deletion protection, and the feature plan. The sandbox creates pools with it; the
 * template builds its CfnUserPool from the same function, with parameters in place of values.
 */
export function userPoolInput(
  settings: Pick<AuthSettings, 'environment' | 'invitationDays' | 'mfa' | 'deletionProtection' | 'featurePlan'>,
): CreateUserPoolCommandInput {
  return {
    PoolName: poolName(settings.environment),
    UsernameAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
    AutoVerifiedAttributes: ['email'],
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: settings.invitationDays,
      },
    },
    MfaConfiguration: settings.mfa,
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    DeletionProtection: settings.deletionProtection ? 'ACTIVE' : 'INACTIVE',
    UserPoolTier: settings.featurePlan,
    Schema: [
      { Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true },
      { Name: 'given_name', AttributeDataType: 'String', Required: false, Mutable: true },
      { Name: 'family_name', AttributeDataType: 'String', Required: false, Mutable: true },
    ],
  };
}

/**
 * The public SPA client: authorization code grant with PKCE only (no secret, no implicit grant), the validities with
 * explicit units, refresh-token rotation or not, token revocation, and no user-existence errors.
 */
export function spaClientInput(
  userPoolId: string,
  settings: Pick<
    AuthSettings,
    'accessTokenMinutes' | 'idTokenMinutes' | 'refreshTokenMinutes' | 'refreshTokenRotation' | 'managedLoginSessionMinutes' | 'callbackUrls' | 'logoutUrls'
  >,
): CreateUserPoolClientCommandInput {
  const hasUrls = settings.callbackUrls.length > 0;
  return {
    UserPoolId: userPoolId,
    ClientName: SPA_CLIENT_NAME,
    GenerateSecret: false,
    AccessTokenValidity: settings.accessTokenMinutes,
    IdTokenValidity: settings.idTokenMinutes,
    RefreshTokenValidity: settings.refreshTokenMinutes,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    AuthSessionValidity: settings.managedLoginSessionMinutes,
    // With rotation, sessions are renewed by GetTokensFromRefreshToken (a new refresh token each time, the old one kept
    // 10 s for retries); without it, by the REFRESH_TOKEN_AUTH flow.
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', ...(settings.refreshTokenRotation ? [] : (['ALLOW_REFRESH_TOKEN_AUTH'] as const))],
    RefreshTokenRotation: { Feature: settings.refreshTokenRotation ? 'ENABLED' : 'DISABLED', RetryGracePeriodSeconds: 10 },
    EnableTokenRevocation: true,
    PreventUserExistenceErrors: 'ENABLED',
    SupportedIdentityProviders: ['COGNITO'],
    ...(hasUrls
      ? {
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email', 'profile', ...RESOURCE_SERVER.Scopes.map((s) => `${RESOURCE_SERVER.Identifier}/${s.ScopeName}`)],
          CallbackURLs: [...settings.callbackUrls],
          LogoutURLs: [...settings.logoutUrls],
        }
      : {}),
  };
}
