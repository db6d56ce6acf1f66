import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

describe('groundwork plan, apply and status', () => {
  // The cloud assembly deploy's dry run synthesized for this emulator's port.
  afterAll(() => rmSync(`.groundwork/cdk.out.${new URL(sandbox.emulator.endpoint).port}`, { recursive: true, force: true }));

  it('deploy --dry-run before the organization exists plans every step, new accounts by name, and changes nothing', async () => {
    const run = await cli(['deploy', '--dry-run', '--json', ...sandbox.at]);
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.preflight.find((c: { id: string }) => c.id === 'caller')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/has no organization yet/),
    });
    expect(plan.organization.changes).toContainEqual(expect.objectContaining({ action: 'create', kind: 'account', name: 'prod' }));
    expect(plan.stackSets.map((s: { name: string; pending: boolean; accounts: string[] }) => [s.name, s.pending, s.accounts])).toEqual([
      ['groundwork-log-archive', true, ['(log-archive)']],
      ['groundwork-security-findings-forwarder', true, ['(security)']],
      ['groundwork-ecr-repository', true, ['(cicd)']],
      ['groundwork-github-oidc', true, ['(cicd)']],
      // The workloads need no image (#28): they are planned with the foundation.
      ['groundwork-workload', true, ['(staging)']],
      ['groundwork-workload-bluegreen', true, ['(prod)']],
    ]);
    expect(plan.stacks.map((s: { change: string }) => s.change)).toEqual(['create', 'create', 'create', 'create', 'create']);
    const text = await cli(['deploy', '--dry-run', ...sandbox.at]);
    expect(text.stderr).toMatch(
      /StackSet groundwork-ecr-repository\s+cicd \(new\)\s+us-east-1\s+AWSServiceRoleForCloudFormationStackSetsOrgMember\s+create \(after the organization step\)/,
    );
    // Still nothing there: plan finds the whole organization to create.
    expect((await cli(['plan', '--detailed-exitcode', ...sandbox.at])).code).toBe(2);
  });

  it('plan --json lists changes in the contract shape, and --detailed-exitcode exits 2', async () => {
    const run = await cli(['plan', '--json', '--detailed-exitcode', ...sandbox.at]);
    expect(run.code).toBe(2);
    const plan = JSON.parse(run.stdout);
    expect(plan.changes).toContainEqual({
      action: 'create',
      kind: 'account',
      name: 'prod',
      details: { email: 'aws+prod@example.com', organizationalUnit: 'Stage' },
    });
    expect(plan.changes).toContainEqual(expect.objectContaining({ action: 'create', kind: 'ou', name: 'Stage' }));
    for (const change of plan.changes) expect(['create', 'update', 'move', 'delete']).toContain(change.action);
  });

  it('plan groups changes by OU with + markers', async () => {
    const run = await cli(['plan', ...sandbox.at]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OU Stage\n {2}\+ account prod/m);
    expect(run.stdout).toMatch(/^Plan: \d+ to create, 0 to update, 0 to move, 0 to delete\.$/m);
    expect(run.stderr).toMatch(/^Target: sandbox emulator at http:\/\/127\.0\.0\.1:\d+\nCaller: account 123456789012/m);
  });

  it('apply refuses to run without --yes when there is no terminal to confirm on', async () => {
    const run = await cli(['apply', ...sandbox.at]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: apply needs confirmation, and there is no terminal to ask on\nhint: pass --yes/);
  });

  it('apply --yes reports progress, then plan exits 0 with --detailed-exitcode', async () => {
    const run = await cli(['apply', '--yes', ...sandbox.at]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\[\d+\/\d+\] ✓ create account prod/);
    expect(run.stdout).toMatch(/^Applied \d+ change\(s\) in/);
    const again = await cli(['plan', '--detailed-exitcode', ...sandbox.at]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes\. The organization matches the config\./);
  });

  it('plan --skip-member-settings reads no member account, names the ones it skipped, and still plans the management account', async () => {
    const run = await cli(['plan', '--skip-member-settings', '--json', ...sandbox.at]);
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.changes).toEqual([]);
    expect([...plan.settingsNotRead].sort()).toEqual(['cicd', 'dev', 'log-archive', 'prod', 'security', 'staging']);
    const text = await cli(['plan', '--skip-member-settings', ...sandbox.at]);
    expect(text.stdout).toMatch(
      /^Not read: the account settings .* of 6 member accounts \(.*\); this plan assumed no role into them, and apply reads and sets them\.$/m,
    );
  });

  it('status lists every account with ID, OU, environment and status', async () => {
    const run = await cli(['status', '--json', ...sandbox.at]);
    const status = JSON.parse(run.stdout);
    expect(status.organizationId).toMatch(/^o-/);
    expect(status.accounts).toContainEqual(
      expect.objectContaining({ name: 'prod', organizationalUnit: 'Stage', environment: 'prod', status: 'ACTIVE', id: expect.stringMatching(/^\d{12}$/) }),
    );
    expect(status.accounts).toContainEqual(
      expect.objectContaining({ name: 'management', organizationalUnit: '(management)', id: '123456789012', scpsApply: false }),
    );
    expect(status.notCreated).toEqual([]);
    expect(status.accounts.find((a: { name: string }) => a.name === 'dev').guardrails).toEqual(
      expect.arrayContaining(['groundwork-deny-leave-organization', 'groundwork-deny-commitment-purchases']),
    );
    // The backend service's delivery per environment (#25), read in each account: nothing deployed yet, nothing invented.
    expect(status.deliveries).toEqual(
      ['staging', 'prod'].map((environment) => ({
        environment,
        service: 'backend-service',
        releasedBy: 'not deployed',
        status: null,
        stage: null,
        rolledBack: false,
        reason: null,
      })),
    );
    const text = await cli(['status', ...sandbox.at]);
    expect(text.stdout).toMatch(/^prod +\d{12} +Stage +prod +ACTIVE +\d SCP\(s\) +not emulated$/m);
    expect(text.stdout).toMatch(
      /^Deliveries \(the backend service per environment\):\n {2}ENVIRONMENT +SERVICE +RELEASED BY +LAST DEPLOYMENT +STAGE +REASON$/m,
    );
    expect(text.stdout).toMatch(/^ {2}prod +backend-service +not deployed +- +-$/m);
    expect(text.stdout).toMatch(/^management +123456789012 +\(management\) +management +ACTIVE +none apply +-$/m);
    expect(text.stdout).toMatch(
      /Note: SCPs never apply to the management account \(management\), so no guardrail limits what is done there\. Access to it, per the config: Operators \(PlatformAdmin\), Operators \(Billing\)\./,
    );
  });

  it('on --target aws, plan shows the caller account and organization first', async () => {
    // The SDK's credential chain reads process.env itself.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_PROFILE', '');
    const run = await cli(['plan', '--target', 'aws', ...sandbox.at]);
    vi.unstubAllEnvs();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^Target: AWS via http:\/\/127\.0\.0\.1:\d+\nCaller: account 123456789012 \(.+\)\nOrganization: o-\w+, management account 123456789012/m,
    );
  });

  it('reports an unreachable endpoint clearly', async () => {
    const run = await cli(['plan', '--endpoint', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: reading the caller identity: nothing answers at http:\/\/127\.0\.0\.1:9\nhint: start the sandbox/);
  });
});

describe('closing accounts through the CLI', () => {
  it('refuses without the names typed back, then closes exactly the named account', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { parse, stringify } = await import('yaml');
    const { SHARED_PATHS } = await import('./helpers/paths.js');
    expect((await cli(['apply', '--yes', ...sandbox.at])).code).toBe(0);
    const raw = parse(readFileSync(join(SHARED_PATHS.root, 'groundwork.yaml'), 'utf8'));
    raw.organization.accounts = raw.organization.accounts.filter((a: { name: string }) => a.name !== 'cicd');
    for (const a of raw.identityCenter.assignments) a.accounts = (a.accounts ?? []).filter((n: string) => n !== 'cicd');
    raw.workloads.backendService.pipelineAccount = 'dev';
    const file = join(mkdtempSync(join(tmpdir(), 'gw-close-')), 'groundwork.yaml');
    writeFileSync(file, stringify(raw));

    const refused = await cli(['apply', '--yes', '--allow-close', '--config', file, ...sandbox.at]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/These accounts were created by Groundwork and are no longer in the config: cicd\./);
    expect(refused.stderr).toMatch(/error: closing accounts needs their names typed back, and there is no terminal to ask on\nhint: pass --close cicd/);

    const closed = await cli(['apply', '--yes', '--allow-close', '--close', 'cicd', '--json', '--config', file, ...sandbox.at]);
    expect(closed.code).toBe(0);
    expect(JSON.parse(closed.stdout).closed).toEqual(['cicd']);
    const status = JSON.parse((await cli(['status', '--json', '--config', file, ...sandbox.at])).stdout);
    expect(status.accounts.find((a: { name: string }) => a.name === 'cicd').status).toBe('SUSPENDED');
  });
});

describe('nested OUs', () => {
  it('creates a child OU after its parent, and places the account in the child', async () => {
    await sandbox.emulator.reset();
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'gw-nested-')), 'groundwork.yaml');
    writeFileSync(
      file,
      'organization:\n  organizationalUnits:\n    - { name: Workloads }\n    - { name: Teams, parent: Workloads }\n    - { name: Payments, parent: Teams }\n  accounts:\n    - { name: payments-prod, organizationalUnit: Payments }\n',
    );
    const apply = await cli(['apply', '--yes', '--config', file, ...sandbox.at]);
    expect(apply.code).toBe(0);
    const order = [...apply.stderr.matchAll(/✓ create (ou \w+|account [\w-]+)/g)].map((m) => m[1]);
    expect(order.indexOf('ou Workloads')).toBeLessThan(order.indexOf('ou Teams'));
    expect(order.indexOf('ou Teams')).toBeLessThan(order.indexOf('ou Payments'));
    expect(order.indexOf('ou Payments')).toBeLessThan(order.indexOf('account payments-prod'));
    const status = JSON.parse((await cli(['status', '--json', '--config', file, ...sandbox.at])).stdout);
    expect(status.accounts.find((a: { name: string }) => a.name === 'payments-prod').organizationalUnit).toBe('Payments');
    expect((await cli(['plan', '--detailed-exitcode', '--config', file, ...sandbox.at])).code).toBe(0);
  });
});
