import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createOrgContext } from '../src/org/org-context.js';
import { organizationKinds } from '../src/org/organization-kinds.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { generateOrgConfig } from './generate-org.js';
import type { BenchResult } from './types.js';

interface Measured {
  readonly seconds: number;
  readonly calls: number;
  readonly changes: number;
}

/** Plans (and optionally applies) through a counting proxy; returns time, AWS API calls (STS included) and changes. */
async function measure(endpoint: string, configFile: string, apply: boolean): Promise<Measured> {
  const proxy = await startFaultProxy({ target: endpoint });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
    const config = loadConfig(configFile);
    const started = performance.now();
    const plan = await buildPlan(organizationKinds(createOrgContext(config, clients, { readConcurrency: 16 })));
    if (apply) {
      const result = await applyPlan(plan, { concurrency: 16 });
      if (result.failed.length > 0) throw new Error(`apply failed: ${result.failed.map((f) => (f.error as Error).message).join('; ')}`);
    }
    return { seconds: (performance.now() - started) / 1000, calls: proxy.stats.requests, changes: plan.changes.length };
  } finally {
    await proxy.close();
  }
}

async function organizationOf(accounts: number, ous: number): Promise<{ endpoint: string; file: string; dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-org-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  // The organization kinds need no AWS managed policies in IAM; loading them into 1,000 accounts takes moto past 11 GB.
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  const file = join(dir, 'groundwork.yaml');
  writeFileSync(file, generateOrgConfig({ accounts, ous }));
  return {
    endpoint: state.endpoint,
    file,
    dir,
    stop: async () => {
      await stopEmulator(paths);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** apply from empty, a no-op plan and a one-account change at 100 and 1,000 accounts, against the emulator. */
export async function orgBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const perSize: Record<number, { apply: Measured; noop: Measured }> = {};
  for (const size of [100, 1000]) {
    const org = await organizationOf(size, 50);
    try {
      const apply = await measure(org.endpoint, org.file, true);
      const noop = await measure(org.endpoint, org.file, false);
      if (noop.changes !== 0) throw new Error(`no-op plan found ${noop.changes} changes`);
      perSize[size] = { apply, noop };
      results.push({
        name: `apply from empty, ${size} accounts / 50 OUs`,
        value: `${apply.seconds.toFixed(1)} s, ${apply.calls} API calls (${(apply.calls / size).toFixed(1)} per account), ${apply.changes} changes`,
        goal: 'linear in accounts',
        met: true,
      });
      results.push({
        name: `no-op plan, ${size} accounts`,
        value: `${noop.seconds.toFixed(1)} s, ${noop.calls} API calls (${(noop.calls / size).toFixed(1)} per account)`,
        goal: size === 1000 ? '< 10 s' : 'linear in accounts',
        met: size === 1000 ? noop.seconds < 10 : true,
      });
      if (size === 1000) {
        const text = generateOrgConfig({ accounts: size + 1, ous: 50 });
        writeFileSync(org.file, text);
        const one = await measure(org.endpoint, org.file, true);
        results.push({
          name: 'one-account change (add 1 account to 1,000)',
          value: `${one.seconds.toFixed(1)} s, ${one.calls} API calls, ${one.changes} changes`,
          goal: 'plan + 1 account and its baseline',
          met: one.changes === 4,
        });
      }
    } finally {
      await org.stop();
    }
  }
  const small = perSize[100];
  const large = perSize[1000];
  if (small && large) {
    const ratio = (large.noop.calls / small.noop.calls).toFixed(2);
    results.push({ name: 'API calls, no-op plan, 1,000 ÷ 100 accounts', value: `× ${ratio}`, goal: '≈ × 10 (linear)', met: Number(ratio) < 11 });
  }
  return results;
}
