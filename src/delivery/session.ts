import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../clock.js';
import { GroundworkError } from '../errors.js';
import { assumeRoleViaOidc, chainInto, type SessionCredentials } from './oidc.js';

/**
 * Sessions that outlive their hour. An action that waits (a release's deployment, a staging rollout, the post step
 * that stops what a cancelled job left) holds AWS sessions of at most an hour (a chained one can last no longer), so it
 * gets them again before they expire: a fresh GitHub OIDC token, AssumeRoleWithWebIdentity, then each AssumeRole of the
 * chain. The SDK v3 clients take the provider as `credentials` and ask it again when the identity it gave nears its
 * `expiration` (5 minutes before); the provider answers from its cache until its own margin, then assumes again.
 */

/** AWS's limit on a session obtained by role chaining (AssumeRole with a role session's credentials): one hour. */
export const CHAINED_SESSION_MAX_SECONDS = 3600;

/** Options of {@link refreshingCredentials}. */
export interface RefreshOptions {
  /** What time it is: sessions are compared with their `expiration`. */
  readonly clock: Clock;
  /**
   * Assume again when less than this is left, or a quarter of the session's length if that is less (a session of a few
   * seconds in a test is then reused, not assumed again on every call). @default 10 minutes (the SDK asks from 5 minutes)
   */
  readonly refreshBeforeMs?: number;
  /** Told each new session and the assumed-role ARN it is of (to mask its secrets, and to say so in the log). */
  readonly onSession?: (credentials: SessionCredentials, assumedRoleArn: string) => void;
}

/** A session as STS returned it: the credentials and the assumed-role ARN. */
export interface AssumedSession {
  readonly credentials: SessionCredentials;
  readonly assumedRoleArn: string;
}

/** A credential provider that caches the session `assume` returns and assumes again before it expires. */
export function refreshingCredentials(
  assume: () => Promise<AssumedSession>,
  options: RefreshOptions,
): AwsCredentialIdentityProvider & {
  /** The session now held, if any. */
  readonly current: () => SessionCredentials | undefined;
} {
  const refreshBeforeMs = options.refreshBeforeMs ?? 10 * 60_000;
  let held: { credentials: SessionCredentials; refreshAt: number } | undefined;
  let pending: Promise<SessionCredentials> | undefined;
  const renew = (): Promise<SessionCredentials> => {
    pending ??= (async () => {
      try {
        const issuedAt = options.clock().getTime();
        const { credentials, assumedRoleArn } = await assume();
        const expiresAt = credentials.expiration?.getTime();
        const margin = expiresAt === undefined ? 0 : Math.min(refreshBeforeMs, (expiresAt - issuedAt) / 4);
        held = { credentials, refreshAt: expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - margin };
        options.onSession?.(credentials, assumedRoleArn);
        return credentials;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  const provider = async (): Promise<AwsCredentialIdentity> => {
    const now = options.clock().getTime();
    if (held && now < held.refreshAt) return held.credentials;
    try {
      return await renew();
    } catch (error) {
      // A failed refresh while the held session is still valid: keep using it, and try again on the next call.
      if (held && (held.credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY) > now) return held.credentials;
      throw error;
    }
  };
  return Object.assign(provider, { current: () => held?.credentials });
}

/** The first hop: the job's OIDC token for a role of the cicd account (what assume-role-via-oidc did). */
export interface OidcHop {
  /** Fetches a fresh GitHub OIDC token (the job needs `id-token: write`). */
  readonly getToken: () => Promise<string>;
  readonly roleArn: string;
  /** @default 'sts.amazonaws.com' */
  readonly audience?: string;
  readonly sessionName?: string;
  /** @default 3600 */
  readonly durationSeconds?: number;
}

/** What {@link oidcSession} and {@link chainedSession} need to reach STS. */
export interface StsAccess extends RefreshOptions {
  /** An STS client with these credentials, or unsigned (none) for AssumeRoleWithWebIdentity. */
  readonly sts: (credentials?: AwsCredentialIdentityProvider) => STSClient;
}

/** A session of the OIDC hop's role, assumed again with a fresh OIDC token before it expires. */
export function oidcSession(hop: OidcHop, access: StsAccess): ReturnType<typeof refreshingCredentials> {
  const sts = access.sts();
  return refreshingCredentials(
    () =>
      assumeRoleViaOidc({
        getToken: hop.getToken,
        roleArn: hop.roleArn,
        audience: hop.audience,
        sessionName: hop.sessionName,
        durationSeconds: hop.durationSeconds,
        sts,
      }),
    access,
  );
}

/**
 * A session of `roleArn` chained from `base` (AssumeRole with the base session's credentials), assumed again before it
 * expires; the base refreshes itself when it is a refreshing provider too, so a long wait goes back to a fresh OIDC token.
 */
export function chainedSession(
  base: AwsCredentialIdentityProvider,
  roleArn: string,
  sessionName: string,
  access: StsAccess,
  durationSeconds = CHAINED_SESSION_MAX_SECONDS,
): ReturnType<typeof refreshingCredentials> {
  requireChainableDuration(durationSeconds, 'the chained session');
  const sts = access.sts(base);
  return refreshingCredentials(() => chainInto(sts, roleArn, sessionName, durationSeconds), access);
}

/**
 * AWS refuses an AssumeRole from a role session for more than an hour ("exceeds the 1 hour session limit for roles
 * assumed by role chaining"): refused here first, naming what set it.
 */
export function requireChainableDuration(durationSeconds: number, what: string): void {
  if (durationSeconds > CHAINED_SESSION_MAX_SECONDS) {
    throw new GroundworkError(
      'USAGE',
      `${what} is ${durationSeconds} s, but a session assumed with another role's session (role chaining) lasts at most ${CHAINED_SESSION_MAX_SECONDS} s; AWS refuses more`,
      { hint: `use ${CHAINED_SESSION_MAX_SECONDS} or less` },
    );
  }
}
