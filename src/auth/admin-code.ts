import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isError } from '../aws/aws-error.js';
import { type Clock, systemClock } from '../clock.js';
import { GroundworkError } from '../errors.js';
import { dynamoCodeStore, kmsCodeMac } from './code-store.js';
import { type AuthSettings, codeKeyAlias, codeTableName } from './pool-spec.js';
import { issueCode } from './sign-in-code.js';

/** A code an administrator issued, to hand to the user. */
export interface IssuedCode {
  readonly environment: string;
  readonly user: string;
  /** The user's immutable ID in the pool: the code is bound to it, not to the e-mail. */
  readonly sub: string;
  readonly code: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** What issuing a code talks to: the pool (to find the user's sub), the code table and the code key. */
export interface CodeIssuer {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly ddb: DynamoDBClient;
  readonly kms: KMSClient;
}

/** The `sub` of a pool's user given by e-mail, or a clear error. */
async function userSub(issuer: CodeIssuer, environment: string, user: string): Promise<string> {
  try {
    const { UserAttributes } = await issuer.cognito.send(new AdminGetUserCommand({ UserPoolId: issuer.userPoolId, Username: user }));
    const sub = UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    if (sub) return sub;
  } catch (error) {
    if (!isError(error, 'UserNotFoundException')) throw error;
  }
  throw new GroundworkError('USAGE', `${user} is not a user of ${environment}'s pool`, {
    hint: `check the address, or create the user first (groundwork auth import FILE --env ${environment})`,
  });
}

/**
 * Issues a one-time sign-in code for a user of an environment's pool (the admin path): bound to the user's `sub`,
 * written as an HMAC under the pool's KMS key to the pool's code table, where the triggers accept it once until it
 * expires. The per-user hourly limit applies. A pool with MFA `ON` refuses code sign-in, so none is issued for it.
 */
export async function issueAdminCode(issuer: CodeIssuer, settings: AuthSettings, user: string, now: Clock = systemClock): Promise<IssuedCode> {
  const { environment } = settings;
  if (settings.mfa === 'ON') {
    throw new GroundworkError('USAGE', `${environment}'s pool requires MFA (mfa: ON), and a sign-in code would skip it: its triggers refuse codes`, {
      hint: `sign in with the password and the authenticator app; or set auth.environments.${environment}.mfa to OPTIONAL to allow codes`,
    });
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user)) {
    throw new GroundworkError('USAGE', `"${user}" is not a user of the pool`, { hint: 'pass the user’s e-mail address (the pools sign in with e-mail)' });
  }
  const sub = await userSub(issuer, environment, user.toLowerCase());
  const store = dynamoCodeStore(issuer.ddb, codeTableName(environment));
  try {
    const policy = { lifetimeMinutes: settings.signInCodeMinutes, perHour: settings.signInCodesPerHour };
    const issued = await issueCode(store, kmsCodeMac(issuer.kms, codeKeyAlias(environment)), sub, policy, now);
    if (!('code' in issued)) {
      throw new GroundworkError('USAGE', `${user} has had ${settings.signInCodesPerHour} sign-in codes this hour`, {
        hint: `wait ${Math.ceil(issued.retryAfterSeconds / 60)} minutes, or raise auth.environments.${environment}.signInCodesPerHour`,
      });
    }
    return { environment, user: user.toLowerCase(), sub, code: issued.code, expiresAt: new Date(issued.expiresAt * 1000).toISOString() };
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException', 'NotFoundException')) {
      const what = isError(error, 'NotFoundException') ? `key ${codeKeyAlias(environment)}` : `table ${codeTableName(environment)}`;
      throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the sign-in code ${what} does not exist`, {
        hint: 'deploy the auth template (cloudformation/auth.json) to that account, or run npm start in the sandbox',
        cause: error,
      });
    }
    throw error;
  }
}

/** The sandbox's code table and HMAC key, as the template makes them (key by sub, TTL; HMAC_256 under its alias), created when missing. */
export async function ensureCodeStore(ddb: DynamoDBClient, kms: KMSClient, environment: string): Promise<void> {
  await ensureCodeTable(ddb, environment);
  try {
    await kms.send(new DescribeKeyCommand({ KeyId: codeKeyAlias(environment) }));
  } catch (error) {
    if (!isError(error, 'NotFoundException')) throw error;
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: `Sign-in codes of ${environment} (sandbox)` }),
    );
    await kms.send(new CreateAliasCommand({ AliasName: codeKeyAlias(environment), TargetKeyId: KeyMetadata?.KeyId as string }));
  }
}

async function ensureCodeTable(ddb: DynamoDBClient, environment: string): Promise<void> {
  const TableName = codeTableName(environment);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'sub', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'sub', AttributeType: 'S' }],
      }),
    );
  } catch (error) {
    if (isError(error, 'ResourceInUseException')) return;
    throw error;
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName });
  await ddb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
}
