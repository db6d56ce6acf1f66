import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCodeStore, issueAdminCode } from '../src/auth/admin-code.js';
import { kmsCodeMac } from '../src/auth/code-store.js';
import { importAuthUsers } from '../src/auth/import-auth-users.js';
import { authSettings } from '../src/auth/pool-spec.js';
import { ensurePool, type PoolRef } from '../src/auth/pools.js';
import { macInput } from '../src/auth/sign-in-code.js';
import { loadConfig } from '../src/config/load-config.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));

/** 1,000 rows: 840 valid, and 160 bad ones of four kinds (40 each), at known lines. */
function thousandRows(dir: string): { file: string; bad: number[] } {
  const lines = ['email,given_name,family_name,phone_number'];
  const bad: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const line = i + 2;
    if (i % 25 === 3) {
      lines.push(`user${i}@example,Bad,Email,`);
      bad.push(line);
    } else if (i % 25 === 7) {
      lines.push(`user${i}@example.com,Bad,Phone,07700 900123`);
      bad.push(line);
    } else if (i % 25 === 11) {
      lines.push(`user${i}@example.com,,NoGiven,`);
      bad.push(line);
    } else if (i % 25 === 13) {
      lines.push(`USER${i - 1}@example.com,Dup,Licate,`); // the row above, in other case
      bad.push(line);
    } else lines.push(`user${i}@example.com,Sample${i},User,${i % 2 === 0 ? `+4477009${String(i).padStart(5, '0')}` : ''}`);
  }
  const file = join(dir, 'users.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, bad };
}

describe('auth: pools from the config, and bulk creation with the admin method, against the emulator', () => {
  let pool: PoolRef;
  const cognito = () => sandbox.emulator.clients('us-east-1').create(CognitoIdentityProviderClient, { maxAttempts: 1 });
  beforeAll(async () => {
    pool = await ensurePool(cognito(), authSettings(config, 'staging'));
  });

  it('creates the pool and SPA client from the config: invitation days, deletion protection, validities in minutes, code flow with no secret', async () => {
    const { UserPool } = await cognito().send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    expect(UserPool).toMatchObject({
      Name: 'groundwork-staging',
      UsernameAttributes: ['email'],
      Policies: { PasswordPolicy: { MinimumLength: 12, TemporaryPasswordValidityDays: 7 } },
      MfaConfiguration: 'OPTIONAL',
    });
    const { UserPoolClient } = await cognito().send(new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.spaClientId }));
    expect(UserPoolClient).toMatchObject({
      AccessTokenValidity: 720,
      IdTokenValidity: 720,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://staging.example.com/callback'],
    });
    expect(UserPoolClient?.ClientSecret).toBeUndefined();
    expect(UserPoolClient?.ExplicitAuthFlows).not.toContain('ALLOW_REFRESH_TOKEN_AUTH');
    // Finding it again creates nothing.
    expect(await ensurePool(cognito(), authSettings(config, 'staging'))).toEqual({ ...pool, created: false });
  });

  it('imports 1,000 rows: exact counts, bad rows reported by line and written aside; a re-run creates no one', async () => {
    const { file, bad } = thousandRows(mkdtempSync(join(tmpdir(), 'gw-auth-import-')));
    const first = await importAuthUsers(cognito(), pool.userPoolId, file, { environment: 'staging', suppressInvites: true, ratePerSecond: 1000 });
    expect(first).toMatchObject({ created: 840, updated: 0, unchanged: 0, invitations: 'suppressed', method: 'admin' });
    expect(first.rejected.map((r) => r.line)).toEqual(bad);
    expect(first.rejected[0]?.errors).toEqual(['email "user3@example" is not a valid e-mail address']);
    expect(first.rejected[1]?.errors).toEqual(['phone_number "07700 900123" is not in E.164 form (+ country code and number, such as +447700900123)']);
    expect(first.rejected[2]?.errors).toEqual(['given_name is required']);
    expect(first.rejected[3]?.errors).toEqual(['email "USER12@example.com" already appears on line 14 (e-mails are case-insensitive)']);
    expect(readFileSync(`${file}.rejected.csv`, 'utf8').split('\n')[0]).toBe('email,given_name,family_name,phone_number,reason');
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'user0@example.com' }));
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'given_name', Value: 'Sample0' },
        { Name: 'phone_number', Value: '+447700900000' },
      ]),
    );

    const again = await importAuthUsers(cognito(), pool.userPoolId, file, { environment: 'staging', suppressInvites: true, ratePerSecond: 1000 });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 840 });
    let count = 0;
    let token: string | undefined;
    do {
      const page = await cognito().send(new ListUsersCommand({ UserPoolId: pool.userPoolId, PaginationToken: token }));
      count += page.Users?.length ?? 0;
      token = page.PaginationToken;
    } while (token);
    expect(count).toBe(840);
  });

  it('updates a changed attribute in place, and a dry run writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-auth-change-'));
    const file = join(dir, 'users.csv');
    writeFileSync(file, 'email,given_name,family_name,phone_number\nuser0@example.com,Renamed,User,+447700900000\nnew.person@example.com,New,Person,\n');
    const dry = await importAuthUsers(cognito(), pool.userPoolId, file, { environment: 'staging', dryRun: true });
    expect(dry).toMatchObject({ created: 1, updated: 1, unchanged: 0, dryRun: true });
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'user0@example.com' }));
    expect(user.UserAttributes).toContainEqual({ Name: 'given_name', Value: 'Sample0' });
    const real = await importAuthUsers(cognito(), pool.userPoolId, file, { environment: 'staging', suppressInvites: true });
    expect(real).toMatchObject({ created: 1, updated: 1, unchanged: 0 });
    const renamed = await cognito().send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'user0@example.com' }));
    expect(renamed.UserAttributes).toContainEqual({ Name: 'given_name', Value: 'Renamed' });
  });

  it('refuses a file with the wrong header, naming the columns', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-auth-header-')), 'users.csv');
    writeFileSync(file, 'mail,first,last\na@example.com,A,B\n');
    await expect(importAuthUsers(cognito(), pool.userPoolId, file, { environment: 'staging' })).rejects.toThrow(
      /users\.csv:1: the header must be email,given_name,family_name,phone_number/,
    );
  });
});

describe('auth code: one-time codes issued by an administrator, against the emulator', () => {
  const clients = () => sandbox.emulator.clients('us-east-1');
  const cognito = () => clients().create(CognitoIdentityProviderClient, { maxAttempts: 1 });
  const ddb = () => clients().create(DynamoDBClient);
  const settings = { ...authSettings(config, 'prod'), signInCodesPerHour: 2 };
  const issuerOf = async (environment: string) => ({
    cognito: cognito(),
    userPoolId: (await ensurePool(cognito(), authSettings(config, environment))).userPoolId,
    ddb: ddb(),
    kms: clients().create(KMSClient),
  });

  it('writes only the code’s HMAC under the pool’s key, keyed by the user’s sub, with the configured lifetime, and applies the hourly limit', async () => {
    await ensureCodeStore(ddb(), clients().create(KMSClient), 'prod');
    await ensureCodeStore(ddb(), clients().create(KMSClient), 'prod'); // idempotent
    const issuer = await issuerOf('prod');
    await cognito().send(new AdminCreateUserCommand({ UserPoolId: issuer.userPoolId, Username: 'ada@example.com', MessageAction: 'SUPPRESS' }));
    const { UserAttributes } = await cognito().send(new AdminGetUserCommand({ UserPoolId: issuer.userPoolId, Username: 'ada@example.com' }));
    const sub = UserAttributes?.find((a) => a.Name === 'sub')?.Value as string;
    // The table's TTL meets the emulator's clock: the codes are issued now, not on a fixed day.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const at = (ms: number) => () => new Date(ms);
    const issued = await issueAdminCode(issuer, settings, 'Ada@Example.com', at(now));
    const expiresAt = new Date(now + settings.signInCodeMinutes * 60_000).toISOString();
    expect(issued).toEqual({ environment: 'prod', user: 'ada@example.com', sub, code: expect.stringMatching(/^\d{8}$/), expiresAt });
    const { Item } = await ddb().send(new GetItemCommand({ TableName: 'groundwork-prod-sign-in-codes-v2', Key: { sub: { S: sub } } }));
    expect(Item?.codeMac?.S).toBe(await kmsCodeMac(issuer.kms, 'alias/groundwork-prod-sign-in-codes')(macInput(sub, issued.code)));
    expect(JSON.stringify(Item)).not.toContain(issued.code);
    expect(JSON.stringify(Item)).not.toContain('ada@');
    await issueAdminCode(issuer, settings, 'ada@example.com', at(now + 60_000));
    await expect(issueAdminCode(issuer, settings, 'ada@example.com', at(now + 120_000))).rejects.toThrow('ada@example.com has had 2 sign-in codes this hour');
  });

  it('refuses a user the pool does not have, and a pool that requires MFA, before writing anything', async () => {
    const issuer = await issuerOf('prod');
    await expect(issueAdminCode(issuer, settings, 'nobody@example.com')).rejects.toThrow("nobody@example.com is not a user of prod's pool");
    await expect(issueAdminCode(issuer, { ...settings, mfa: 'ON' }, 'ada@example.com')).rejects.toThrow(
      "prod's pool requires MFA (mfa: ON), and a sign-in code would skip it: its triggers refuse codes",
    );
  });

  it('says how to create the table when the pool has none', async () => {
    const issuer = await issuerOf('dev');
    await cognito().send(new AdminCreateUserCommand({ UserPoolId: issuer.userPoolId, Username: 'ada@example.com', MessageAction: 'SUPPRESS' }));
    await expect(issueAdminCode(issuer, authSettings(config, 'dev'), 'ada@example.com')).rejects.toThrow(
      'the sign-in code table groundwork-dev-sign-in-codes-v2 does not exist',
    );
  });
});
