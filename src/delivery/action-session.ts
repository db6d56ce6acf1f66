import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ClientFactory } from '../aws/client-factory.js';
import type { Clock } from '../clock.js';
import { sessionClients } from './action-io.js';
import type { SessionCredentials } from './oidc.js';
import { CHAINED_SESSION_MAX_SECONDS, chainedSession, oidcSession, type StsAccess } from './session.js';

/**
 * What assume-role-via-oidc tells the steps after it (as exported variables), so that an action that waits can assume
 * the same role again with a fresh OIDC token when its session nears its end.
 */
export const OIDC_SESSION_VARIABLES = {
  roleArn: 'GROUNDWORK_OIDC_ROLE_ARN',
  audience: 'GROUNDWORK_OIDC_AUDIENCE',
  sessionName: 'GROUNDWORK_OIDC_SESSION_NAME',
  durationSeconds: 'GROUNDWORK_OIDC_DURATION_SECONDS',
  /** The role chained into after the OIDC hop (target-account-id), when there was one. */
  targetRoleArn: 'GROUNDWORK_OIDC_TARGET_ROLE_ARN',
} as const;

/** How an action gets sessions again: a fresh OIDC token, the clock, and what to do with each new session. */
export interface SessionRefresh {
  readonly getToken: (audience: string) => Promise<string>;
  readonly clock: Clock;
  /** Told each session assumed (again), its assumed-role ARN, and whether it was chained from another session: mask its secrets. */
  readonly onSession?: (credentials: SessionCredentials, session: { assumedRoleArn: string; chained: boolean }) => void;
  /** @see RefreshOptions.refreshBeforeMs */
  readonly refreshBeforeMs?: number;
}

/** What a runner gives an action for its sessions: `@actions/core`'s token, masking and log, passed in by the action. */
export interface RunnerSessionTools {
  readonly getIDToken: (audience: string) => Promise<string>;
  readonly setSecret: (secret: string) => void;
  readonly info: (message: string) => void;
}

/**
 * How an action that waits gets its sessions again before they expire (a release or an E2E run may outlast a chained
 * session's hour): a fresh OIDC token from the runner, every new secret masked and added to `masked` (so that the
 * action keeps it from the commands it runs), and each session named in the log.
 */
export function runnerSessionRefresh(runner: RunnerSessionTools, clock: Clock, masked: string[]): SessionRefresh {
  return {
    getToken: (audience) => runner.getIDToken(audience),
    clock,
    onSession: (credentials, session) => {
      for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) {
        runner.setSecret(secret);
        masked.push(secret);
      }
      const until = credentials.expiration ? ` (until ${credentials.expiration.toISOString()})` : '';
      runner.info(session.chained ? `chained into ${session.assumedRoleArn}${until}` : `assumed ${session.assumedRoleArn} with a fresh OIDC token${until}`);
    },
  };
}

function stsAccess(settings: ClientFactory['settings'], refresh: SessionRefresh, chained: boolean): StsAccess {
  return {
    clock: refresh.clock,
    refreshBeforeMs: refresh.refreshBeforeMs,
    onSession: (credentials, assumedRoleArn) => refresh.onSession?.(credentials, { assumedRoleArn, chained }),
    // One attempt for the unsigned web-identity call (assumeRoleViaOidc retries with a fresh token); the SDK's for AssumeRole.
    sts: (credentials) =>
      credentials
        ? new ClientFactory({ ...settings, credentials }).create(STSClient)
        : new ClientFactory({ ...settings, credentials: undefined }).create(STSClient, { maxAttempts: 1 }),
  };
}

/**
 * The client factory of an action that waits: like {@link sessionClients}, but when assume-role-via-oidc ran before it
 * (its {@link OIDC_SESSION_VARIABLES} are set), with a session of the same role that is assumed again, with a fresh
 * OIDC token, before it expires. Without them, the credentials of the environment, as they are (`refreshed` false).
 */
export function refreshingSessionClients(
  regionInput: string,
  env: Readonly<Record<string, string | undefined>>,
  refresh: SessionRefresh,
): { clients: ClientFactory; refreshed: boolean } {
  const plain = sessionClients(regionInput, env);
  const roleArn = env[OIDC_SESSION_VARIABLES.roleArn];
  if (!roleArn) return { clients: plain, refreshed: false };
  const audience = env[OIDC_SESSION_VARIABLES.audience] || 'sts.amazonaws.com';
  const duration = Number(env[OIDC_SESSION_VARIABLES.durationSeconds] || '3600');
  const target = env[OIDC_SESSION_VARIABLES.targetRoleArn];
  let session: AwsCredentialIdentityProvider = oidcSession(
    {
      getToken: () => refresh.getToken(audience),
      roleArn,
      audience,
      sessionName: env[OIDC_SESSION_VARIABLES.sessionName] || undefined,
      durationSeconds: Number.isFinite(duration) && duration >= 900 ? duration : 3600,
    },
    stsAccess(plain.settings, refresh, false),
  );
  if (target) {
    session = chainedSession(session, target, env[OIDC_SESSION_VARIABLES.sessionName] || 'groundwork', stsAccess(plain.settings, refresh, true));
  }
  return { clients: new ClientFactory({ ...plain.settings, credentials: session }), refreshed: true };
}

/** Clients of `roleArn` chained from `from`'s credentials, assumed again before they expire (at most an hour each). */
export function chainedClients(from: ClientFactory, roleArn: string, sessionName: string, refresh: SessionRefresh): ClientFactory {
  const base = from.callerCredentials();
  const provider: AwsCredentialIdentityProvider = typeof base === 'function' ? base : async () => base;
  const session = chainedSession(provider, roleArn, sessionName, stsAccess(from.settings, refresh, true), CHAINED_SESSION_MAX_SECONDS);
  return new ClientFactory({ ...from.settings, credentials: session });
}
