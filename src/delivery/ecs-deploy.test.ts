import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { GroundworkError } from '../errors.js';
import { CARRIED_TASK_DEFINITION_FIELDS, deployService, renderTaskDefinition } from './ecs-deploy.js';

const SDK_MODELS = join(import.meta.dirname, '../../node_modules/@aws-sdk/client-ecs/dist-types/models');

const IMAGE = `222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${'a'.repeat(64)}`;
const OLD = 'arn:aws:ecs:eu-west-1:333333333333:task-definition/backend:7';
const NEW = 'arn:aws:ecs:eu-west-1:333333333333:task-definition/backend:8';
const LIVE: TaskDefinition = {
  taskDefinitionArn: OLD,
  family: 'backend',
  revision: 7,
  status: 'ACTIVE',
  compatibilities: ['FARGATE'],
  requiresAttributes: [{ name: 'ecs.capability.execution-role-awslogs' }],
  registeredAt: new Date(),
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::333333333333:role/backend-execution',
  taskRoleArn: 'arn:aws:iam::333333333333:role/backend-task',
  containerDefinitions: [
    { name: 'app', image: 'old@sha256:1', environment: [{ name: 'LOG_LEVEL', value: 'info' }], secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:x' }] },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
  ],
};

const deployment = (over: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/new',
  status: 'PRIMARY',
  taskDefinition: NEW,
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 0,
  ...over,
});
const old = deployment({ id: 'ecs-svc/old', status: 'ACTIVE', taskDefinition: OLD, runningCount: 2 });

/** A mocked ECS that answers DescribeServices with these deployment lists, one per poll (the first is read before the update). */
function ecsWith(polls: Deployment[][]) {
  const ecs = mockClient(ECSClient);
  const describe = ecs.on(DescribeServicesCommand);
  describe.resolvesOnce({ services: [{ serviceName: 'backend', status: 'ACTIVE', taskDefinition: OLD, deployments: [old] }] });
  for (const deployments of polls)
    describe.resolvesOnce({
      services: [
        {
          serviceName: 'backend',
          status: 'ACTIVE',
          taskDefinition: NEW,
          deployments,
          events: [{ message: '(service backend) has started 2 tasks' }],
          loadBalancers: [{ targetGroupArn: 'tg-arn' }],
        },
      ],
    });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: LIVE });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW } });
  ecs.on(UpdateServiceCommand).resolves({ service: { deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old] } });
  return ecs;
}

const options = (extra: Partial<Parameters<typeof deployService>[0]> = {}) => ({
  ecs: new ECSClient({}),
  cluster: 'staging',
  service: 'backend',
  containerName: 'app',
  imageUri: IMAGE,
  sleep: async () => {},
  ...extra,
});

describe('renderTaskDefinition', () => {
  it('replaces only the container image, pinned by digest, and keeps env, secrets, other containers and roles', () => {
    const input = renderTaskDefinition(LIVE, 'app', IMAGE, { 'groundwork:run-url': 'https://github.com/acme/backend/actions/runs/1' });
    expect(input.containerDefinitions?.[0]).toEqual({ ...LIVE.containerDefinitions?.[0], image: IMAGE });
    expect(input.containerDefinitions?.[1]).toEqual(LIVE.containerDefinitions?.[1]);
    expect(input).toMatchObject({ family: 'backend', cpu: '256', memory: '512', taskRoleArn: LIVE.taskRoleArn, executionRoleArn: LIVE.executionRoleArn });
    expect(input.tags).toEqual([{ key: 'groundwork:run-url', value: 'https://github.com/acme/backend/actions/runs/1' }]);
    for (const readOnly of ['taskDefinitionArn', 'revision', 'status', 'compatibilities', 'requiresAttributes', 'registeredAt'])
      expect(input).not.toHaveProperty(readOnly);
  });

  it('keeps fault injection and the live revision’s tags (ours over them), which a new revision would otherwise lose', () => {
    const input = renderTaskDefinition(
      { ...LIVE, enableFaultInjection: true },
      'app',
      IMAGE,
      { 'groundwork:run-url': 'https://github.com/acme/backend/actions/runs/2', 'groundwork:revision': 'abc' },
      [
        { key: 'team', value: 'payments' },
        { key: 'groundwork:run-url', value: 'https://github.com/acme/backend/actions/runs/1' },
      ],
    );
    expect(input.enableFaultInjection).toBe(true);
    expect(input.tags).toEqual([
      { key: 'team', value: 'payments' },
      { key: 'groundwork:run-url', value: 'https://github.com/acme/backend/actions/runs/2' },
      { key: 'groundwork:revision', value: 'abc' },
    ]);
  });

  it('carries every writable field of RegisterTaskDefinitionRequest, as the SDK declares it, but the rendered ones', () => {
    // Read from the SDK's own types, so a field AWS adds later (as enableFaultInjection was) fails here until it is carried.
    const types = readdirSync(SDK_MODELS)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(join(SDK_MODELS, f), 'utf8'))
      .join('\n');
    const body = /export interface RegisterTaskDefinitionRequest \{([\s\S]*?)\n\}/.exec(types)?.[1] ?? '';
    const fields = [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]);
    expect(fields.length).toBeGreaterThan(10);
    const rendered = ['family', 'containerDefinitions', 'tags', 'inferenceAccelerators'];
    expect(fields.filter((f) => !rendered.includes(f as string)).sort()).toEqual([...CARRIED_TASK_DEFINITION_FIELDS].sort());
  });

  it('refuses an image that is not pinned by digest, and a container the task does not have', () => {
    expect(() => renderTaskDefinition(LIVE, 'app', 'backend:latest')).toThrow(/image "backend:latest" is not pinned by digest/);
    expect(() => renderTaskDefinition(LIVE, 'web', IMAGE)).toThrow(/has no container "web".*\n?/);
  });
});

describe('deployService, on recorded ECS answers (moto never rolls out)', () => {
  it('waits until the new deployment is the only one and completed, showing progress, and returns the service URL', async () => {
    mockClient(ElasticLoadBalancingV2Client)
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [{ LoadBalancerArns: ['lb-arn'] }] })
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ DNSName: 'backend-123.eu-west-1.elb.amazonaws.com' }] });
    ecsWith([
      [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }), old],
      [deployment({ rolloutState: 'COMPLETED', runningCount: 2 })],
    ]);
    const lines: string[] = [];
    const result = await deployService(options({ elb: new ElasticLoadBalancingV2Client({}), progress: (m) => lines.push(m) }));
    expect(result).toMatchObject({ taskDefinitionArn: NEW, previousTaskDefinitionArn: OLD, serviceUrl: 'http://backend-123.eu-west-1.elb.amazonaws.com' });
    expect(lines).toEqual([
      `registered backend:8 with ${IMAGE}`,
      'backend:8: 1/2 running, 1 pending, IN_PROGRESS; draining backend:7: 2/2 running, 0 pending',
      'backend:8: 2/2 running, 0 pending, COMPLETED',
    ]);
  });

  it('fails with ECS’s reason when the circuit breaker rolled back', async () => {
    ecsWith([[deployment({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 4 }), old]]);
    const error = (await deployService(options()).catch((e) => e)) as GroundworkError;
    expect(error.message).toBe('the deployment of backend:8 failed and ECS rolled back to backend:7: ECS deployment circuit breaker: tasks failed to start.');
    expect(error.details).toEqual(['4 task(s) failed to start', 'latest service event: (service backend) has started 2 tasks']);
  });

  it('refuses a CODE_DEPLOY or EXTERNAL service before registering or updating anything, naming the setting', async () => {
    for (const type of ['CODE_DEPLOY', 'EXTERNAL'] as const) {
      const ecs = mockClient(ECSClient);
      ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [{ serviceName: 'backend', status: 'ACTIVE', taskDefinition: OLD, deploymentController: { type } }] });
      const error = (await deployService(options()).catch((e) => e)) as GroundworkError;
      expect(error.code).toBe('USAGE');
      expect(error.message).toBe(
        `ECS service "backend" in cluster "staging" has deploymentController ${type}, so a rolling deploy (UpdateService) cannot change its task definition`,
      );
      expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    }
  });

  it('on a missing cluster, names the cluster, with the action’s fix (the cluster input), not a CLI one', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $metadata: {} }));
    const error = (await deployService(options()).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('AWS_RESOURCE_NOT_FOUND');
    expect(error.message).toBe('ECS cluster "staging" does not exist in this account and region');
    expect(error.actionHint).toMatch(/^set the cluster input/);
    expect(error.actionHint).not.toMatch(/--|groundwork plan/);
  });

  it('fails when the deployment vanished, naming what runs instead', async () => {
    ecsWith([[deployment({ id: 'ecs-svc/someone-else', taskDefinition: 'arn:aws:ecs:eu-west-1:333333333333:task-definition/backend:9' })]]);
    await expect(deployService(options())).rejects.toThrow('the deployment of backend:8 vanished; the service now runs backend:9');
  });

  it('on its timeout, says what was still running', async () => {
    ecsWith(Array.from({ length: 5 }, () => [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }), old]));
    let clock = 0;
    const error = (await deployService(options({ timeoutMs: 30_000, now: () => (clock += 20_000) })).catch((e) => e)) as GroundworkError;
    expect(error.message).toBe('the deployment of backend:8 did not finish within 30 s');
    expect(error.details).toEqual(['PRIMARY: backend:8: 1/2 running, 1 pending, IN_PROGRESS', 'ACTIVE: backend:7: 2/2 running, 0 pending']);
  });
});
