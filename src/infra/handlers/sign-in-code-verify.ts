/**
 * VerifyAuthChallengeResponse of an auth pool, inlined into the auth template: the answer checked against the code of
 * the user's `sub` (never the e-mail, which can change hands). An unknown user's answer is simply wrong.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { dynamoCodeStore, kmsCodeMac } from '../../auth/code-store.js';
import { verifyCode } from '../../auth/sign-in-code.js';

const store = dynamoCodeStore(new DynamoDBClient({}), process.env.TABLE_NAME as string);
const mac = kmsCodeMac(new KMSClient({}), process.env.CODE_KEY_ID as string);

interface VerifyEvent {
  request: { userNotFound?: boolean; userAttributes?: Record<string, string>; challengeAnswer?: string };
  response: Record<string, unknown>;
}

export async function handler(event: VerifyEvent): Promise<VerifyEvent> {
  const sub = event.request.userNotFound ? undefined : event.request.userAttributes?.sub;
  event.response.answerCorrect = !!sub && (await verifyCode(store, mac, sub, event.request.challengeAnswer ?? '', {})).ok;
  return event;
}
