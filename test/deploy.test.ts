import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DeleteStackInstancesCommand, DescribeStacksCommand, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { CDK_BOUNDARY_POLICY } from '../src/infra/cdk-boundary.js';
import { readAccounts } from '../src/org/kinds/account-kind.js';
import type { OrgRegistry } from '../src/org/org-context.js';
import { readOrganizationBasics } from '../src/org/read-organization.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

interface DeployJson {
  dryRun?: boolean;
  preflight: { id: string; status: string }[];
  bootstrap: { needed: boolean };
  stacks: { stackName: string; change: string; notEmulated: string[] }[];
  stackSets: { name: string; action: string; missing: unknown[]; notEmulated: string[] }[];
  blocked: { name: string; reason: string }[];
  result?: { stackSets: { name: string }[]; stacks: string[]; failed: { name: string }[]; skipped: { name: string; because: string }[] };
  summary?: {
    deliveryRoles: { image?: string; staging?: string; release?: string };
    portal: string | null;
    invoiceUnits: { environment: string }[];
    nextSteps: string[];
  };
}

describe('groundwork deploy against the emulator: management stacks through the CDK, baselines through StackSets', () => {
  const config = configWith();
  const region = config.organization.homeRegion;
  let registry: OrgRegistry;
  const id = (name: string) => registry.accountIds.get(name) as string;
  const clients = () => sandbox.emulator.clients(region);
  const deploy = async (...args: string[]) => cli(['deploy', '--json', ...args, ...sandbox.at]);

  beforeAll(async () => {
    await applyFoundation(config, clients());
    const { org } = createFoundationContexts(config, clients());
    await readOrganizationBasics(org);
    await readAccounts(org);
    registry = org.registry;
  }, 180_000);
  // The sandbox's cloud assembly for this emulator's port.
  afterAll(() => rmSync(`.groundwork/cdk.out.${new URL(sandbox.emulator.endpoint).port}`, { recursive: true, force: true }));

  it('--dry-run prints the complete ordered plan with preflight, and changes nothing', async () => {
    const run = await deploy('--dry-run');
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as DeployJson;
    expect(plan.dryRun).toBe(true);
    expect(plan.preflight.find((c) => c.id === 'caller')?.status).toBe('pass');
    expect(plan.preflight.find((c) => c.id === 'account-quota')?.status).toBe('not-emulated');
    expect(plan.bootstrap.needed).toBe(true);
    expect(plan.stacks.map((s) => [s.stackName, s.change])).toEqual([
      // The trail's tamper alarm publishes to the operators' topic, so the notifications stack comes first.
      ['groundwork-operator-notifications', 'create'],
      ['groundwork-audit-trail', 'create'],
      ['groundwork-cost-controls', 'create'],
      ['groundwork-cost-statements', 'create'],
      ['groundwork-security-findings', 'create'],
    ]);
    expect(plan.stackSets.map((s) => [s.name, s.action, s.missing.length])).toEqual([
      ['groundwork-log-archive', 'create', 1],
      // The security account's findings forwarder: one instance per governed region.
      ['groundwork-security-findings-forwarder', 'create', 2],
      ['groundwork-ecr-repository', 'create', 1],
      ['groundwork-github-oidc', 'create', 1],
      // The workloads need no image: they start with 0 tasks (test/first-deploy.test.ts reads them back).
      ['groundwork-workload', 'create', 1],
      ['groundwork-workload-bluegreen', 'create', 1],
    ]);
    // What moto cannot create is named, never skipped silently.
    expect(plan.stackSets.find((s) => s.name === 'groundwork-github-oidc')?.notEmulated).toEqual(['AWS::IAM::OIDCProvider']);
    expect(plan.stacks.find((s) => s.stackName === 'groundwork-audit-trail')?.notEmulated).toEqual(['AWS::CloudTrail::Trail', 'AWS::Events::EventBusPolicy']);
    expect(plan.stacks.find((s) => s.stackName === 'groundwork-security-findings')?.notEmulated).toEqual(['AWS::Events::EventBusPolicy']);
    expect(plan.blocked.map((b) => b.name)).toEqual(['groundwork-auth']);
    expect(plan.blocked.find((b) => b.name === 'groundwork-auth')?.reason).toMatch(
      /moto has no AWS::Cognito::UserPool.*through the SDK from the same settings/,
    );
    // The same plan for people: every step with account, region, role and change, in order.
    const text = await cli(['deploy', '--dry-run', ...sandbox.at]);
    expect(text.code).toBe(0);
    const steps = text.stderr.slice(text.stderr.indexOf('2. Baselines'));
    expect(steps).toMatch(/StackSet groundwork-log-archive\s+log-archive\s+us-east-1\s+AWSServiceRoleForCloudFormationStackSetsOrgMember\s+create\n/);
    expect(steps).toMatch(/Stack groundwork-audit-trail\s+management\s+us-east-1\s+cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1\s+create\n/);
    expect(steps.indexOf('groundwork-log-archive')).toBeLessThan(steps.indexOf('CDK bootstrap'));
    expect(steps.indexOf('CDK bootstrap')).toBeLessThan(steps.indexOf('groundwork-ecr-repository'));
    expect(text.stdout).toBe('Dry run: nothing was changed.\n');
    const { Summaries } = await clients().create(CloudFormationClient).send(new ListStackSetsCommand({}));
    expect(Summaries ?? []).toEqual([]);
  }, 300_000);

  it('a failed log archive stops the trail that needs it, leaves the rest, and the next deploy continues where it stopped', async () => {
    // A bucket already holding the name of the archive's first bucket makes its instance fail, as a clash would on
    // AWS (moto stops there, before any other bucket a retry would clash with: it has no rollback).
    const accessLogs = `groundwork-log-archive-access-${id('log-archive')}-${region}`;
    const s3 = clients().create(S3Client);
    await s3.send(new CreateBucketCommand({ Bucket: accessLogs }));
    const failed = await deploy('--yes');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: 1 deploy step\(s\) failed and 1 were skipped/);
    expect(failed.stderr).toMatch(/\n {2}groundwork-log-archive: .*bucket name is not available/);
    expect(failed.stderr).toMatch(/skipped: groundwork-audit-trail \(groundwork-log-archive failed\)/);
    const stacks = clients().create(CloudFormationClient);
    await expect(stacks.send(new DescribeStacksCommand({ StackName: 'groundwork-cost-controls' }))).resolves.toBeDefined();
    await expect(stacks.send(new DescribeStacksCommand({ StackName: 'groundwork-audit-trail' }))).rejects.toThrow(/does not exist/);

    await s3.send(new DeleteBucketCommand({ Bucket: accessLogs }));
    const resumed = await deploy('--yes');
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as DeployJson;
    // Only what was missing: the archive's instance and the trail; the rest was in place.
    expect(result.result?.stackSets.map((s) => s.name)).toEqual(['groundwork-log-archive']);
    expect(result.result?.stacks).toEqual(['groundwork-audit-trail']);
    expect(result.summary?.deliveryRoles).toEqual({
      image: `arn:aws:iam::${id('cicd')}:role/groundwork-image`,
      staging: `arn:aws:iam::${id('cicd')}:role/groundwork-delivery`,
      release: `arn:aws:iam::${id('cicd')}:role/groundwork-release`,
    });
    expect(result.summary?.invoiceUnits.map((u) => u.environment)).toContain('prod');
    expect(result.summary?.nextSteps).toContain('confirm the SNS subscription e-mail sent to platform-team@example.com');
  });

  it('the resources exist in the target accounts, read back with each account’s role', async () => {
    const buckets = await clients()
      .create(S3Client, { accountId: id('log-archive') })
      .send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(
      expect.arrayContaining([`groundwork-log-archive-${id('log-archive')}-${region}`, `groundwork-log-archive-access-${id('log-archive')}-${region}`]),
    );
    const repos = await clients()
      .create(ECRClient, { accountId: id('cicd') })
      .send(new DescribeRepositoriesCommand({}));
    expect(repos.repositories?.map((r) => r.repositoryName)).toEqual(['backend-service']);
    const iam = clients().create(IAMClient, { accountId: id('cicd') });
    for (const role of ['groundwork-image', 'groundwork-delivery', 'groundwork-release']) {
      await expect(iam.send(new GetRoleCommand({ RoleName: role }))).resolves.toMatchObject({ Role: { RoleName: role } });
    }
    // The CDK execution role and every role of the management stacks within the deploy path's permissions boundary.
    const management = clients().create(IAMClient);
    const boundary = `arn:aws:iam::123456789012:policy/${CDK_BOUNDARY_POLICY}`;
    const exec = await management.send(new GetRoleCommand({ RoleName: `cdk-hnb659fds-cfn-exec-role-123456789012-${region}` }));
    expect(exec.Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(boundary);
    const stackRoles = ((await management.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith('groundwork-cost-'));
    expect(stackRoles.length).toBeGreaterThan(0);
    for (const role of stackRoles) {
      const read = await management.send(new GetRoleCommand({ RoleName: role.RoleName }));
      expect({ role: role.RoleName, boundary: read.Role?.PermissionsBoundary?.PermissionsBoundaryArn }).toEqual({ role: role.RoleName, boundary });
    }
    const topics = await clients().create(SNSClient).send(new ListTopicsCommand({}));
    expect(topics.Topics?.map((t) => t.TopicArn)).toContain(`arn:aws:sns:${region}:123456789012:groundwork-operator-notifications`);

    const status = await cli(['status', '--json', ...sandbox.at]);
    const stackSets = (JSON.parse(status.stdout) as { stackSets: { name: string; instances: { account: string; status: string }[] }[] }).stackSets;
    expect(stackSets.map((s) => [s.name, s.instances.map((i) => [i.account, i.status])])).toEqual(
      expect.arrayContaining([
        ['groundwork-log-archive', [[id('log-archive'), 'SUCCEEDED']]],
        ['groundwork-ecr-repository', [[id('cicd'), 'SUCCEEDED']]],
        ['groundwork-github-oidc', [[id('cicd'), 'SUCCEEDED']]],
      ]),
    );
  });

  it('a second deploy changes nothing, and diff says so', async () => {
    const again = await deploy('--yes');
    expect(again.code, again.stderr).toBe(0);
    const plan = JSON.parse(again.stdout) as DeployJson;
    expect(plan.bootstrap.needed).toBe(false);
    expect(plan.stacks.every((s) => s.change === 'none')).toBe(true);
    expect(plan.stackSets.every((s) => s.action === 'unchanged' && s.missing.length === 0)).toBe(true);
    expect(plan.result).toMatchObject({ stackSets: [], stacks: [], failed: [], skipped: [] });
    const diff = await cli(['diff', ...sandbox.at]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/By account:\nNo account would change\./);
  });

  it('reconciles: an instance that is missing (auto-deployment missed it) is put back on the next deploy', async () => {
    // The account is left as if auto-deployment had missed it: no instance, no repository (moto reads Accounts, not
    // DeploymentTargets, and keeps a deleted stack's repository).
    const cfn = clients().create(CloudFormationClient);
    await cfn.send(
      new DeleteStackInstancesCommand({ StackSetName: 'groundwork-ecr-repository', Accounts: [id('cicd')], Regions: [region], RetainStacks: false }),
    );
    const ecr = clients().create(ECRClient, { accountId: id('cicd') });
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'backend-service', force: true })).catch(() => undefined);
    const diff = await cli(['diff', ...sandbox.at]);
    expect(diff.stdout).toMatch(new RegExp(`cicd \\(${id('cicd')}\\):\\n {2}\\+ groundwork-ecr-repository`));
    const summaryFile = join(mkdtempSync(join(tmpdir(), 'gw-summary-')), 'summary.md');
    writeFileSync(summaryFile, 'earlier step\n');
    const run = await deploy('--yes', '--summary', summaryFile);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as DeployJson).result?.stackSets).toEqual([{ name: 'groundwork-ecr-repository', action: 'unchanged', instancesAdded: 1 }]);
    // The job summary gets the outcome appended, after what earlier steps wrote.
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toMatch(/^earlier step\n### Groundwork deploy\n\nOrganization and Identity Center: no changes\n\n```text\n/);
    expect(summary).toContain('groundwork-ecr-repository');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['backend-service'] }))).resolves.toBeDefined();
  });
});
