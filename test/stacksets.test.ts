import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateAccountCommand, DescribeCreateAccountStatusCommand, MoveAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { attributesNotEmulated, desiredBaselines, notEmulatedTypes } from '../src/deploy/baselines.js';
import { applyStackSet, planStackSet, type StackSetSpec } from '../src/deploy/stacksets.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { readAccounts } from '../src/org/kinds/account-kind.js';
import type { OrgRegistry } from '../src/org/org-context.js';
import { readOrganizationBasics } from '../src/org/read-organization.js';
import { emulatedCloudFormationTypes } from '../src/sandbox/emulator.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

describe('member-account baselines as service-managed StackSets, against the emulator', () => {
  const config = configWith();
  const region = config.organization.homeRegion;
  let registry: OrgRegistry;
  const cfn = () => sandbox.emulator.clients().create(CloudFormationClient, { region });

  beforeAll(async () => {
    await applyFoundation(config, sandbox.emulator.clients());
    const { org } = createFoundationContexts(config, sandbox.emulator.clients());
    await readOrganizationBasics(org);
    await readAccounts(org);
    registry = org.registry;
  }, 180_000);

  it('derives the baselines from groundwork.yaml, workloads included before any image exists, and names what the emulator cannot create', () => {
    const { specs, blocked } = desiredBaselines(config, registry, { logArchiveTemplate: '{"Resources":{}}' });
    const cicd = registry.accountIds.get('cicd') as string;
    const id = (name: string) => registry.accountIds.get(name);
    const ou = (name: string) => registry.ouIds.get(name);
    expect(specs.map((s) => [s.name, s.accountIds, s.organizationalUnitIds, s.retainStacksOnAccountRemoval])).toEqual([
      ['groundwork-log-archive', [id('log-archive')], [ou('Security')], true],
      ['groundwork-ecr-repository', [cicd], [ou('CICD')], true],
      ['groundwork-github-oidc', [cicd], [ou('CICD')], false],
      ['groundwork-workload', [id('staging')], [ou('Stage')], false],
      ['groundwork-workload-bluegreen', [id('prod')], [ou('Stage')], false],
      ['groundwork-auth', [id('dev'), id('staging'), id('prod')], [ou('Playground'), ou('Stage')], true],
    ]);
    expect(specs[1]?.parameters).toEqual({
      RepositoryName: 'backend-service',
      PullAccountIds: `${registry.accountIds.get('staging')},${registry.accountIds.get('prod')}`,
    });
    expect(specs[2]?.parameters).toMatchObject({
      GitHubOwner: 'example-org',
      GitHubRepository: 'backend-service',
      StagingAccountId: registry.accountIds.get('staging'),
    });
    // Each auth instance carries its environment's own values as overrides, with a domain prefix unique to its account.
    expect(specs[5]?.overrides?.[id('prod') as string]).toMatchObject({
      EnvironmentName: 'prod',
      DomainPrefix: `prod-${id('prod')}`,
      DeletionProtection: 'true',
    });
    expect(specs[5]?.overrides?.[id('dev') as string]).toMatchObject({ EnvironmentName: 'dev', DeletionProtection: 'false' });
    const emulated = emulatedCloudFormationTypes(sandbox.emulator.paths);
    expect(notEmulatedTypes(specs[2]?.templateBody as string, emulated)).toEqual(['AWS::IAM::OIDCProvider']);
    expect(attributesNotEmulated(specs[5]?.templateBody as string, emulated)).toContain('AWS::Cognito::UserPool');
    expect(blocked).toEqual([]);
    // The workloads need no image: they start with 0 tasks, after the delivery roles they trust, and take no InitialImage.
    expect(specs.find((s) => s.name === 'groundwork-workload')?.parameters).not.toHaveProperty('InitialImage');
    expect(specs.find((s) => s.name === 'groundwork-workload-bluegreen')).toMatchObject({
      accountIds: [id('prod')],
      dependsOn: ['groundwork-ecr-repository', 'groundwork-github-oidc'],
      parameters: {
        ReleaseRoleArn: `arn:aws:iam::${cicd}:role/groundwork-release`,
        EnvironmentName: 'prod',
        ImageAccountId: cicd,
        ImageRepositoryName: 'backend-service',
      },
    });
    // A workload StackSet created with an image before keeps it: a change would roll the service back to that image.
    const kept = `${cicd}.dkr.ecr.${region}.amazonaws.com/backend-service@sha256:${'a'.repeat(64)}`;
    const keeping = desiredBaselines(config, registry, { keptInitialImages: { 'groundwork-workload-bluegreen': kept } });
    expect(keeping.specs.find((s) => s.name === 'groundwork-workload-bluegreen')?.parameters.InitialImage).toBe(kept);
    expect(keeping.specs.find((s) => s.name === 'groundwork-workload')?.parameters).not.toHaveProperty('InitialImage');
  });

  // The engine on small baselines (test/deploy.test.ts deploys the real ones): create, update, reconcile.
  const pipelineBaseline = (): StackSetSpec => ({
    name: 'groundwork-test-pipeline-baseline',
    description: 'a one-account baseline for the pipeline account',
    templateBody: JSON.stringify({
      Parameters: { BucketName: { Type: 'String' } },
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'BucketName' } } },
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'groundwork-pipeline', RetentionInDays: 30 } },
      },
    }),
    parameters: { BucketName: 'groundwork-pipeline-artifacts-test' },
    organizationalUnitIds: [registry.ouIds.get('CICD') as string],
    accountIds: [registry.accountIds.get('cicd') as string],
    retainStacksOnAccountRemoval: true,
    regions: [region],
  });

  it('creates a StackSet and its instance, whose resources exist in the target account; a second run changes nothing', async () => {
    const spec = pipelineBaseline();
    const cicd = registry.accountIds.get('cicd') as string;
    const plan = await planStackSet(cfn(), spec, [cicd]);
    expect(plan).toMatchObject({ action: 'create', missing: [{ account: cicd, region }], extra: [] });
    const progress: string[] = [];
    await applyStackSet(cfn(), plan, { pollMs: 0, progress: (m) => progress.push(m) });
    expect(progress).toEqual([`+ StackSet ${spec.name}`, `+ ${spec.name}: instances in ${cicd} (${region})`]);
    const { Buckets } = await sandbox.emulator.clients().create(S3Client, { accountId: cicd, region }).send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain('groundwork-pipeline-artifacts-test');
    const again = await planStackSet(cfn(), spec, [cicd]);
    expect(again).toMatchObject({ action: 'unchanged', missing: [], extra: [], failed: [] });
  });

  it('puts a baseline for one account of an OU into that account only (the INTERSECTION filter)', async () => {
    const prod = registry.accountIds.get('prod') as string;
    const spec: StackSetSpec = {
      name: 'groundwork-test-prod-only',
      description: 'a baseline for prod, which shares the Stage OU with staging',
      templateBody: JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'groundwork-prod-only' } } } }),
      parameters: {},
      organizationalUnitIds: [registry.ouIds.get('Stage') as string],
      accountIds: [prod],
      retainStacksOnAccountRemoval: false,
      regions: [region],
    };
    await applyStackSet(cfn(), await planStackSet(cfn(), spec, [prod]), { pollMs: 0 });
    expect(await planStackSet(cfn(), spec, [prod])).toMatchObject({ action: 'unchanged', missing: [], extra: [] });
  });

  it('updates a StackSet whose parameters changed, then finds it unchanged', async () => {
    const cicd = registry.accountIds.get('cicd') as string;
    const changed = { ...pipelineBaseline(), parameters: { BucketName: 'groundwork-pipeline-artifacts-test-2' } };
    const plan = await planStackSet(cfn(), changed, [cicd]);
    expect(plan.action).toBe('update');
    await applyStackSet(cfn(), plan, { pollMs: 0 });
    expect((await planStackSet(cfn(), changed, [cicd])).action).toBe('unchanged');
  });

  it('reconciles instances: an account that joined a target OU gets its instance on the next run, an account outside is reported', async () => {
    const spec: StackSetSpec = {
      name: 'groundwork-test-playground-baseline',
      description: 'a baseline for every Playground account',
      templateBody: JSON.stringify({
        Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'groundwork-playground', RetentionInDays: 30 } } },
      }),
      parameters: {},
      organizationalUnitIds: [registry.ouIds.get('Playground') as string],
      retainStacksOnAccountRemoval: false,
      regions: [region],
    };
    const dev = registry.accountIds.get('dev') as string;
    await applyStackSet(cfn(), await planStackSet(cfn(), spec, [dev]), { pollMs: 0 });

    // A second Playground account, as vending or an adoption would add it; moto has no auto-deployment.
    const orgs = sandbox.emulator.clients().create(OrganizationsClient);
    const { CreateAccountStatus } = await orgs.send(new CreateAccountCommand({ AccountName: 'dev-two', Email: 'aws+dev-two@example.com' }));
    const { CreateAccountStatus: done } = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus?.Id }));
    const devTwo = done?.AccountId as string;
    await orgs.send(new MoveAccountCommand({ AccountId: devTwo, SourceParentId: registry.rootId, DestinationParentId: registry.ouIds.get('Playground') }));

    const plan = await planStackSet(cfn(), spec, [dev, devTwo]);
    expect(plan).toMatchObject({ action: 'unchanged', missing: [{ account: devTwo, region }], extra: [] });
    await applyStackSet(cfn(), plan, { pollMs: 0 });
    expect((await planStackSet(cfn(), spec, [dev, devTwo])).missing).toEqual([]);
    // Taken out of the targets (say the config filters it out now): reported as extra, not deleted.
    expect((await planStackSet(cfn(), spec, [dev])).extra).toEqual([{ account: devTwo, region, status: expect.any(String) }]);
  });
});
