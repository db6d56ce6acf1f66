/**
 * The custom-auth triggers of an auth pool (DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse),
 * inlined into the auth template. Codes live in the pool's own table: hash, expiry (TTL), rate window, wrong answers.
 * A code comes from `groundwork auth code` (an admin), or, when the pool has a sender and the user has no valid code,
 * is e-mailed here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { dynamoCodeStore } from '../../auth/code-store.js';
import { defineChallenge, hasUsableCode, issueCode, verifyCode } from '../../auth/sign-in-code.js';

const env = process.env;
const table = env.TABLE_NAME as string;
const policy = { lifetimeMinutes: Number(env.CODE_MINUTES), perHour: Number(env.CODES_PER_HOUR) };

const store = dynamoCodeStore(new DynamoDBClient({}), table);

interface TriggerEvent {
  triggerSource: string;
  userName: string;
  request: {
    userNotFound?: boolean;
    session?: { challengeName: string; challengeResult: boolean }[];
    userAttributes?: Record<string, string>;
    challengeAnswer?: string;
    clientMetadata?: Record<string, string>;
  };
  response: Record<string, unknown>;
}

export async function handler(event: TriggerEvent): Promise<TriggerEvent> {
  const user = (event.request.userAttributes?.email ?? event.userName).toLowerCase();
  if (event.triggerSource === 'DefineAuthChallenge_Authentication') {
    Object.assign(event.response, defineChallenge(event.request.session ?? [], event.request.userNotFound === true));
  } else if (event.triggerSource === 'CreateAuthChallenge_Authentication') {
    if (!hasUsableCode(await store.get(user))) {
      // No admin-issued code: e-mail one, if the pool has a sender; otherwise the challenge cannot be answered.
      if (!env.CODE_SENDER) throw new Error('no code: ask an administrator');
      const issued = await issueCode(store, user, policy);
      if (!('code' in issued)) throw new Error('too many codes: try later');
      await new SESv2Client({}).send(
        new SendEmailCommand({
          FromEmailAddress: env.CODE_SENDER,
          Destination: { ToAddresses: [user] },
          Content: { Simple: { Subject: { Data: 'Sign-in code' }, Body: { Text: { Data: issued.code } } } },
        }),
      );
    }
    event.response.publicChallengeParameters = { delivery: env.CODE_SENDER ? 'email' : 'administrator' };
    event.response.challengeMetadata = 'CODE';
  } else if (event.triggerSource === 'VerifyAuthChallengeResponse_Authentication') {
    event.response.answerCorrect = (await verifyCode(store, user, event.request.challengeAnswer ?? '', {})).ok;
  }
  return event;
}
