import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';
import { ensureCodeStore } from './admin-code.js';
import { dynamoCodeStore, kmsCodeMac } from './code-store.js';
import { codeKeyAlias, codeTableName } from './pool-spec.js';
import { type CodeMac, defineChallenge, hasUsableCode, issueCode, macInput, verifyCode } from './sign-in-code.js';

const sandbox = useTestEmulator();
const ddb = () => sandbox.emulator.clients('us-east-1').create(DynamoDBClient);
const kms = () => sandbox.emulator.clients('us-east-1').create(KMSClient);
/** The store and MAC of an environment's table and key in the emulator: the real DynamoDB store, the real KMS MAC. */
const codes = (environment: string) => ({ store: dynamoCodeStore(ddb(), codeTableName(environment)), mac: kmsCodeMac(kms(), codeKeyAlias(environment)) });
/** A MAC that counts its calls: each answer compared costs exactly one. */
function counting(mac: CodeMac): CodeMac & { calls: number } {
  const counted = Object.assign(
    async (message: string) => {
      counted.calls++;
      return mac(message);
    },
    { calls: 0 },
  );
  return counted;
}
const item = async (environment: string, sub: string) =>
  (await ddb().send(new GetItemCommand({ TableName: codeTableName(environment), Key: { sub: { S: sub } }, ConsistentRead: true }))).Item;

// The table's TTL meets the emulator's clock: codes are issued now, not on a fixed day.
const T0 = Math.floor(Date.now() / 1000) * 1000;
const at = (ms: number) => () => new Date(ms);
const policy = { lifetimeMinutes: 12 * 60, perHour: 3 };
const fixed = (code: string) => () => code;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('one-time sign-in codes, through the DynamoDB store and the KMS HMAC key, against the emulator', () => {
  beforeAll(async () => {
    await ensureCodeStore(ddb(), kms(), 'unit');
    await ensureCodeStore(ddb(), kms(), 'unit'); // idempotent
    await ensureCodeStore(ddb(), kms(), 'other');
  });

  it('issues a random code kept only as its HMAC under the pool’s key, keyed by sub, valid for the configured lifetime (12 hours here)', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    const issued = await issueCode(store, mac, sub, policy, at(T0));
    if (!('code' in issued)) throw new Error('refused');
    expect(issued.code).toMatch(/^\d{8}$/);
    expect(issued.expiresAt).toBe(T0 / 1000 + 12 * 3600);
    const stored = await item('unit', sub);
    expect(Object.keys(stored ?? {}).sort()).toEqual(['codeMac', 'expiresAt', 'issuedInWindow', 'sub', 'windowStart', 'wrongAnswers']);
    expect(JSON.stringify(stored)).not.toContain(issued.code);
    const { MacValid } = await kms().send(
      new VerifyMacCommand({
        KeyId: codeKeyAlias('unit'),
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(macInput(sub, issued.code)),
        Mac: Buffer.from(stored?.codeMac?.S ?? '', 'base64'),
      }),
    );
    expect(MacValid).toBe(true);
  });

  it('stores nothing a plain SHA-256 over the code space inverts (the old scheme’s value falls to the same search)', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    const email = 'ada@example.com';
    const issued = await issueCode(store, mac, sub, policy, at(T0));
    if (!('code' in issued)) throw new Error('refused');
    const stored = Object.values((await item('unit', sub)) ?? {}).flatMap((v) => (v.S ? [v.S, Buffer.from(v.S, 'base64').toString('hex')] : []));
    // The review's attack over all 10^8 codes takes minutes; the same search over the 10^4 codes that share the issued
    // code's first four digits shows it, for each way a plain hash could bind the code.
    const guesses = (target: Set<string>) => {
      for (let n = 0; n < 10_000; n++) {
        const code = `${issued.code.slice(0, 4)}${String(n).padStart(4, '0')}`;
        for (const plain of [code, macInput(sub, code), `${email}\u0000${code}`, `${sub}${code}`]) {
          if (target.has(sha256(plain))) return code;
        }
      }
      return undefined;
    };
    expect(guesses(new Set(stored))).toBeUndefined();
    expect(guesses(new Set([sha256(`${email}\u0000${issued.code}`)]))).toBe(issued.code);
  });

  it('stores the same code differently for two users, and for the same user under two keys', async () => {
    const [ada, ben] = [randomUUID(), randomUUID()];
    await issueCode(codes('unit').store, codes('unit').mac, ada, policy, at(T0), fixed('12345678'));
    await issueCode(codes('unit').store, codes('unit').mac, ben, policy, at(T0), fixed('12345678'));
    await issueCode(codes('other').store, codes('other').mac, ada, policy, at(T0), fixed('12345678'));
    const macs = [(await item('unit', ada))?.codeMac?.S, (await item('unit', ben))?.codeMac?.S, (await item('other', ada))?.codeMac?.S];
    expect(macs.every((m) => m && m.length === 44)).toBe(true);
    expect(new Set(macs).size).toBe(3);
    // A code is bound to its user and its key: Ben's code is nothing for Ada, under either key.
    expect(await verifyCode(codes('unit').store, codes('other').mac, ben, '12345678', {}, at(T0))).toEqual({ ok: false, refused: 'wrong' });
    expect(await verifyCode(codes('unit').store, codes('unit').mac, ben, '12345678', {}, at(T0))).toEqual({ ok: true });
  });

  it('accepts the code once, and refuses it the second time', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    await issueCode(store, mac, sub, policy, at(T0), fixed('12345678'));
    expect(await verifyCode(store, mac, sub, '12345678', {}, at(T0 + 60_000))).toEqual({ ok: true });
    expect(await verifyCode(store, mac, sub, '12345678', {}, at(T0 + 61_000))).toEqual({ ok: false, refused: 'no-code' });
  });

  it('lets only one of two simultaneous correct answers through', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    await issueCode(store, mac, sub, policy, at(T0), fixed('12345678'));
    const results = await Promise.all([verifyCode(store, mac, sub, '12345678', {}, at(T0)), verifyCode(store, mac, sub, '12345678', {}, at(T0))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses another user's code: codes are bound to the sub they were issued for", async () => {
    const { store, mac } = codes('unit');
    const [ada, ben] = [randomUUID(), randomUUID()];
    await issueCode(store, mac, ada, policy, at(T0), fixed('11111111'));
    await issueCode(store, mac, ben, policy, at(T0), fixed('22222222'));
    expect(await verifyCode(store, mac, ben, '11111111', {}, at(T0))).toEqual({ ok: false, refused: 'wrong' });
    expect(await verifyCode(store, mac, ada, '11111111', {}, at(T0))).toEqual({ ok: true });
  });

  it('refuses a code after its expiry (past 8 hours is fine: it lasts 12)', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    await issueCode(store, mac, sub, policy, at(T0), fixed('12345678'));
    expect(await verifyCode(store, mac, sub, '12345678', {}, at(T0 + 9 * 3600_000))).toEqual({ ok: true });
    await issueCode(store, mac, sub, policy, at(T0), fixed('87654321'));
    expect(await verifyCode(store, mac, sub, '87654321', {}, at(T0 + 12 * 3600_000))).toEqual({ ok: false, refused: 'expired' });
  });

  it('compares exactly 5 of 40 parallel wrong answers, none after, and then voids the code, even for the right answer', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    await issueCode(store, mac, sub, policy, at(T0), fixed('12345678'));
    const compared = counting(mac);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => verifyCode(store, compared, sub, String(i).padStart(8, '9'), {}, at(T0))));
    expect(compared.calls).toBe(5);
    expect(results.filter((r) => !r.ok && r.refused === 'wrong')).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.refused === 'too-many-wrong')).toHaveLength(36);
    expect(await item('unit', sub)).toMatchObject({ wrongAnswers: { N: '5' } });
    expect((await item('unit', sub))?.codeMac).toBeUndefined();
    expect(await verifyCode(store, compared, sub, '12345678', {}, at(T0))).toEqual({ ok: false, refused: 'no-code' });
    expect(compared.calls).toBe(5);
  });

  it('lets a stranger’s wrong answers void a code but not lock the user out: a new code can be issued and used, within the hourly limit', async () => {
    const { store, mac } = codes('unit');
    const sub = randomUUID();
    await issueCode(store, mac, sub, policy, at(T0), fixed('12345678'));
    for (let i = 0; i < 5; i++) await verifyCode(store, mac, sub, '00000000', {}, at(T0));
    expect(hasUsableCode(await store.get(sub), at(T0))).toBe(false);
    expect(await issueCode(store, mac, sub, policy, at(T0 + 60_000), fixed('24681357'))).toHaveProperty('code', '24681357');
    expect(await verifyCode(store, mac, sub, '24681357', {}, at(T0 + 120_000))).toEqual({ ok: true });
    // The hourly limit still holds: the third code of the hour, then no more until the hour is over.
    expect(await issueCode(store, mac, sub, policy, at(T0 + 180_000))).toHaveProperty('code');
    expect(await issueCode(store, mac, sub, policy, at(T0 + 240_000))).toEqual({ refused: 'rate-limited', retryAfterSeconds: 3600 - 240 });
  });

  it('rate-limits codes per user per hour, also under 10 parallel requests, and opens again after the hour', async () => {
    const { store, mac } = codes('unit');
    const [ada, ben] = [randomUUID(), randomUUID()];
    const burst = await Promise.all(Array.from({ length: 10 }, () => issueCode(store, mac, ada, policy, at(T0))));
    expect(burst.filter((r) => 'code' in r)).toHaveLength(3);
    expect(await item('unit', ada)).toMatchObject({ issuedInWindow: { N: '3' } });
    expect(await issueCode(store, mac, ada, policy, at(T0 + 10 * 60_000))).toEqual({ refused: 'rate-limited', retryAfterSeconds: 50 * 60 });
    // Another user is not affected.
    expect(await issueCode(store, mac, ben, policy, at(T0 + 10 * 60_000))).toHaveProperty('code');
    expect(await issueCode(store, mac, ada, policy, at(T0 + 61 * 60_000))).toHaveProperty('code');
  });
});

describe('the define-challenge state machine', () => {
  const step = (challengeResult: boolean) => ({ challengeName: 'CUSTOM_CHALLENGE', challengeResult });
  it('starts with the code alone (no password), issues tokens after a right answer, allows three tries', () => {
    for (const mfa of ['OFF', 'OPTIONAL']) {
      expect(defineChallenge([], mfa)).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
      expect(defineChallenge([step(false)], mfa)).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
      expect(defineChallenge([step(false), step(true)], mfa)).toEqual({ issueTokens: true, failAuthentication: false });
      expect(defineChallenge([step(false), step(false), step(false)], mfa)).toEqual({ issueTokens: false, failAuthentication: true });
    }
  });

  it('refuses a session with a password step, and every code sign-in in a pool that requires MFA (Cognito would ask none)', () => {
    expect(defineChallenge([{ challengeName: 'SRP_A', challengeResult: true }], 'OPTIONAL')).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineChallenge([{ challengeName: 'PASSWORD_VERIFIER', challengeResult: true }], 'OFF')).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineChallenge([], 'ON')).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineChallenge([step(true)], 'ON')).toEqual({ issueTokens: false, failAuthentication: true });
  });
});
