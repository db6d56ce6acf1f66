import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { parse, stringify } from 'yaml';
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { ensureWebBuild, WEB_BUILD_DIR } from '../src/console/build-web.js';
import { applyPlan } from '../src/engine/apply.js';
import { buildPlan } from '../src/engine/plan.js';
import { createFoundationContexts, foundationKinds } from '../src/foundation/foundation-kinds.js';
import { importUsers } from '../src/identity/people/import-users.js';
import { prepareIdentity } from '../src/identity/prepare-identity.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import { seedSampleActivity } from '../src/sandbox/sample-activity.js';
import { launchChromium } from '../test/helpers/browser.js';
import { PRINTED_CONSOLE_URL, signInTo } from '../test/helpers/sandbox-up.js';
import { generateOrgConfig } from './generate-org.js';
import type { BenchResult } from './types.js';

const GROUPS = Array.from({ length: 20 }, (_, i) => `Team${String(i + 1).padStart(2, '0')}`);
const ROUTES = [
  '/api/environments',
  '/api/costs',
  '/api/costs/history',
  '/api/costs/breakdown?by=service&env=acct-0001',
  '/api/audit?since=24h&limit=50',
  '/api/audit?since=24h&limit=50&errors=true&text=AccessDenied',
  '/api/people',
  '/api/groups',
  '/api/deliveries',
];
/** Each page and what shows once it has rendered its data. */
const PAGES: [string, string][] = [
  ['/environments', 'text=OU001'],
  ['/costs', 'text=Drill down'],
  ['/audit', 'tr >> nth=2'],
  ['/people', 'text=user0'],
  ['/deliveries', 'text=No workload is configured'],
];

async function writeUsers(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('username,email,given_name,family_name,display_name,groups\n');
  for (let i = 0; i < count; i++) out.write(`user${i},user${i}@example.com,Given${i},Family${i},,${GROUPS[i % 20]}\n`);
  await new Promise((resolve) => out.end(resolve));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** 10 connections for 10 s on one route; every response time kept, so p50 and p95 are exact. */
async function load(url: string, cookie: string): Promise<{ p50: number; p95: number; requests: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({ url, connections: 10, duration: 10, headers: { cookie } }, (error) => (error ? reject(error) : resolve()));
    instance.on('response', (_client, status, _bytes, responseTime) => {
      times.push(responseTime);
      if (status !== 200) errors++;
    });
  });
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), requests: times.length, errors };
}

/** The scripts the page loads before its first render (the entry and what it preloads), gzip'd. */
function initialJsGzipKb(): number {
  const html = readFileSync(join(WEB_BUILD_DIR, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(join(WEB_BUILD_DIR, file))).length, 0) / 1024;
}

/**
 * The console over a sandbox of 1,000 accounts in 50 OUs and 10,000 users in 20 groups, with sample costs and
 * audit events: each API route's p50/p95 under autocannon on loopback (after one cold request, reported too), the
 * time to first render of each page in Chromium, and the initial JavaScript gzip'd.
 */
export async function consoleBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-console-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  let server: ChildProcess | undefined;
  try {
    const configFile = join(dir, 'groundwork.yaml');
    const config = parse(generateOrgConfig({ accounts: 1000, ous: 50 }));
    config.identityCenter.groups.push(...GROUPS.map((name) => ({ name })));
    writeFileSync(configFile, stringify(config));
    const clients = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: state.endpoint });
    const contexts = createFoundationContexts(loadConfig(configFile), clients);
    process.stderr.write('  applying 1,000 accounts…\n');
    const applied = await applyPlan(await buildPlan(foundationKinds(contexts)), { concurrency: 16 });
    if (applied.failed.length > 0) throw new Error(`apply failed: ${(applied.failed[0]?.error as Error)?.message}`);
    await prepareIdentity(contexts.org, contexts.identity);
    process.stderr.write('  importing 10,000 users…\n');
    const csv = join(dir, 'users.csv');
    await writeUsers(csv, 10_000);
    const imported = await importUsers(contexts.identity, csv, { concurrency: 16 });
    if (imported.created !== 10_000) throw new Error(`imported ${imported.created} users, not 10,000`);
    await seedSampleActivity(
      clients,
      [...contexts.org.registry.accountIds].map(([name, id]) => ({ name, id })),
    );
    await ensureWebBuild(WEB_BUILD_DIR);

    const port = await findFreePort(0);
    const starting = performance.now();
    server = spawn(process.execPath, ['bin/groundwork.js', 'console', '--port', String(port), '--config', configFile, '--endpoint', state.endpoint], {
      env: { ...process.env, GROUNDWORK_HOME: dir, GROUNDWORK_EMULATOR_VENV: shared.venvDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    server.stdout?.on('data', (d) => {
      out += d;
    });
    for (let i = 0; i < 6000 && !PRINTED_CONSOLE_URL.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const printed = PRINTED_CONSOLE_URL.exec(out);
    if (!printed) throw new Error('the console did not start within 600 s');
    const readyS = (performance.now() - starting) / 1000;
    results.push({
      name: 'groundwork console ready to serve (1,000 accounts, 10,000 users)',
      value: `${readyS.toFixed(1)} s (reads the organization, Identity Center and the audit accounts once)`,
      goal: 'reported',
      met: true,
    });
    const base = printed[1] as string;
    // Signed in as the page is: the printed token traded for the session cookie every API request then carries.
    const cookie = await signInTo(base, printed[2] as string);

    for (const route of ROUTES) {
      const started = performance.now();
      const cold = await fetch(`${base}${route}`, { headers: { cookie } });
      await cold.arrayBuffer();
      const coldMs = performance.now() - started;
      if (!cold.ok) throw new Error(`${route} answered ${cold.status}`);
      const measured = await load(`${base}${route}`, cookie);
      results.push({
        name: `GET ${route} (1,000 accounts, 10,000 users)`,
        value: `p50 ${measured.p50} ms, p95 ${measured.p95} ms over ${measured.requests} requests (10 connections, 10 s); first request ${Math.round(coldMs)} ms`,
        goal: 'p95 < 300 ms',
        met: measured.p95 < 300 && measured.errors === 0,
      });
    }

    const browser = await launchChromium();
    try {
      // One sign-in through the printed URL; each page then opens in a fresh context holding that session cookie.
      const signedIn = await browser.newContext();
      const signIn = await signedIn.newPage();
      const login = signIn.waitForResponse((r) => r.url().endsWith('/api/login'));
      await signIn.goto(`${base}/?token=${printed[2]}`);
      if ((await login).status() !== 204) throw new Error(`the console refused its own token: ${(await login).status()}`);
      const storageState = await signedIn.storageState();
      await signedIn.close();
      for (const [path, ready] of PAGES) {
        const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 }, storageState })).newPage();
        const started = performance.now();
        await page.goto(`${base}${path}`);
        await page.locator(ready).first().waitFor({ timeout: 30_000 });
        const ms = performance.now() - started;
        results.push({ name: `first render of ${path} with its data (Chromium, warm server)`, value: `${Math.round(ms)} ms`, goal: '< 1 s', met: ms < 1000 });
        await page.context().close();
      }
    } finally {
      await browser.close();
    }
    const kb = initialJsGzipKb();
    results.push({ name: 'initial JavaScript of the page, gzip’d', value: `${kb.toFixed(0)} KB`, goal: '< 500 KB', met: kb < 500 });
  } finally {
    server?.kill('SIGINT');
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
