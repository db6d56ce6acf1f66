import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { type BlueGreenDeploymentConfiguration, CodeDeployClient, CreateApplicationCommand, CreateDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ClientFactory } from '../../src/aws/client-factory.js';
import { findFreePort } from '../../src/sandbox/emulator.js';
import { node24 } from './node24.js';
import { SHARED_PATHS } from './paths.js';

/** Folder of the example backend service. */
export const EXAMPLE_SERVICE = join(SHARED_PATHS.root, 'examples/backend-service');

/** The environment its own commands run in: Node 24 first on PATH, as its engines field and Dockerfile say. */
export function exampleEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(node24())}:${process.env.PATH}` };
}

/** Starts the example service on a free port and waits for its health check; returns its URL and process. */
export async function startExampleService(): Promise<{ baseUrl: string; process: ChildProcess }> {
  const port = await findFreePort(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(node24(), ['src/server.ts'], { cwd: EXAMPLE_SERVICE, env: { ...exampleEnv(), PORT: String(port) }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${baseUrl}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { baseUrl, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the example service did not answer its health check within 10 s');
}

/** The `backend` task definition both environments start from: one `app` container on 8080, Fargate sized. */
async function registerBackend(ecs: ECSClient, environment?: { name: string; value: string }[]): Promise<void> {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'backend',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'placeholder', essential: true, ...(environment ? { environment } : {}), portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
}

/** A staging cluster with a `backend` service (or the one named) on Fargate in the emulator, for deploy-staging. */
export async function createStagingService(clients: ClientFactory, options: { accountId?: string; serviceName?: string } = {}): Promise<void> {
  const ecs = clients.create(ECSClient, options.accountId ? { accountId: options.accountId } : {});
  await ecs.send(new CreateClusterCommand({ clusterName: 'staging' }));
  await registerBackend(ecs, [{ name: 'LOG_LEVEL', value: 'info' }]);
  await ecs.send(new CreateServiceCommand({ cluster: 'staging', serviceName: options.serviceName ?? 'backend', taskDefinition: 'backend', desiredCount: 1 }));
}

/** What {@link createProduction} made: the names the release action needs. */
export interface ProductionFixture {
  readonly application: string;
  readonly group: string;
  /** A second group over the same service, made without the template: it does not stop at Ready (CONTINUE_DEPLOYMENT). */
  readonly ungatedGroup: string;
  readonly testListenerPort: number;
  readonly loadBalancerDns: string;
}

/**
 * Production as the blue/green workload template makes it, in the emulator: an ALB with a production listener (80) and
 * a test listener (9000), blue and green target groups, a `prod` cluster whose `backend` service uses the CODE_DEPLOY
 * controller, and a CodeDeploy application and ECS blue/green deployment group over them.
 */
export async function createProduction(clients: ClientFactory, accountId?: string): Promise<ProductionFixture> {
  const options = accountId ? { accountId } : {};
  const ec2 = clients.create(EC2Client, options);
  const elb = clients.create(ElasticLoadBalancingV2Client, options);
  const ecs = clients.create(ECSClient, options);
  const cd = clients.create(CodeDeployClient, options);
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }));
  const subnets = await Promise.all(
    ['a', 'b'].map(async (az, i) => {
      const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc?.VpcId, CidrBlock: `10.8.${i}.0/24`, AvailabilityZone: `eu-west-1${az}` }));
      return Subnet?.SubnetId as string;
    }),
  );
  const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'prod', Subnets: subnets, Type: 'application' }));
  const balancer = LoadBalancers?.[0];
  const group = async (name: string) =>
    (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: Vpc?.VpcId, TargetType: 'ip' }))).TargetGroups?.[0]
      ?.TargetGroupArn as string;
  const blue = await group('prod-blue');
  // The green target group waits empty for the first replacement task set; the deployment group names it.
  await group('prod-green');
  const listener = async (port: number) =>
    (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: balancer?.LoadBalancerArn,
          Port: port,
          Protocol: 'HTTP',
          DefaultActions: [{ Type: 'forward', TargetGroupArn: blue }],
        }),
      )
    ).Listeners?.[0]?.ListenerArn as string;
  const production = await listener(80);
  const test = await listener(9000);
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await registerBackend(ecs);
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'backend',
      taskDefinition: 'backend',
      desiredCount: 2,
      deploymentController: { type: 'CODE_DEPLOY' },
      loadBalancers: [{ targetGroupArn: blue, containerName: 'app', containerPort: 8080 }],
    }),
  );
  await cd.send(new CreateApplicationCommand({ applicationName: 'backend-prod', computePlatform: 'ECS' }));
  const deploymentGroup = (deploymentGroupName: string, blueGreenDeploymentConfiguration?: BlueGreenDeploymentConfiguration) =>
    cd.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'backend-prod',
        deploymentGroupName,
        serviceRoleArn: `arn:aws:iam::${accountId ?? '123456789012'}:role/codedeploy`,
        deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        ...(blueGreenDeploymentConfiguration ? { blueGreenDeploymentConfiguration } : {}),
        ecsServices: [{ clusterName: 'prod', serviceName: 'backend' }],
        loadBalancerInfo: {
          targetGroupPairInfoList: [
            {
              targetGroups: [{ name: 'prod-blue' }, { name: 'prod-green' }],
              prodTrafficRoute: { listenerArns: [production] },
              testTrafficRoute: { listenerArns: [test] },
            },
          ],
        },
      }),
    );
  // As the template makes it: held at Ready (ReadyWaitMinutes) for the smoke check, the old tasks kept for the bake (BakeMinutes).
  await deploymentGroup('backend', {
    deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
    terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 10 },
  });
  // A group made without the template: CodeDeploy's default ready option, CONTINUE_DEPLOYMENT (no stop at Ready).
  await deploymentGroup('backend-ungated');
  return {
    application: 'backend-prod',
    group: 'backend',
    ungatedGroup: 'backend-ungated',
    testListenerPort: 9000,
    loadBalancerDns: balancer?.DNSName as string,
  };
}
