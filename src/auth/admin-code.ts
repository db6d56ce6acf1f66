import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { isError } from '../aws/aws-error.js';
import { type Clock, systemClock } from '../clock.js';
import { GroundworkError } from '../errors.js';
import { dynamoCodeStore } from './code-store.js';
import { type AuthSettings, codeTableName } from './pool-spec.js';
import { issueCode } from './sign-in-code.js';

/** A code an administrator issued, to hand to the user. */
export interface IssuedCode {
  readonly environment: string;
  readonly user: string;
  readonly code: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/**
 * Issues a one-time sign-in code for a user of an environment's pool (the admin path): written, as a hash, to the pool's
 * code table, where the pool's triggers accept it once until it expires. The per-user hourly limit applies.
 */
export async function issueAdminCode(ddb: DynamoDBClient, settings: AuthSettings, user: string, now: Clock = systemClock): Promise<IssuedCode> {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user)) {
    throw new GroundworkError('USAGE', `"${user}" is not a user of the pool`, { hint: 'pass the user’s e-mail address (the pools sign in with e-mail)' });
  }
  const store = dynamoCodeStore(ddb, codeTableName(settings.environment));
  try {
    const issued = await issueCode(store, user, { lifetimeMinutes: settings.signInCodeMinutes, perHour: settings.signInCodesPerHour }, now);
    if (!('code' in issued)) {
      throw new GroundworkError('USAGE', `${user} has had ${settings.signInCodesPerHour} sign-in codes this hour`, {
        hint: `wait ${Math.ceil(issued.retryAfterSeconds / 60)} minutes, or raise auth.environments.${settings.environment}.signInCodesPerHour`,
      });
    }
    return { environment: settings.environment, user: user.toLowerCase(), code: issued.code, expiresAt: new Date(issued.expiresAt * 1000).toISOString() };
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) {
      throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the sign-in code table ${codeTableName(settings.environment)} does not exist`, {
        hint: 'deploy the auth template (cloudformation/auth.json) to that account, or run npm start in the sandbox',
        cause: error,
      });
    }
    throw error;
  }
}

/** The sandbox's code table, as the template makes it (key, TTL), created when missing. */
export async function ensureCodeTable(ddb: DynamoDBClient, environment: string): Promise<void> {
  const TableName = codeTableName(environment);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'username', AttributeType: 'S' }],
      }),
    );
  } catch (error) {
    if (isError(error, 'ResourceInUseException')) return;
    throw error;
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName });
  await ddb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
}
