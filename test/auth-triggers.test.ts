import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCodeStore } from '../src/auth/code-store.js';
import { issueCode } from '../src/auth/sign-in-code.js';
import { INLINE_CODE_LIMIT } from '../src/infra/bundle-handler.js';
import { buildMemberTemplates } from '../src/infra/templates/build-templates.js';
import { node24 } from './helpers/node24.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const run = promisify(execFile);
const sandbox = useTestEmulator();
const template = buildMemberTemplates().find((t) => t.file === 'auth.json')?.template as {
  Resources: Record<string, { Properties: { Code?: { ZipFile?: string } } }>;
};
const inlineCode = template.Resources.SignInCodeTriggers?.Properties.Code?.ZipFile ?? '';

/**
 * The triggers exactly as the template inlines them, run on Node 24 (the function's runtime) as Lambda would call them,
 * against a real DynamoDB API (the emulator's): moto has no custom-auth triggers, so Cognito's part is the events.
 */
describe('the sign-in code triggers, as inlined in auth.json, against the emulator’s DynamoDB', () => {
  const dir = mkdtempSync(join(SHARED_PATHS.root, '.groundwork', 'inline-triggers-'));
  const ddb = () => sandbox.emulator.clients('us-east-1').create(DynamoDBClient);
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), inlineCode);
    // Lambda runs an inline index.js as CommonJS; this folder sits in an ESM package, so it says so itself.
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
    await ddb().send(
      new CreateTableCommand({
        TableName: 'codes',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'username', AttributeType: 'S' }],
      }),
    );
  });

  /** Calls the handler with each event in turn in one Lambda-like process; returns each response. */
  async function invoke(events: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const script = `const { handler } = require(${JSON.stringify(join(dir, 'index.js'))});
(async () => { const out = []; for (const e of ${JSON.stringify(events)}) { try { out.push((await handler(e)).response); } catch (error) { out.push({ thrown: error.message }); } } console.log(JSON.stringify(out)); })();`;
    const { stdout } = await run(node24(), ['-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'groundwork-sandbox',
        AWS_SECRET_ACCESS_KEY: 'groundwork-sandbox',
        TABLE_NAME: 'codes',
        CODE_MINUTES: '720',
        CODES_PER_HOUR: '5',
        CODE_SENDER: '',
      },
    });
    return JSON.parse(stdout) as Record<string, unknown>[];
  }
  const event = (triggerSource: string, request: Record<string, unknown>) => ({
    triggerSource,
    userName: 'uuid-of-ada',
    request: { userAttributes: { email: 'ada@example.com' }, ...request },
    response: {},
  });

  it('fits CloudFormation’s inline limit', () => {
    expect(inlineCode.length).toBeGreaterThan(0);
    expect(inlineCode.length).toBeLessThanOrEqual(INLINE_CODE_LIMIT);
  });

  it('signs in with an administrator’s code once: define → create → verify, a wrong answer refused, the code gone after use', async () => {
    const store = dynamoCodeStore(ddb(), 'codes');
    const issued = await issueCode(store, 'ada@example.com', { lifetimeMinutes: 720, perHour: 5 });
    if (!('code' in issued)) throw new Error('refused');
    const [start, create, wrong, right, again, done] = await invoke([
      event('DefineAuthChallenge_Authentication', { session: [] }),
      event('CreateAuthChallenge_Authentication', { session: [] }),
      event('VerifyAuthChallengeResponse_Authentication', { challengeAnswer: '00000000' }),
      event('VerifyAuthChallengeResponse_Authentication', { challengeAnswer: issued.code }),
      event('VerifyAuthChallengeResponse_Authentication', { challengeAnswer: issued.code }),
      event('DefineAuthChallenge_Authentication', {
        session: [
          { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false },
          { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true },
        ],
      }),
    ]);
    expect(start).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(create).toEqual({ publicChallengeParameters: { delivery: 'administrator' }, challengeMetadata: 'CODE' });
    expect(wrong).toEqual({ answerCorrect: false });
    expect(right).toEqual({ answerCorrect: true });
    expect(again).toEqual({ answerCorrect: false });
    expect(done).toEqual({ issueTokens: true, failAuthentication: false });
  });

  it('refuses to start a challenge for a user with no code when the pool has no sender', async () => {
    const [create] = await invoke([
      { ...event('CreateAuthChallenge_Authentication', { session: [] }), request: { userAttributes: { email: 'ben@example.com' } } },
    ]);
    expect(create).toEqual({ thrown: 'no code: ask an administrator' });
  });
});
