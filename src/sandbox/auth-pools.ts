import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ensureCodeStore } from '../auth/admin-code.js';
import { authSettings } from '../auth/pool-spec.js';
import { ensurePool, type PoolRef } from '../auth/pools.js';
import type { ClientFactory } from '../aws/client-factory.js';
import { allAccounts, type GroundworkConfig } from '../config/resolved-config.js';

/** What the emulator cannot show of the auth service, said wherever the sandbox shows pools. */
export const SANDBOX_AUTH_LIMITS =
  'the emulator (moto) stores token validities but does not enforce them, and has no user import jobs, no GetTokensFromRefreshToken and no custom-auth triggers: auth code issues codes into the sandbox table, but signing in with them needs AWS; those parts are covered by tests on recorded answers';

/** Each configured environment's pool, SPA client and resource server in its account in the emulator. */
export async function ensureSandboxPools(
  session: { readonly clients: ClientFactory; readonly org: { readonly registry: { readonly accountIds: ReadonlyMap<string, string> } } },
  config: GroundworkConfig,
): Promise<PoolRef[]> {
  const pools: PoolRef[] = [];
  for (const environment of Object.keys(config.auth.environments)) {
    const account = allAccounts(config).find((a) => a.environment === environment);
    const accountId = account ? session.org.registry.accountIds.get(account.name) : undefined;
    if (!accountId) continue;
    const cognito = session.clients.create(CognitoIdentityProviderClient, { accountId });
    pools.push(await ensurePool(cognito, authSettings(config, environment)));
    await ensureCodeStore(session.clients.create(DynamoDBClient, { accountId }), session.clients.create(KMSClient, { accountId }), environment);
  }
  return pools;
}
