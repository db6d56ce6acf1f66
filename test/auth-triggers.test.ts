import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { App, BootstraplessSynthesizer } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCodeStore, issueAdminCode } from '../src/auth/admin-code.js';
import { authSettings, codeKeyAlias, codeTableName } from '../src/auth/pool-spec.js';
import { ensurePool } from '../src/auth/pools.js';
import { loadConfig } from '../src/config/load-config.js';
import { INLINE_CODE_LIMIT } from '../src/infra/bundle-handler.js';
import { AuthStack } from '../src/infra/templates/auth-stack.js';
import { node24 } from './helpers/node24.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const run = promisify(execFile);
const sandbox = useTestEmulator();
const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));
const settings = { ...authSettings(config, 'staging'), signInCodesPerHour: 3 };
// The auth stack alone, synthesized as build:templates does (the whole set is checked in member-templates.test.ts).
const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gw-auth-template-')), analyticsReporting: false });
new AuthStack(app, 'auth', { synthesizer: new BootstraplessSynthesizer() });
const template = app.synth().getStackByName('auth').template as { Resources: Record<string, { Properties: { Code?: { ZipFile?: string } } }> };
const TRIGGERS = { define: 'SignInCodeDefine', create: 'SignInCodeCreate', verify: 'SignInCodeVerify' } as const;
type Trigger = keyof typeof TRIGGERS;
const inlineCode = (trigger: Trigger) => template.Resources[TRIGGERS[trigger]]?.Properties.Code?.ZipFile ?? '';
const SENDER = 'login@example.com';

type Response = Record<string, unknown>;
interface Invocation {
  readonly out: Response[];
  /** KMS GenerateMac calls the function made: one per code issued or answer compared. */
  readonly macs: number;
}

/**
 * The triggers exactly as the template inlines them, run on Node 24 (the functions' runtime) as Lambda would call them,
 * against the emulator's DynamoDB, KMS and SES: moto has no custom-auth triggers, so Cognito's part is the events.
 */
describe('the sign-in code triggers, as inlined in auth.json, against the emulator', () => {
  // Inside the repository, so that the functions find the SDK in its node_modules, as Lambda's runtime provides it.
  mkdirSync(SHARED_PATHS.home, { recursive: true });
  const dir = mkdtempSync(join(SHARED_PATHS.home, 'inline-triggers-'));
  const clients = () => sandbox.emulator.clients('us-east-1');
  const cognito = () => clients().create(CognitoIdentityProviderClient, { maxAttempts: 1 });
  const ddb = () => clients().create(DynamoDBClient);
  const kms = () => clients().create(KMSClient);
  let userPoolId = '';
  let keyArn = '';

  beforeAll(async () => {
    for (const trigger of Object.keys(TRIGGERS) as Trigger[]) {
      mkdirSync(join(dir, trigger), { recursive: true });
      writeFileSync(join(dir, trigger, 'index.js'), inlineCode(trigger));
      // Lambda runs an inline index.js as CommonJS; this folder sits in an ESM package, so it says so itself.
      writeFileSync(join(dir, trigger, 'package.json'), '{"type":"commonjs"}');
    }
    userPoolId = (await ensurePool(cognito(), settings)).userPoolId;
    await ensureCodeStore(ddb(), kms(), 'staging');
    keyArn = (await kms().send(new DescribeKeyCommand({ KeyId: codeKeyAlias('staging') }))).KeyMetadata?.Arn as string;
    await clients()
      .create(SESv2Client)
      .send(new CreateEmailIdentityCommand({ EmailIdentity: SENDER }));
  });

  /** Calls one trigger with each event, in turn or all at once, in one Lambda-like process; counts its GenerateMac calls. */
  async function invoke(trigger: Trigger, events: unknown[], options: { parallel?: boolean; sender?: string; mfa?: string } = {}): Promise<Invocation> {
    const script = `const kms = require('@aws-sdk/client-kms');
let macs = 0;
const send = kms.KMSClient.prototype.send;
kms.KMSClient.prototype.send = function (command, ...rest) { if (command instanceof kms.GenerateMacCommand) macs++; return send.call(this, command, ...rest); };
const { handler } = require(${JSON.stringify(join(dir, trigger, 'index.js'))});
const call = async (e) => { try { return (await handler(e)).response; } catch (error) { return { thrown: error.message }; } };
(async () => {
  const events = ${JSON.stringify(events)};
  const out = [];
  if (${options.parallel === true}) out.push(...(await Promise.all(events.map(call))));
  else for (const e of events) out.push(await call(e));
  console.log(JSON.stringify({ out, macs }));
})();`;
    const { stdout } = await run(node24(), ['-e', script], {
      cwd: SHARED_PATHS.root,
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'groundwork-sandbox',
        AWS_SECRET_ACCESS_KEY: 'groundwork-sandbox',
        TABLE_NAME: codeTableName('staging'),
        CODE_KEY_ID: keyArn,
        CODE_MINUTES: '720',
        CODES_PER_HOUR: String(settings.signInCodesPerHour),
        CODE_SENDER: options.sender ?? '',
        MFA: options.mfa ?? 'OPTIONAL',
      },
    });
    return JSON.parse(stdout) as Invocation;
  }

  /** A user of the pool: e-mail and sub, as Cognito passes them to the triggers. */
  async function user(email: string): Promise<{ email: string; sub: string }> {
    await cognito().send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, MessageAction: 'SUPPRESS' }));
    return { email, sub: await subOf(email) };
  }
  const subOf = async (email: string) =>
    (await cognito().send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserAttributes?.find((a) => a.Name === 'sub')?.Value as string;
  /** Cognito's event for a known user, or for an unknown one (PreventUserExistenceErrors: userNotFound, no attributes). */
  const event = (who: { email: string; sub: string } | 'unknown', request: Record<string, unknown> = {}) =>
    who === 'unknown'
      ? { userName: 'nobody@example.com', request: { userNotFound: true, userAttributes: {}, ...request }, response: {} }
      : { userName: who.sub, request: { userAttributes: { sub: who.sub, email: who.email, email_verified: 'true' }, ...request }, response: {} };
  const fail = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false };
  const issuer = () => ({ cognito: cognito(), userPoolId, ddb: ddb(), kms: kms() });
  const item = async (sub: string) =>
    (await ddb().send(new GetItemCommand({ TableName: codeTableName('staging'), Key: { sub: { S: sub } }, ConsistentRead: true }))).Item;
  /** The codes the emulator's SES sent to an address, oldest first (moto keeps every message it sent). */
  async function mailedCodes(to: string): Promise<string[]> {
    const data = (await (await fetch(`${sandbox.emulator.endpoint}/moto-api/data.json`)).json()) as {
      ses?: { Message?: { body: string; destinations: { ToAddresses?: string[] } }[] };
    };
    return (data.ses?.Message ?? []).filter((m) => m.destinations.ToAddresses?.includes(to)).map((m) => m.body);
  }

  it('fits CloudFormation’s inline limit, each trigger in its own function', () => {
    for (const trigger of Object.keys(TRIGGERS) as Trigger[]) {
      expect(inlineCode(trigger).length).toBeGreaterThan(0);
      expect(inlineCode(trigger).length).toBeLessThanOrEqual(INLINE_CODE_LIMIT);
    }
  });

  it('signs in with an administrator’s code on its own, once: define → create → verify, a wrong answer refused, the code gone after use', async () => {
    const ada = await user('ada@example.com');
    const { code } = await issueAdminCode(issuer(), settings, ada.email);
    const [start] = (await invoke('define', [event(ada, { session: [] })])).out;
    const [create] = (await invoke('create', [event(ada, { session: [] })])).out;
    const verified = await invoke(
      'verify',
      [code, '00000000', code, code].map((answer, i) => event(ada, { challengeAnswer: i === 0 ? '00000000' : answer })),
    );
    const [done] = (await invoke('define', [event(ada, { session: [fail, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true }] })])).out;
    expect(start).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(create).toEqual({ publicChallengeParameters: { delivery: 'administrator' }, challengeMetadata: 'CODE' });
    expect(verified.out).toEqual([{ answerCorrect: false }, { answerCorrect: false }, { answerCorrect: true }, { answerCorrect: false }]);
    expect(done).toEqual({ issueTokens: true, failAuthentication: false });
  });

  it('answers an unknown user exactly as a known one, with a code or without, rate-limited or not: same steps, same challenge, no error', async () => {
    const [withCode, without, limited] = [await user('cat@example.com'), await user('dan@example.com'), await user('eve@example.com')];
    await issueAdminCode(issuer(), settings, withCode.email);
    for (let i = 0; i < settings.signInCodesPerHour; i++) await issueAdminCode(issuer(), settings, limited.email);
    const people = ['unknown', withCode, without, limited] as const;
    const sessions = [[], [fail], [fail, fail], [fail, fail, fail]];
    for (const sender of ['', SENDER]) {
      // One process per trigger, every person's events in it, as one warm Lambda would take them.
      const chunk = (out: Response[], size: number) => people.map((_, i) => out.slice(i * size, (i + 1) * size));
      const define = chunk(
        (
          await invoke(
            'define',
            people.flatMap((p) => sessions.map((session) => event(p, { session }))),
            { sender },
          )
        ).out,
        sessions.length,
      );
      const create = chunk(
        (
          await invoke(
            'create',
            people.map((p) => event(p, { session: [] })),
            { sender },
          )
        ).out,
        1,
      );
      // A wrong code, and an answer KMS would refuse to MAC (over 4 KB): both simply wrong, for everyone.
      const wrong = ['00000000', '1'.repeat(5000)];
      const verifyEvents = people.flatMap((p) => wrong.map((challengeAnswer) => event(p, { challengeAnswer })));
      const verify = chunk((await invoke('verify', verifyEvents, { sender })).out, wrong.length);
      for (const answers of [define, create, verify]) {
        for (const answer of answers) expect(answer).toEqual(answers[0]);
      }
      expect(define[0]?.at(-1)).toEqual({ issueTokens: false, failAuthentication: true });
      expect(create[0]).toEqual([{ publicChallengeParameters: { delivery: sender ? 'email' : 'administrator' }, challengeMetadata: 'CODE' }]);
      expect(verify[0]).toEqual([{ answerCorrect: false }, { answerCorrect: false }]);
    }
    // Only the known user without a code was e-mailed one; nothing went to the unknown address or past the hourly limit.
    expect(await mailedCodes(without.email)).toHaveLength(1);
    expect(await mailedCodes('nobody@example.com')).toEqual([]);
    expect(await mailedCodes(limited.email)).toEqual([]);
  });

  it('refuses an answer KMS would not MAC (over 4 KB) as wrong without calling KMS, whose error would single out a user with a code', async () => {
    const joe = await user('joe@example.com');
    const { code } = await issueAdminCode(issuer(), settings, joe.email);
    // moto MACs any length; AWS KMS answers ValidationException past 4,096 bytes, so the call must not happen.
    expect(await invoke('verify', [event(joe, { challengeAnswer: '1'.repeat(5000) })])).toEqual({ out: [{ answerCorrect: false }], macs: 0 });
    expect(await invoke('verify', [event(joe, { challengeAnswer: ` ${code} ` })])).toEqual({ out: [{ answerCorrect: true }], macs: 1 });
  });

  it('refuses every code sign-in, known user or not, in a pool that requires MFA', async () => {
    const fay = await user('fay@example.com');
    const answers = await Promise.all([fay, 'unknown' as const].map(async (p) => (await invoke('define', [event(p, { session: [] })], { mfa: 'ON' })).out));
    expect(answers).toEqual([[{ issueTokens: false, failAuthentication: true }], [{ issueTokens: false, failAuthentication: true }]]);
  });

  it('compares exactly 5 of 40 parallel wrong answers and none after; the code is then void, and the right answer refused', async () => {
    const gus = await user('gus@example.com');
    const { code } = await issueAdminCode(issuer(), settings, gus.email);
    const wrong = Array.from({ length: 40 }, (_, i) => event(gus, { challengeAnswer: String(i).padStart(8, '9') }));
    const raced = await invoke('verify', wrong, { parallel: true });
    expect(raced.macs).toBe(5);
    expect(raced.out.every((r) => r.answerCorrect === false)).toBe(true);
    expect(await item(gus.sub)).toMatchObject({ wrongAnswers: { N: '5' } });
    const late = await invoke('verify', [event(gus, { challengeAnswer: code })]);
    expect(late).toEqual({ out: [{ answerCorrect: false }], macs: 0 });
  });

  it('sends a new code after a stranger voided one (the user is not locked out), within the hourly limit', async () => {
    const hal = await user('hal@example.com');
    await invoke('create', [event(hal, { session: [] })], { sender: SENDER });
    const wrong = Array.from({ length: 5 }, () => event(hal, { challengeAnswer: '00000000' }));
    await invoke('verify', wrong);
    await invoke('create', [event(hal, { session: [] })], { sender: SENDER });
    const mailed = await mailedCodes(hal.email);
    expect(mailed).toHaveLength(2);
    expect((await invoke('verify', [event(hal, { challengeAnswer: mailed[0] })])).out).toEqual([{ answerCorrect: false }]);
    expect((await invoke('verify', [event(hal, { challengeAnswer: mailed[1] })])).out).toEqual([{ answerCorrect: true }]);
    // The third code of the hour is sent; a fourth is not, though the third was voided too.
    await invoke('create', [event(hal, { session: [] })], { sender: SENDER });
    await invoke('verify', wrong);
    await invoke('create', [event(hal, { session: [] })], { sender: SENDER });
    expect(await mailedCodes(hal.email)).toHaveLength(3);
    expect(await item(hal.sub)).toMatchObject({ issuedInWindow: { N: '3' } });
  });

  it('keys codes by sub: a renamed user keeps their code, and whoever gets the old address does not get it', async () => {
    const ivy = await user('ivy@example.com');
    const { code } = await issueAdminCode(issuer(), settings, ivy.email);
    await cognito().send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: ivy.email, UserAttributes: [{ Name: 'email', Value: 'ivy.new@example.com' }] }),
    );
    const renamed = { email: 'ivy.new@example.com', sub: await subOf('ivy.new@example.com') };
    expect(renamed.sub).toBe(ivy.sub);
    const newcomer = await user('ivy@example.com');
    expect(newcomer.sub).not.toBe(ivy.sub);
    expect((await invoke('verify', [event(newcomer, { challengeAnswer: code })])).out).toEqual([{ answerCorrect: false }]);
    expect((await invoke('verify', [event(renamed, { challengeAnswer: code })])).out).toEqual([{ answerCorrect: true }]);
  });
});
