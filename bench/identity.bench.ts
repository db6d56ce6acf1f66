import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createFoundationContexts, foundationKinds } from '../src/foundation/foundation-kinds.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import type { BenchResult } from './types.js';

const GROUPS = Array.from({ length: 20 }, (_, i) => `Team${String(i + 1).padStart(2, '0')}`);

async function writeUsers(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('username,email,given_name,family_name,display_name,groups\n');
  for (let i = 0; i < count; i++) {
    const groups = i % 3 === 0 ? `${GROUPS[i % 20]};${GROUPS[(i + 7) % 20]}` : GROUPS[i % 20];
    out.write(`user${i},user${i}@example.com,Given${i},Family${i},"Family${i}, Given${i}",${groups}\n`);
  }
  await new Promise((resolve) => out.end(resolve));
}

function runOnce(args: string[]): Record<string, number> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/import-once.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`run failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout);
}

/** users import of 2,000 and 10,000 users in 20 groups (fresh emulator each), and users list at 10,000. */
export async function identityBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const memory: number[] = [];
  for (const count of [2000, 10000]) {
    const dir = mkdtempSync(join(tmpdir(), 'gw-bench-users-'));
    const paths = { venvDir: shared.venvDir, stateDir: dir };
    const { state } = await startEmulator(paths, { port: await findFreePort(0) });
    try {
      const configFile = join(dir, 'groundwork.yaml');
      writeFileSync(
        configFile,
        stringify({
          organization: { organizationalUnits: [{ name: 'Stage' }], accounts: [{ name: 'prod', organizationalUnit: 'Stage' }] },
          identityCenter: {
            permissionSets: [{ name: 'ReadOnly', managedPolicies: ['ReadOnlyAccess'] }],
            groups: GROUPS.map((name) => ({ name })),
            assignments: GROUPS.map((group) => ({ group, permissionSet: 'ReadOnly', accounts: ['prod'] })),
          },
        }),
      );
      const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: state.endpoint });
      await applyPlan(await buildPlan(foundationKinds(createFoundationContexts(loadConfig(configFile), clients))));
      const csv = join(dir, 'users.csv');
      await writeUsers(csv, count);
      const imported = runOnce(['import', state.endpoint, configFile, csv]);
      memory.push(imported.maxRssMb as number);
      results.push({
        name: `users import, ${count.toLocaleString('en')} users in 20 groups`,
        value: `${(imported.seconds as number).toFixed(1)} s (${Math.round(count / (imported.seconds as number))} users/s), peak RSS ${(imported.maxRssMb as number).toFixed(0)} MB, ${imported.calls} API calls (${((imported.calls as number) / count).toFixed(2)} per user)`,
        goal: 'streamed; memory flat as the file grows',
        met: imported.created === count,
      });
      if (count === 10000) {
        const listed = runOnce(['list', state.endpoint, configFile]);
        results.push({
          name: 'users list, 10,000 users',
          value: `${(listed.seconds as number).toFixed(1)} s, peak RSS ${(listed.maxRssMb as number).toFixed(0)} MB, ${listed.calls} API calls`,
          goal: 'pages, not one call per user',
          met: listed.users === count,
        });
      }
    } finally {
      await stopEmulator(paths);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [small, large] = memory;
  if (small && large) {
    results.push({ name: 'import peak RSS, 10,000 ÷ 2,000 users', value: `× ${(large / small).toFixed(2)}`, goal: '≈ × 1 (flat)', met: large / small < 1.5 });
  }
  return results;
}
