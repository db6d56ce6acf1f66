import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientFactory } from '../src/aws/client-factory.js';
import { checkConfigText, loadConfig } from '../src/config/load-config.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createFoundationContexts, foundationKinds } from '../src/foundation/foundation-kinds.js';
import { planForReview, planMarkdown } from '../src/gitops/review-plan.js';
import { addAccountToConfig } from '../src/gitops/vend-account.js';
import { vendAccountNow } from '../src/gitops/vend-apply.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { generateOrgConfig } from './generate-org.js';
import type { BenchResult } from './types.js';

const ACCOUNTS = 1000;

/** Runs `work` with clients that count their calls through a proxy; returns its result, the seconds and the calls. */
async function counted<T>(
  endpoint: string,
  work: (clients: ClientFactory) => Promise<T>,
): Promise<{ value: T; seconds: number; calls: number; slowest: string }> {
  const proxy = await startFaultProxy({ target: endpoint });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
    const started = performance.now();
    const value = await work(clients);
    // Where the time goes: the three operations the emulator spent longest on, with their counts.
    const slowest = [...proxy.stats.upstreamMs.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([op, ms]) => `${op} ×${proxy.stats.operations.get(op) ?? 0} ${(ms / 1000).toFixed(1)} s`)
      .join(', ');
    return { value, seconds: (performance.now() - started) / 1000, calls: proxy.stats.requests, slowest };
  } finally {
    await proxy.close();
  }
}

/**
 * The GitOps paths at 1,000 accounts in 50 OUs, against the emulator: the pull request's plan (no role into members)
 * against the full plan, the plan comment of a large change, the vending edit of a large groundwork.yaml, and vending
 * one account now.
 */
export async function gitopsBenchmark(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-gitops-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  const results: BenchResult[] = [];
  try {
    const file = join(dir, 'groundwork.yaml');
    const text = generateOrgConfig({ accounts: ACCOUNTS, ous: 50 });
    writeFileSync(file, text);
    const config = loadConfig(file);
    process.stderr.write(`  applying ${ACCOUNTS} accounts…\n`);
    await counted(state.endpoint, async (clients) => {
      const plan = await buildPlan(foundationKinds(createFoundationContexts(config, clients, { readConcurrency: 16 })));
      const result = await applyPlan(plan, { concurrency: 16 });
      if (result.failed.length > 0) throw new Error(`apply failed: ${String(result.failed[0]?.error)}`);
    });

    const full = await counted(state.endpoint, (clients) => planForReview(config, clients, { memberSettings: 'read' }));
    const review = await counted(state.endpoint, (clients) => planForReview(config, clients, { memberSettings: 'skip' }));
    results.push({
      name: `pull-request plan (no role into members), ${ACCOUNTS} accounts, no change`,
      value: `${review.seconds.toFixed(1)} s, ${review.calls} API calls (emulator time: ${review.slowest}); the full plan: ${full.seconds.toFixed(1)} s, ${full.calls} calls`,
      goal: 'fewer calls than the full plan, < 10 s',
      met: review.calls < full.calls && review.seconds < 10 && review.value.plan.changes.length === 0,
    });

    // A change that adds 200 accounts: the comment must stay within GitHub's 65,536 characters.
    const bigger = generateOrgConfig({ accounts: ACCOUNTS + 200, ous: 50 });
    const biggerFile = join(dir, 'bigger.yaml');
    writeFileSync(biggerFile, bigger);
    const large = await counted(state.endpoint, (clients) => planForReview(loadConfig(biggerFile), clients));
    const started = performance.now();
    const markdown = planMarkdown(large.value, { configFile: 'groundwork.yaml' });
    const renderMs = performance.now() - started;
    results.push({
      name: 'plan comment of a 200-account change',
      value: `${large.value.plan.changes.length} changes → ${markdown.length.toLocaleString('en')} characters in ${renderMs.toFixed(0)} ms${markdown.includes('… cut here') ? ' (cut, the rest in the job summary)' : ''}`,
      goal: '≤ 65,536 characters (a GitHub comment)',
      met: markdown.length <= 65_536,
    });

    const edits: number[] = [];
    let edited = '';
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      edited = addAccountToConfig(text, file, { name: 'vended', organizationalUnit: 'OU007', monthlyBudgetUsd: 250 }).text;
      edits.push(performance.now() - t);
    }
    edits.sort((a, b) => a - b);
    results.push({
      name: `vending edit of a ${ACCOUNTS}-account groundwork.yaml (median of 5)`,
      value: `${(edits[2] ?? 0).toFixed(0)} ms (${(text.length / 1024).toFixed(0)} KiB, validated by the config's three steps)`,
      goal: '< 1 s',
      met: (edits[2] ?? Number.POSITIVE_INFINITY) < 1000,
    });

    const vendedConfig = checkConfigText(edited, file).config;
    if (!vendedConfig) throw new Error('the edited config is invalid');
    const vend = await counted(state.endpoint, (clients) => vendAccountNow(vendedConfig, clients, 'vended', { autoDeploymentGraceMs: 0, pollMs: 0 }));
    results.push({
      name: `vend one account now in a ${ACCOUNTS}-account organization (mode apply)`,
      value: `${vend.seconds.toFixed(1)} s, ${vend.calls} API calls, ${vend.value.applied.length} changes applied`,
      goal: '< 60 s on the emulator',
      met: vend.seconds < 60 && vend.value.applied.some((c) => c === 'create account vended'),
    });
  } finally {
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
