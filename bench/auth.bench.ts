import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ensurePool } from '../src/auth/pools.js';
import { ClientFactory } from '../src/aws/client-factory.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import type { BenchResult } from './types.js';

async function writeUsers(file: string, from: number, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('email,given_name,family_name,phone_number\n');
  for (let i = from; i < from + count; i++)
    out.write(`user${i}@example.com,Given${i},Family${i},${i % 2 === 0 ? `+4477009${String(i % 100000).padStart(5, '0')}` : ''}\n`);
  await new Promise((resolve) => out.end(resolve));
}

function runOnce(endpoint: string, pool: string, file: string, rate: number): Record<string, number> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auth-import-once.ts', endpoint, pool, file, String(rate)], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (run.status !== 0) throw new Error(`run failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout);
}

/**
 * `auth import --method admin` against the emulator, each run in a fresh process: 1,000 and 10,000 new users with the
 * rate cap lifted (the emulator and Groundwork's own overhead, and peak memory, which must stay flat as the file
 * grows), a re-run of the 10,000 (all unchanged), and 1,000 at the default cap of 40 per second.
 */
export async function authBenchmark(): Promise<BenchResult[]> {
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-auth-'));
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: state.endpoint });
    const pool = await ensurePool(clients.create(CognitoIdentityProviderClient), {
      environment: 'bench',
      accessTokenMinutes: 60,
      idTokenMinutes: 60,
      refreshTokenMinutes: 43200,
      refreshTokenRotation: true,
      invitationDays: 7,
      signInCodeMinutes: 720,
      signInCodesPerHour: 5,
      managedLoginSessionMinutes: 15,
      callbackUrls: [],
      logoutUrls: [],
      featurePlan: 'ESSENTIALS',
      mfa: 'OFF',
      deletionProtection: false,
    });
    const small = join(dir, 'small.csv');
    const large = join(dir, 'large.csv');
    const capped = join(dir, 'capped.csv');
    await writeUsers(small, 0, 1000);
    await writeUsers(large, 100_000, 10_000);
    await writeUsers(capped, 200_000, 1000);
    const r1 = runOnce(state.endpoint, pool.userPoolId, small, 10_000);
    const r10 = runOnce(state.endpoint, pool.userPoolId, large, 10_000);
    const again = runOnce(state.endpoint, pool.userPoolId, large, 10_000);
    const cap = runOnce(state.endpoint, pool.userPoolId, capped, 40);
    const rate = (r: Record<string, number>, n: number) => `${Math.round(n / (r.seconds as number))} users/s`;
    if (r10.created !== 10_000 || again.unchanged !== 10_000 || cap.created !== 1000) throw new Error('a run did not do what it should');
    const flat = (r10.maxRssMb as number) < (r1.maxRssMb as number) * 1.5;
    return [
      {
        name: 'auth import --method admin, 1,000 new users, cap lifted',
        value: `${(r1.seconds as number).toFixed(1)} s, ${rate(r1, 1000)}, peak RSS ${Math.round(r1.maxRssMb as number)} MB`,
        goal: 'bounded by the emulator',
        met: true,
      },
      {
        name: 'auth import --method admin, 10,000 new users, cap lifted',
        value: `${(r10.seconds as number).toFixed(1)} s, ${rate(r10, 10_000)}, peak RSS ${Math.round(r10.maxRssMb as number)} MB, ${r10.calls} calls`,
        goal: 'peak memory flat: under 1.5 × the 1,000-user run',
        met: flat,
      },
      {
        name: 'the same 10,000 again (all unchanged, nobody created)',
        value: `${(again.seconds as number).toFixed(1)} s, ${again.calls} calls`,
        goal: '0 created',
        met: again.created === 0,
      },
      {
        name: 'auth import --method admin, 1,000 new users at the default cap (40/s)',
        value: `${(cap.seconds as number).toFixed(1)} s, ${rate(cap, 1000)}`,
        goal: '≤ 40 users/s (the account quota is 50/s)',
        met: 1000 / (cap.seconds as number) <= 40.5,
      },
    ];
  } finally {
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
}
