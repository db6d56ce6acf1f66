import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CodeRecord, CodeStore } from './sign-in-code.js';

/**
 * The sign-in code table as a CodeStore: one item per user (the key in lower case), a conditional delete for single
 * use, an atomic counter for wrong answers. Used by the triggers (inlined, so kept small) and by `groundwork auth code`.
 */
export function dynamoCodeStore(ddb: DynamoDBClient, table: string): CodeStore {
  const key = (username: string) => ({ TableName: table, Key: { username: { S: username.toLowerCase() } } });
  const ifHash = (h: string, values = {}) => ({ ConditionExpression: 'codeHash = :h', ExpressionAttributeValues: { ':h': { S: h }, ...values } });

  return {
    async get(username) {
      const { Item } = await ddb.send(new GetItemCommand({ ...key(username), ConsistentRead: true }));
      return Item && (Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v.S ?? Number(v.N)])) as unknown as CodeRecord);
    },
    async put(record) {
      const Item = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: v }]));
      await ddb.send(new PutItemCommand({ TableName: table, Item }));
    },
    async deleteIfHash(username, codeHash) {
      try {
        await ddb.send(new DeleteItemCommand({ ...key(username), ...ifHash(codeHash) }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    async addWrongAnswer(username, codeHash) {
      const { Attributes } = await ddb.send(
        new UpdateItemCommand({
          ...key(username),
          ...ifHash(codeHash, { ':one': { N: '1' } }),
          UpdateExpression: 'ADD wrongAnswers :one',
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.wrongAnswers?.N);
    },
  };
}
