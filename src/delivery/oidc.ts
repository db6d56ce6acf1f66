import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import { isError } from '../aws/aws-error.js';
import { elapsedMs } from '../clock.js';
import { backoffDelay, isTransient } from '../engine/retry.js';
import { GroundworkError } from '../errors.js';

/** The claims of a GitHub Actions OIDC token that AWS trust policies look at. */
export interface TokenClaims {
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly repository?: string;
  readonly repository_id?: string;
  readonly repository_owner_id?: string;
  readonly ref?: string;
  readonly job_workflow_ref?: string;
  readonly environment?: string;
}

/** GitHub's OIDC issuer, as IAM names its provider. */
export const GITHUB_OIDC_PROVIDER = 'token.actions.githubusercontent.com';

/** Reads a JWT's claims without verifying it (STS verifies; this is for the diagnosis only). */
export function decodeClaims(token: string): TokenClaims {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return {};
  }
}

/**
 * The trust-policy condition that would admit a token with these claims: exact `aud`, `sub` and `ref`, never a wildcard.
 * A job in a GitHub environment has the environment in `sub` (not the ref), so `ref` is what pins its branch or tag.
 */
export function admittingCondition(claims: TokenClaims, audience: string): Record<string, Record<string, string>> {
  return {
    StringEquals: {
      [`${GITHUB_OIDC_PROVIDER}:aud`]: audience,
      [`${GITHUB_OIDC_PROVIDER}:sub`]: claims.sub ?? '(the token has no sub claim)',
      ...(claims.ref ? { [`${GITHUB_OIDC_PROVIDER}:ref`]: claims.ref } : {}),
      ...(claims.job_workflow_ref ? { [`${GITHUB_OIDC_PROVIDER}:job_workflow_ref`]: claims.job_workflow_ref } : {}),
    },
  };
}

/** Temporary credentials, as the action exports them. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** What {@link assumeRoleViaOidc} needs; clients and the token source are passed in. */
export interface OidcAssumeOptions {
  /** Fetches a fresh OIDC token; called once per attempt, since a token fetched once can expire during long retries. */
  readonly getToken: () => Promise<string>;
  readonly roleArn: string;
  /** @default 'sts.amazonaws.com' */
  readonly audience?: string;
  /** @default 'groundwork' */
  readonly sessionName?: string;
  /** @default 3600 */
  readonly durationSeconds?: number;
  /** An STS client with SDK retries off: this function retries, with a fresh token each time. */
  readonly sts: STSClient;
  /** Longest total time spent retrying. @default 60000 */
  readonly maxRetryMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** The outcome: credentials, the assumed-role ARN, and the token's claims (for the job summary). */
export interface AssumedRole {
  readonly credentials: SessionCredentials;
  readonly assumedRoleArn: string;
  readonly accountId: string;
  readonly claims: TokenClaims;
}

function toSession(credentials: Credentials | undefined, roleArn: string): SessionCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new GroundworkError('AWS_REQUEST_FAILED', `assuming ${roleArn} returned no credentials`, { hint: 'run the job again' });
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

/** Errors worth another try with a fresh token: throttling, 5xx, and GitHub's keys not reachable by STS for a moment. */
function retryable(error: unknown): boolean {
  return isTransient(error) || isError(error, 'IDPCommunicationError', 'IDPCommunicationErrorException');
}

/**
 * Exchanges the job's OIDC token for credentials of `roleArn` (AssumeRoleWithWebIdentity). Each attempt fetches a fresh
 * token; retries back off exponentially within `maxRetryMs`. When STS refuses the token, the error shows its claims and
 * the trust condition that would admit them.
 */
export async function assumeRoleViaOidc(options: OidcAssumeOptions): Promise<AssumedRole> {
  const audience = options.audience ?? 'sts.amazonaws.com';
  const maxRetryMs = options.maxRetryMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = elapsedMs();
  for (let attempt = 1; ; attempt++) {
    let token: string;
    try {
      token = await options.getToken();
    } catch (error) {
      const refused = tokenError(error);
      // GitHub's token endpoint failing for a moment (5xx, no answer) is worth another try, as STS's own hiccups are.
      const delayMs = backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 10_000 });
      if (refused.code !== 'GITHUB_SERVICE_ERROR' || elapsedMs() - started + delayMs > maxRetryMs) throw refused;
      options.onRetry?.(attempt, delayMs, refused);
      await sleep(delayMs);
      continue;
    }
    const claims = decodeClaims(token);
    try {
      const response = await options.sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? 'groundwork',
          WebIdentityToken: token,
          DurationSeconds: options.durationSeconds ?? 3600,
        }),
      );
      const assumedRoleArn = response.AssumedRoleUser?.Arn ?? options.roleArn;
      return { credentials: toSession(response.Credentials, options.roleArn), assumedRoleArn, accountId: accountOf(assumedRoleArn), claims };
    } catch (error) {
      if (isError(error, 'AccessDenied', 'AccessDeniedException', 'InvalidIdentityToken', 'InvalidIdentityTokenException', 'ExpiredTokenException')) {
        throw trustError(error, options.roleArn, claims, audience);
      }
      const delayMs = backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 10_000 });
      if (!retryable(error) || elapsedMs() - started + delayMs > maxRetryMs) throw error;
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}

/**
 * Why the job got no OIDC token, by what @actions/core's getIDToken threw: no token endpoint in the job's environment is
 * the missing `id-token: write` permission; an answer of GitHub's token endpoint keeps a GITHUB_* code by its status (a
 * 5xx or no answer is GitHub's, not the workflow's, and a wait that renews its session meets it long after the permission
 * worked).
 */
export function tokenError(error: unknown): GroundworkError {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  const message = `the job could not get a GitHub OIDC token: ${text}`;
  if (/Unable to get ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)/.test(text)) {
    return new GroundworkError('AWS_CREDENTIALS', message, {
      hint: 'give the job `permissions: id-token: write` (a called workflow needs it granted by its caller too)',
      cause: error,
    });
  }
  const status = Number(/Error Code : (\d{3})\b/.exec(text)?.[1] ?? Number.NaN);
  if (status === 401 || status === 403) {
    return new GroundworkError('GITHUB_ACCESS_DENIED', message, {
      hint: "GitHub refused the job's token request: the job's permissions: block needs id-token: write (a called workflow needs it granted by its caller too), and the request token lasts only while the job runs",
      cause: error,
    });
  }
  if (Number.isNaN(status) || status >= 500 || status === 429) {
    return new GroundworkError('GITHUB_SERVICE_ERROR', message, {
      hint: "GitHub's OIDC token endpoint did not answer with a token (retried): usually temporary, re-run the job; githubstatus.com shows outages",
      cause: error,
    });
  }
  return new GroundworkError('GITHUB_REFUSED', message, {
    hint: 'check the audience input (the token audience the role trusts), then re-run the job',
    cause: error,
  });
}

function trustError(error: unknown, roleArn: string, claims: TokenClaims, audience: string): GroundworkError {
  const shown = {
    sub: claims.sub,
    aud: claims.aud,
    repository: claims.repository,
    job_workflow_ref: claims.job_workflow_ref,
  };
  return new GroundworkError('AWS_ACCESS_DENIED', `STS refused the GitHub OIDC token for ${roleArn}: ${(error as Error).message}`, {
    details: [`token claims: ${JSON.stringify(shown)}`, `a trust policy admits this token with: ${JSON.stringify(admittingCondition(claims, audience))}`],
    hint: `check the role's trust policy: the OIDC provider ${GITHUB_OIDC_PROVIDER} must exist in that account, and the conditions must equal the claims above (a push to the branch the roles trust has sub repo:OWNER/REPO:ref:refs/heads/BRANCH: that branch is workloads.backendService.branch in groundwork.yaml, the Branch parameter of github-oidc.json, and must be the repository's default branch, main or master)`,
    cause: error,
  });
}

/** `123456789012` from an ARN. */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Chains from the OIDC session into a role in another account (an environment's deploy role). */
export async function chainInto(
  sts: STSClient,
  roleArn: string,
  sessionName = 'groundwork',
  durationSeconds = 3600,
): Promise<{ credentials: SessionCredentials; assumedRoleArn: string; accountId: string }> {
  try {
    const response = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: durationSeconds }));
    const assumedRoleArn = response.AssumedRoleUser?.Arn ?? roleArn;
    return { credentials: toSession(response.Credentials, roleArn), assumedRoleArn, accountId: accountOf(assumedRoleArn) };
  } catch (error) {
    if (isError(error, 'AccessDenied', 'AccessDeniedException')) {
      throw new GroundworkError('AWS_ACCESS_DENIED', `the delivery role could not assume ${roleArn}: ${(error as Error).message}`, {
        hint: "the target role's trust policy must name the delivery role of the cicd account, and the delivery role must allow sts:AssumeRole on it",
        cause: error,
      });
    }
    throw error;
  }
}

/** The inputs an account ID and a role name came from, so that an error names what the user set. */
export interface RoleInputs {
  readonly account: string;
  readonly role: string;
}

/**
 * `arn:aws:iam::ACCOUNT:role/NAME` for a 12-digit account and a role name, refusing anything else; the error names the
 * input each came from (assume-role-via-oidc's target-account-id by default, production-account-id for a release).
 */
export function roleArnFor(
  accountId: string,
  roleName: string,
  inputs: RoleInputs = { account: 'target-account-id', role: 'target-role-name' },
  partition = 'aws',
): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new GroundworkError('USAGE', `input ${inputs.account} is "${accountId}", which is not a 12-digit AWS account ID`, {
      hint: `set ${inputs.account} to the environment's account ID (12 digits, quoted in YAML so that leading zeros stay)`,
    });
  }
  if (!/^[\w+=,.@/-]{1,64}$/.test(roleName)) {
    throw new GroundworkError('USAGE', `input ${inputs.role} is "${roleName}", which is not an IAM role name`, {
      hint: `set ${inputs.role} to a role name of letters, digits and +=,.@_- (at most 64)`,
    });
  }
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
