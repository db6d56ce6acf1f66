import {
  type CognitoIdentityProviderClient,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListResourceServersCommand,
  ListUserPoolClientsCommand,
  paginateListUserPools,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GroundworkError } from '../errors.js';
import { type AuthSettings, poolName, RESOURCE_SERVER, SPA_CLIENT_NAME, spaClientInput, userPoolInput } from './pool-spec.js';

/** An environment's pool, as found or created. */
export interface PoolRef {
  readonly environment: string;
  readonly userPoolId: string;
  readonly spaClientId: string;
  /** True when this call created the pool. */
  readonly created: boolean;
}

/** The pool of an environment, if it exists (found by its name). */
export async function findPool(cognito: CognitoIdentityProviderClient, environment: string): Promise<string | undefined> {
  for await (const page of paginateListUserPools({ client: cognito }, { MaxResults: 60 })) {
    const pool = page.UserPools?.find((p) => p.Name === poolName(environment));
    if (pool?.Id) return pool.Id;
  }
  return undefined;
}

/** The pool of an environment, or a clear error naming how to create it. */
export async function requirePool(cognito: CognitoIdentityProviderClient, environment: string, sandbox: boolean): Promise<string> {
  const id = await findPool(cognito, environment);
  if (id) return id;
  throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the user pool ${poolName(environment)} of ${environment} does not exist`, {
    hint: sandbox
      ? 'run npm start (groundwork up): it creates each environment’s pool in the sandbox'
      : 'deploy the auth template (cloudformation/auth.json) to that account',
  });
}

/**
 * Finds or creates an environment's pool with its SPA client and the backend's resource server, from the same settings
 * functions the template uses. The sandbox does this in `groundwork up`; on AWS the template does it.
 */
export async function ensurePool(cognito: CognitoIdentityProviderClient, settings: AuthSettings): Promise<PoolRef> {
  let userPoolId = await findPool(cognito, settings.environment);
  const created = !userPoolId;
  if (!userPoolId) {
    const { UserPool } = await cognito.send(new CreateUserPoolCommand(userPoolInput(settings)));
    userPoolId = UserPool?.Id as string;
    if (settings.mfa !== 'OFF') {
      await cognito.send(
        new SetUserPoolMfaConfigCommand({ UserPoolId: userPoolId, MfaConfiguration: settings.mfa, SoftwareTokenMfaConfiguration: { Enabled: true } }),
      );
    }
  }
  const servers = await cognito.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }));
  if (!servers.ResourceServers?.some((s) => s.Identifier === RESOURCE_SERVER.Identifier)) {
    await cognito.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, ...RESOURCE_SERVER, Scopes: [...RESOURCE_SERVER.Scopes] }));
  }
  const clients = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let spaClientId = clients.UserPoolClients?.find((c) => c.ClientName === SPA_CLIENT_NAME)?.ClientId;
  if (!spaClientId) {
    const { UserPoolClient } = await cognito.send(new CreateUserPoolClientCommand(spaClientInput(userPoolId, settings)));
    spaClientId = UserPoolClient?.ClientId as string;
  }
  return { environment: settings.environment, userPoolId, spaClientId, created };
}
