import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListOrganizationalUnitsForParentCommand, ListRootsCommand, OrganizationsClient, paginateListAccountsForParent } from '@aws-sdk/client-organizations';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientFactory } from '../src/aws/client-factory.js';
import { findFreePort } from '../src/sandbox/emulator.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { PRINTED_CONSOLE_URL, signInTo, startUp } from './helpers/sandbox-up.js';

const home = mkdtempSync(join(tmpdir(), 'gw-up-'));
const env = { ...process.env, GROUNDWORK_HOME: home, GROUNDWORK_EMULATOR_VENV: SHARED_PATHS.venv, AWS_ENDPOINT_URL: '' };
// The audit search prints up to 1,000 events with their raw records: well over spawnSync's 1 MB default.
const groundwork = (...args: string[]) =>
  spawnSync(process.execPath, [SHARED_PATHS.bin, ...args], { encoding: 'utf8', env, cwd: SHARED_PATHS.root, maxBuffer: 256 * 1024 * 1024 });

afterAll(() => {
  groundwork('emulator', 'stop');
});

describe('groundwork up (npm start)', () => {
  it('leaves a running emulator holding the default organization, and prints the tree with real IDs', () => {
    const up = groundwork('up', '--json', '--no-console');
    expect(up.status).toBe(0);
    const result = JSON.parse(up.stdout);
    expect(result.console).toBeNull();
    expect(result.accountIdSource).toBe('organization');
    expect(result.organizationId).toMatch(/^o-/);
    // The same deploy as on AWS: the baselines as StackSets, the management stacks through the CDK; what cannot be is said.
    expect(result.deployed.stackSets.map((s: { name: string }) => s.name)).toEqual([
      'groundwork-log-archive',
      'groundwork-security-findings-forwarder',
      'groundwork-ecr-repository',
      'groundwork-github-oidc',
      'groundwork-workload',
      'groundwork-workload-bluegreen',
    ]);
    expect(result.deployed.stacks).toEqual(
      expect.arrayContaining(['groundwork-audit-trail', 'groundwork-operator-notifications', 'groundwork-cost-controls', 'groundwork-cost-statements']),
    );
    expect(result.deployed.blocked.map((b: { name: string }) => b.name)).toEqual(['groundwork-auth']);
    expect(up.stderr).toMatch(/✓ StackSet groundwork-log-archive in log-archive \(not emulated: AWS::Athena::WorkGroup/);
    expect(up.stderr).toMatch(/✓ stack groundwork-audit-trail in management \(not emulated: AWS::CloudTrail::Trail, AWS::Events::EventBusPolicy\)/);
    expect(up.stderr).toMatch(/✓ 3 SAMPLE Security Hub findings \(titled \[sample\]\) imported into security: the console counts them/);
    expect(up.stderr).toMatch(/note: audit: the emulator enforces neither KMS key policies nor SCPs, and sends no API calls to EventBridge/);
    expect(up.stderr).toMatch(/note: release \(ecs\): the emulator has no ECS service deployments: UpdateService starts no blue\/green deployment/);
    const status = JSON.parse(groundwork('emulator', 'status', '--json').stdout);
    expect(status).toEqual({ running: true, endpoint: result.endpoint });
  }, 300_000);

  it('then ends serving the console, printing its URL, until Ctrl-C; the emulator keeps running', async () => {
    const human = await startUp({ home });
    expect(human.stdout()).toMatch(/├─ Stage\/\n│ {2}├─ prod {2}\d{12} {2}env=prod\n│ {2}└─ staging {2}\d{12} {2}env=staging/);
    expect(human.stderr()).toMatch(/organization applied: 0 change\(s\) \(it already matched the config\)/);
    // A second up deploys nothing: every StackSet and stack is as it was.
    expect(human.stderr()).not.toMatch(/\+ StackSet|management stacks:/);
    // The URL carries a new token; it is printed once, in that line, and nowhere else.
    expect(human.stdout()).toMatch(/Console: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43} {3}\(/);
    expect(`${human.stdout()}${human.stderr()}`.split(human.token)).toHaveLength(2);
    expect((await fetch(`${human.consoleUrl}/api/health`)).status).toBe(401);
    const cookie = await signInTo(human.consoleUrl, human.token);
    expect(await (await fetch(`${human.consoleUrl}/api/health`, { headers: { cookie } })).json()).toEqual({ status: 'ok' });
    const page = await fetch(`${human.consoleUrl}/people`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root"></div>');
    expect(await human.interrupt()).toBe(0);
    await expect(fetch(`${human.consoleUrl}/api/health`)).rejects.toThrow();
    expect(JSON.parse(groundwork('emulator', 'status', '--json').stdout).running).toBe(true);
  });

  it('then groundwork console serves the same sandbox alone; a --port that is taken is a clear error', async () => {
    const port = await findFreePort(0);
    const child = spawn(process.execPath, [SHARED_PATHS.bin, 'console', '--port', String(port)], { env, cwd: SHARED_PATHS.root });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 600 && !stdout.includes('Console: '); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toContain(`Console: http://127.0.0.1:${port}/?token=`);
    const token = PRINTED_CONSOLE_URL.exec(stdout)?.[2] as string;
    const cookie = await signInTo(`http://127.0.0.1:${port}`, token);
    const environments = (await (await fetch(`http://127.0.0.1:${port}/api/environments`, { headers: { cookie } })).json()) as {
      accounts: { name: string }[];
    };
    expect(environments.accounts.map((a) => a.name)).toEqual(expect.arrayContaining(['prod', 'staging', 'dev', 'cicd', 'log-archive']));

    const taken = groundwork('console', '--port', String(port));
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is taken`);
    expect(taken.stderr).not.toMatch(/\n\s+at /);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('is visible to any AWS client at the printed endpoint', async () => {
    const { endpoint } = JSON.parse(groundwork('emulator', 'status', '--json').stdout);
    const client = new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint }).create(OrganizationsClient);
    const root = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const ous = (await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits ?? [];
    const layout: Record<string, string[]> = {};
    for (const ou of ous) {
      const names: string[] = [];
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: ou.Id as string }))
        names.push(...(page.Accounts ?? []).map((a) => a.Name as string));
      layout[ou.Name as string] = names.sort();
    }
    expect(layout).toEqual({ Stage: ['prod', 'staging'], Playground: ['dev'], CICD: ['cicd'], Security: ['log-archive', 'security'] });
  });

  it('then plan --detailed-exitcode exits 0', () => {
    expect(groundwork('plan', '--detailed-exitcode').status).toBe(0);
  });

  it('then audit search --since 1h shows real and sample events, the sample marked as such', () => {
    const page = JSON.parse(groundwork('audit', 'search', '--since', '1h', '--limit', '1000', '--json').stdout);
    const sample = page.events.filter((e: { sample: boolean }) => e.sample);
    expect(sample.length).toBeGreaterThan(0);
    expect(page.events.length).toBeGreaterThan(sample.length);
    expect(sample[0].userAgent).toMatch(/SAMPLE DATA/);
    expect(groundwork('audit', 'search', '--since', '24h', '--event', 'DeleteBucket').stdout).toMatch(/s3:DeleteBucket \[sample\].*AccessDenied/);
  });

  it('then status prints the access portal and users list shows the sample people', () => {
    expect(groundwork('status').stdout).toMatch(/Access portal \(one sign-in for every environment\): https:\/\/d-\w+\.awsapps\.com\/start/);
    expect(JSON.parse(groundwork('users', 'list', '--json').stdout).users).toHaveLength(25);
  });

  it('then auth import creates the sample users in staging’s pool, and a second run creates nothing', () => {
    const first = groundwork('auth', 'import', 'examples/auth-users.csv', '--env', 'staging', '--json');
    expect(first.stderr).not.toMatch(/error/);
    expect(JSON.parse(first.stdout)).toMatchObject({ environment: 'staging', method: 'admin', created: 20, updated: 0, unchanged: 0, rejected: [] });
    const second = groundwork('auth', 'import', 'examples/auth-users.csv', '--env', 'staging');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/Created 0, updated 0, unchanged 20, rejected 0 in staging's pool/);
  });

  it('then auth code issues a one-time code for a staging user, valid for the configured 12 hours', () => {
    const issued = groundwork('auth', 'code', '--env', 'staging', '--user', 'sample.ada@example.com', '--json');
    expect(issued.status).toBe(0);
    const result = JSON.parse(issued.stdout);
    expect(result).toMatchObject({ environment: 'staging', user: 'sample.ada@example.com', code: expect.stringMatching(/^\d{8}$/) });
    const hours = (Date.parse(result.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
  });
});
