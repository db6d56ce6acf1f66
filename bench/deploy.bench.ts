import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { costEstimate } from '../src/deploy/cost-estimate.js';
import { applyBaselines, type DeploySession, planBaselines } from '../src/deploy/deploy.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createFoundationContexts, foundationKinds } from '../src/foundation/foundation-kinds.js';
import { directoryFrom, placeholderDirectory } from '../src/infra/account-directory.js';
import { synthesize } from '../src/infra/synthesize.js';
import {
  defaultEmulatorPaths,
  emulatedCloudFormationTypes,
  ensureEmulatorInstalled,
  findFreePort,
  startEmulator,
  stopEmulator,
} from '../src/sandbox/emulator.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { generateOrgConfig } from './generate-org.js';
import type { BenchResult } from './types.js';

const ACCOUNTS = 1000;

/** The generated organization with the backend's pipeline, staging and prod accounts and their auth pools, as the default config has. */
function configText(): string {
  const raw = parse(generateOrgConfig({ accounts: ACCOUNTS, ous: 50 })) as Record<string, Record<string, unknown>>;
  raw.workloads = {
    backendService: {
      name: 'backend-service',
      repository: 'example-org/backend-service',
      pipelineAccount: 'acct-0001',
      stagingAccount: 'acct-0002',
      productionAccount: 'acct-0003',
    },
  };
  raw.auth = { environments: { 'acct-0002': { callbackUrls: ['https://staging.example.com/cb'] }, 'acct-0003': { callbackUrls: ['https://example.com/cb'] } } };
  return stringify(raw);
}

/** One deploy's reads (and, unless `dryRun`, writes) after the organization: time, AWS calls, StackSet reads. */
async function deployOnce(endpoint: string, file: string, stateDir: string, dryRun: boolean) {
  const proxy = await startFaultProxy({ target: endpoint });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint });
    const stackSetReads = { describe: 0, list: 0 };
    clients.observe((call) => {
      if (call.operation === 'DescribeStackSet') stackSetReads.describe += 1;
      if (call.operation === 'ListStackInstances') stackSetReads.list += 1;
    });
    const config = loadConfig(file);
    const started = performance.now();
    const contexts = createFoundationContexts(config, clients, { readConcurrency: 16 });
    const plan = await buildPlan(foundationKinds(contexts));
    if (plan.changes.length > 0 && !dryRun) await applyPlan(plan, { concurrency: 16 });
    const { registry } = contexts.org;
    const accounts = directoryFrom(config, {
      managementAccountId: registry.managementAccountId ?? '123456789012',
      organizationId: registry.organizationId,
      accounts: registry.accountIds,
      policies: registry.policyIds,
    });
    const synth = synthesize({ config, accounts, outdir: join(stateDir, 'cdk.out') });
    const session: DeploySession = {
      config,
      clients,
      registry,
      managementAccountId: registry.managementAccountId ?? '123456789012',
      sandbox: true,
      emulatedTypes: emulatedCloudFormationTypes(defaultEmulatorPaths()),
    };
    const baselines = await planBaselines(session, synth);
    const result = dryRun ? undefined : await applyBaselines(session, synth, baselines, { pollMs: 100, preferences: { MaxConcurrentPercentage: 100 } });
    if (result && result.failed.length > 0) throw new Error(`deploy failed: ${result.failed.map((f) => f.message).join('; ')}`);
    return {
      seconds: (performance.now() - started) / 1000,
      calls: proxy.stats.requests,
      orgChanges: plan.changes.length,
      stackSets: baselines.stackSets.length,
      stacks: synth.stacks.length,
      changedStackSets: baselines.stackSets.filter((s) => s.action !== 'unchanged' || s.missing.length > 0).length,
      changedStacks: baselines.stacks.filter((s) => s.change !== 'none').length,
      stackSetReads,
    };
  } finally {
    await proxy.close();
  }
}

/** First deploy and no-change deploy of a 1,000-account organization against the emulator, and cost-estimate over it. */
export async function deployBenchmark(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-deploy-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  const file = join(dir, 'groundwork.yaml');
  writeFileSync(file, configText());
  const results: BenchResult[] = [];
  try {
    const config = loadConfig(file);
    const estimateStarted = performance.now();
    const estimate = costEstimate(config, placeholderDirectory(config));
    const estimateSeconds = (performance.now() - estimateStarted) / 1000;
    results.push({
      name: `cost-estimate, ${ACCOUNTS} accounts / 50 OUs`,
      value: `${estimateSeconds.toFixed(1)} s (${estimate.lines.length} lines, $${estimate.totalUsd} a month)`,
      goal: '< 10 s',
      met: estimateSeconds < 10,
    });

    const memoryBefore = process.memoryUsage().rss;
    const first = await deployOnce(state.endpoint, file, dir, false);
    const peak = Math.max(process.resourceUsage().maxRSS * 1024, memoryBefore);
    results.push({
      name: `first deploy, ${ACCOUNTS} accounts (organization, ${first.stacks - 1} management stacks, ${first.stackSets} StackSets)`,
      value: `${first.seconds.toFixed(1)} s, ${first.calls} API calls, ${first.orgChanges} organization changes, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB; operation preferences: parallel regions, 100 % concurrent, 0 % failure tolerance`,
      goal: 'recorded',
      met: true,
    });

    const again = await deployOnce(state.endpoint, file, dir, true);
    results.push({
      name: `no-change deploy, ${ACCOUNTS} accounts`,
      value: `${again.seconds.toFixed(1)} s, ${again.calls} API calls; ${again.changedStacks} stacks and ${again.changedStackSets} StackSets to change`,
      goal: '< 60 s, nothing to change',
      met: again.seconds < 60 && again.changedStacks === 0 && again.changedStackSets === 0 && again.orgChanges === 0,
    });
    results.push({
      name: 'StackSet reads in a no-change deploy',
      value: `${again.stackSetReads.describe} DescribeStackSet + ${again.stackSetReads.list} ListStackInstances pages for ${again.stackSets} StackSets`,
      goal: 'one of each per StackSet, whatever the number of accounts',
      met: again.stackSetReads.describe === again.stackSets && again.stackSetReads.list === again.stackSets,
    });
  } finally {
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
