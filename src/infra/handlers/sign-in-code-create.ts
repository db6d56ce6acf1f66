/**
 * CreateAuthChallenge of an auth pool, inlined into the auth template. When the pool has a sender and a known user has
 * no usable code, it issues one (within the hourly limit) and e-mails it. Every user, known or not, with a code or
 * without, rate-limited or not, gets the same challenge and no error: what Cognito's PreventUserExistenceErrors promises.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { dynamoCodeStore, kmsCodeMac } from '../../auth/code-store.js';
import { hasUsableCode, issueCode } from '../../auth/sign-in-code.js';

const env = process.env;
const sender = env.CODE_SENDER;
const store = dynamoCodeStore(new DynamoDBClient({}), env.TABLE_NAME as string);
const mac = kmsCodeMac(new KMSClient({}), env.CODE_KEY_ID as string);

interface CreateEvent {
  request: { userNotFound?: boolean; userAttributes?: Record<string, string> };
  response: Record<string, unknown>;
}

export async function handler(event: CreateEvent): Promise<CreateEvent> {
  const { sub, email } = event.request.userAttributes ?? {};
  if (sender && sub && email && !event.request.userNotFound && !hasUsableCode(await store.get(sub))) {
    const issued = await issueCode(store, mac, sub, { lifetimeMinutes: Number(env.CODE_MINUTES), perHour: Number(env.CODES_PER_HOUR) });
    // A failed send is logged, not thrown: an error would tell this user from an unknown one.
    if ('code' in issued) {
      await new SESv2Client({})
        .send(
          new SendEmailCommand({
            FromEmailAddress: sender,
            Destination: { ToAddresses: [email] },
            Content: { Simple: { Subject: { Data: 'Sign-in code' }, Body: { Text: { Data: issued.code } } } },
          }),
        )
        .catch((error: Error) => console.error('sign-in code not sent', sub, error.name));
    }
  }
  event.response.publicChallengeParameters = { delivery: sender ? 'email' : 'administrator' };
  event.response.challengeMetadata = 'CODE';
  return event;
}
