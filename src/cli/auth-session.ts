import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { allAccounts } from '../config/resolved-config.js';
import { didYouMean } from '../config/suggest.js';
import { GroundworkError } from '../errors.js';
import { listAccountIdsByName } from '../org/list-accounts.js';
import type { CommandContext } from './context.js';
import { resolveTarget } from './context.js';
import { type OrgSession, openOrgSession } from './org-session.js';

/** What an auth command needs: the session, the environment's account, and a Cognito client in it. */
export interface AuthSession {
  readonly session: OrgSession;
  readonly environment: string;
  readonly accountId: string;
  /** Writes go through withRetry: the client tries once. */
  readonly cognito: CognitoIdentityProviderClient;
  readonly sandbox: boolean;
}

/** Opens the environment's pool account: it must have auth settings and exactly one account, which must exist. */
export async function openAuthSession(ctx: CommandContext, environment: string): Promise<AuthSession> {
  const session = await openOrgSession(ctx);
  const { config } = session;
  const configured = Object.keys(config.auth.environments);
  if (!configured.includes(environment)) {
    throw new GroundworkError('USAGE', `environment "${environment}" has no auth settings`, {
      hint:
        configured.length > 0 ? `${didYouMean(environment, configured)}; or add it under auth.environments` : 'add it under auth.environments in the config',
    });
  }
  const accounts = allAccounts(config).filter((a) => a.environment === environment);
  if (accounts.length !== 1) {
    throw new GroundworkError(
      'USAGE',
      `environment "${environment}" has ${accounts.length} accounts (${accounts.map((a) => a.name).join(', ')}); its pool lives in one`,
      {
        hint: 'give the pool’s account its own environment name',
      },
    );
  }
  const account = accounts[0] as (typeof accounts)[number];
  const ids = await listAccountIdsByName(session.clients.create(OrganizationsClient));
  const accountId = ids.get(account.name);
  if (!accountId) {
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `account ${account.name} of ${environment} does not exist yet`, {
      hint: 'run groundwork apply (or npm start in the sandbox) first',
    });
  }
  return {
    session,
    environment,
    accountId,
    cognito: session.clients.create(CognitoIdentityProviderClient, { accountId, maxAttempts: 1 }),
    sandbox: resolveTarget(ctx) === 'sandbox',
  };
}
