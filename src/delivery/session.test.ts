import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { SessionCredentials } from './oidc.js';
import { chainedSession, oidcSession, refreshingCredentials } from './session.js';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const minutes = (n: number) => n * 60_000;

/** A clock the test moves by hand. */
function manualClock() {
  let now = T0;
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms), now: () => now };
}

describe('a session assumed again before it expires', () => {
  it('answers from its cache until 10 minutes before the end of an hour, then assumes again; callers at the same moment share one assume', async () => {
    const time = manualClock();
    let assumed = 0;
    const seen: string[] = [];
    const provider = refreshingCredentials(
      async () => {
        assumed++;
        const credentials: SessionCredentials = {
          accessKeyId: `ASIA${assumed}`,
          secretAccessKey: 's',
          sessionToken: 't',
          expiration: new Date(time.now() + minutes(60)),
        };
        return { credentials, assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/r/s' };
      },
      { clock: time.clock, onSession: (c, arn) => seen.push(`${c.accessKeyId} ${arn}`) },
    );
    expect((await provider()).accessKeyId).toBe('ASIA1');
    time.advance(minutes(49));
    expect((await provider()).accessKeyId).toBe('ASIA1');
    time.advance(minutes(2));
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.accessKeyId, b.accessKeyId]).toEqual(['ASIA2', 'ASIA2']);
    expect(assumed).toBe(2);
    expect(seen).toEqual(['ASIA1 arn:aws:sts::111111111111:assumed-role/r/s', 'ASIA2 arn:aws:sts::111111111111:assumed-role/r/s']);
    expect(provider.current()?.accessKeyId).toBe('ASIA2');
  });

  it('refreshes a short session a quarter of its length before its end, and keeps a still-valid session when a refresh fails', async () => {
    const time = manualClock();
    let fail = false;
    let assumed = 0;
    const provider = refreshingCredentials(
      async () => {
        if (fail) throw new Error('STS is unreachable');
        assumed++;
        return {
          credentials: { accessKeyId: `ASIA${assumed}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(time.now() + 8_000) },
          assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/r/s',
        };
      },
      { clock: time.clock },
    );
    await provider();
    time.advance(5_000);
    expect((await provider()).accessKeyId).toBe('ASIA1');
    time.advance(1_500);
    fail = true;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    time.advance(2_000);
    await expect(provider()).rejects.toThrow('STS is unreachable');
    fail = false;
    expect((await provider()).accessKeyId).toBe('ASIA2');
  });

  it('goes back to a fresh OIDC token for the first hop, and chains from it again for the second (each at most an hour)', async () => {
    const time = manualClock();
    const sts = mockClient(STSClient);
    let n = 0;
    const credentials = () => ({
      AccessKeyId: `ASIA${++n}`,
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(time.now() + minutes(60)),
    });
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => ({ Credentials: credentials(), AssumedRoleUser: { Arn: 'arn:aws:sts::1:assumed-role/r/s' } }));
    sts.on(AssumeRoleCommand).callsFake(() => ({ Credentials: credentials(), AssumedRoleUser: { Arn: 'arn:aws:sts::2:assumed-role/d/s' } }));
    const tokens: number[] = [];
    const access = { clock: time.clock, sts: () => new STSClient({ region: 'eu-west-1' }) };
    const first = oidcSession(
      {
        getToken: async () => {
          tokens.push(time.now());
          return 'header.e30.signature';
        },
        roleArn: 'arn:aws:iam::111111111111:role/groundwork-release',
      },
      access,
    );
    const second = chainedSession(first, 'arn:aws:iam::222222222222:role/groundwork-deploy', 'groundwork-release', access);
    // (The mocked client answers before signing, so the chain's own use of the first hop is played here by calling it.)
    await Promise.all([first(), second()]);
    time.advance(minutes(55));
    await Promise.all([first(), second()]);
    expect(tokens).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input.DurationSeconds)).toEqual([3600, 3600]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: 'arn:aws:iam::222222222222:role/groundwork-deploy', RoleSessionName: 'groundwork-release', DurationSeconds: 3600 },
      { RoleArn: 'arn:aws:iam::222222222222:role/groundwork-deploy', RoleSessionName: 'groundwork-release', DurationSeconds: 3600 },
    ]);
    expect(() => chainedSession(first, 'arn:aws:iam::2:role/x', 's', access, 7200)).toThrow(
      'the chained session is 7200 s, but a session assumed with another role',
    );
  });
});
