import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { CodeMac, CodeRecord, CodeStore } from './sign-in-code.js';

/** True when a conditional write found the item changed; rethrows anything else. */
const lost = (error: unknown) => {
  if ((error as Error).name === 'ConditionalCheckFailedException') return true;
  throw error;
};

/**
 * The sign-in code table as a CodeStore: one item per user, keyed by `sub`; every write conditional (the rate window
 * as read, the code as read, the attempt count under the limit). Used by the triggers (inlined, so kept small) and by
 * `groundwork auth code`.
 */
export function dynamoCodeStore(ddb: DynamoDBClient, table: string): CodeStore {
  const key = (sub: string) => ({ TableName: table, Key: { sub: { S: sub } } });
  const update = (sub: string, expression: string, condition: string, values: Record<string, AttributeValue>) =>
    ddb.send(
      new UpdateItemCommand({
        ...key(sub),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );

  return {
    async get(sub) {
      const { Item } = await ddb.send(new GetItemCommand({ ...key(sub), ConsistentRead: true }));
      return Item && (Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v.S ?? Number(v.N)])) as unknown as CodeRecord);
    },
    async put(record, previous) {
      const Item = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'number' ? { N: `${v}` } : { S: v }]));
      try {
        await ddb.send(
          new PutItemCommand({
            TableName: table,
            Item,
            ...(previous
              ? {
                  ConditionExpression: 'windowStart = :w AND issuedInWindow = :n',
                  ExpressionAttributeValues: { ':w': { N: `${previous.windowStart}` }, ':n': { N: `${previous.issuedInWindow}` } },
                }
              : { ConditionExpression: 'attribute_not_exists(#s)', ExpressionAttributeNames: { '#s': 'sub' } }),
          }),
        );
        return true;
      } catch (error) {
        return !lost(error);
      }
    },
    async claimAnswer(sub, codeMac, max) {
      try {
        const { Attributes } = await update(sub, 'SET wrongAnswers = wrongAnswers + :one', 'codeMac = :m AND wrongAnswers < :max', {
          ':m': { S: codeMac },
          ':one': { N: '1' },
          ':max': { N: `${max}` },
        });
        return Number(Attributes?.wrongAnswers?.N);
      } catch (error) {
        return lost(error) ? undefined : 0;
      }
    },
    async clearCode(sub, codeMac) {
      try {
        await update(sub, 'REMOVE codeMac', 'codeMac = :m', { ':m': { S: codeMac } });
        return true;
      } catch (error) {
        return !lost(error);
      }
    },
  };
}

/** The pool's code MAC: HMAC-SHA-256 under its KMS HMAC key (the key never leaves KMS), base64. */
export function kmsCodeMac(kms: KMSClient, keyId: string): CodeMac {
  return async (message) => {
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(message) }));
    return Buffer.from(Mac as Uint8Array).toString('base64');
  };
}
