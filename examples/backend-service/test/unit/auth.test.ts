import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/app.ts';

// A signing key standing in for the pool's: its public half is loaded as the pool's JWKS, so no network is needed.
const POOL = 'eu-west-1_Sample123';
const CLIENT = 'sampleclientid0123456789';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const pool = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...(pool.publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }), kid: 'sample-key', alg: 'RS256', use: 'sig' };

/** An access token as Cognito issues them, signed with `key`, with `claims` overriding the defaults. */
function token(claims: Record<string, unknown> = {}, key: KeyObject = pool.privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'RS256', kid: 'sample-key' })}.${part({
    sub: 'user-sub-1',
    iss: ISSUER,
    client_id: CLIENT,
    token_use: 'access',
    scope: 'openid backend-service/read',
    username: 'sample.ada@example.com',
    iat: now,
    exp: now + 3600,
    ...claims,
  })}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
}

describe('the protected routes, with Cognito access tokens verified by aws-jwt-verify', () => {
  const server = createApp({ auth: { userPoolId: POOL, clientId: CLIENT, jwks: { keys: [jwk] } } });
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  const me = (t?: string, path = '/api/me') => fetch(`${base}${path}`, { headers: t ? { authorization: `Bearer ${t}` } : {} });

  it('accepts a valid access token with the read scope', async () => {
    const response = await me(token());
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'user-sub-1', username: 'sample.ada@example.com', scope: 'openid backend-service/read', groups: [] });
  });

  it('refuses an expired token, another client’s token, a forged one and none at all with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const bad of [
      token({ iat: now - 7200, exp: now - 3600 }),
      token({ client_id: 'another-client' }),
      token({}, attacker.privateKey),
      token({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
      token({ token_use: 'id' }),
    ]) {
      const response = await me(bad);
      assert.equal(response.status, 401, await response.clone().text());
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    }
    assert.equal((await me()).status, 401);
  });

  it('answers 403 without the scope, and lets only the admins group into /api/admin', async () => {
    assert.equal((await me(token({ scope: 'openid' }))).status, 403);
    assert.equal((await me(token(), '/api/admin')).status, 403);
    const admin = await me(token({ 'cognito:groups': ['admins'] }), '/api/admin');
    assert.equal(admin.status, 200);
    assert.deepEqual(((await admin.json()) as { groups: string[] }).groups, ['admins']);
  });

  it('says when no pool is configured', async () => {
    const bare = createApp();
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/me`);
    bare.close();
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'AUTH_NOT_CONFIGURED');
  });
});
