import { rmSync } from 'node:fs';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_IMAGE_TAG } from '../src/delivery/placeholder.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { readAccounts } from '../src/org/kinds/account-kind.js';
import type { OrgRegistry } from '../src/org/org-context.js';
import { readOrganizationBasics } from '../src/org/read-organization.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

// Issue #28: a team's first push must find staging in place. A file of its own, so that it runs beside deploy.test.ts.
describe('groundwork deploy before any image: the workload environments exist with 0 tasks', () => {
  const config = configWith();
  const region = config.organization.homeRegion;
  let registry: OrgRegistry;
  let deployed: { code: number; stdout: string; stderr: string };
  const id = (name: string) => registry.accountIds.get(name) as string;

  beforeAll(async () => {
    const clients = sandbox.emulator.clients(region);
    await applyFoundation(config, clients);
    const { org } = createFoundationContexts(config, clients);
    await readOrganizationBasics(org);
    await readAccounts(org);
    registry = org.registry;
    deployed = await cli(['deploy', '--yes', ...sandbox.at]);
    rmSync(`.groundwork/cdk.out.${new URL(sandbox.emulator.endpoint).port}`, { recursive: true, force: true });
  }, 300_000);

  it('deploys the staging and production workloads with the foundation, and says what the first pipeline run will do', () => {
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`+ StackSet groundwork-workload\n+ groundwork-workload: instances in ${id('staging')} (${region})`);
    expect(deployed.stderr).toContain(`+ StackSet groundwork-workload-bluegreen\n+ groundwork-workload-bluegreen: instances in ${id('prod')} (${region})`);
    expect(deployed.stdout).toMatch(
      /first push to master: .* deploy-staging registers it, scales staging's backend-service from 0 to 2 task\(s\), waits until they are healthy/,
    );
    expect(deployed.stdout).toMatch(
      /first release tag \(v\*\): prod has no version running, so there is no traffic to shift: bluegreen-release deploys straight/,
    );
  });

  it('leaves staging with its cluster and a service of 0 tasks, behind its load balancer and health check, read back with its role', async () => {
    const staging = sandbox.emulator.clients(region);
    const ecs = staging.create(ECSClient, { accountId: id('staging') });
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['staging'] }));
    expect(clusters?.[0]).toMatchObject({ clusterName: 'staging', status: 'ACTIVE' });
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'staging', services: ['backend-service'] }));
    const service = services?.[0];
    // (moto's CloudFormation model of a service keeps neither its launch type nor its deployment controller.)
    expect(service).toMatchObject({ serviceName: 'backend-service', status: 'ACTIVE', desiredCount: 0, runningCount: 0 });
    // The task definition is never run: it names the team's repository at a tag no build pushes.
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }));
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(`${id('cicd')}.dkr.ecr.${region}.amazonaws.com/backend-service:${PLACEHOLDER_IMAGE_TAG}`);
    // The load balancer's target group with the health check it will have, listened to on port 80.
    const elb = staging.create(ElasticLoadBalancingV2Client, { accountId: id('staging') });
    const targetGroupArn = service?.loadBalancers?.[0]?.targetGroupArn;
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn as string] }));
    expect(TargetGroups?.[0]).toMatchObject({ HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, TargetType: 'ip' });
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: TargetGroups?.[0]?.LoadBalancerArns?.[0] }));
    expect(Listeners?.map((l) => l.Port)).toContain(80);
    // The deploy role the first delivery chains into.
    const iam = staging.create(IAMClient, { accountId: id('staging') });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'groundwork-deploy' }))).resolves.toMatchObject({ Role: { RoleName: 'groundwork-deploy' } });
  });

  it('leaves production with its service of 0 tasks', async () => {
    const ecs = sandbox.emulator.clients(region).create(ECSClient, { accountId: id('prod') });
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['backend-service'] }));
    expect(services?.[0]).toMatchObject({ status: 'ACTIVE', desiredCount: 0, runningCount: 0 });
  });
});
