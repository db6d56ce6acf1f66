import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { GroundworkError } from '../errors.js';
import { deployToService, neverRanTeamImage } from './first-deployment.js';
import { DESIRED_COUNT_TAG, isPlaceholderOf, PLACEHOLDER_IMAGE_TAG } from './placeholder.js';

// Recorded ECS answers in the API's shapes (the emulator starts no rollout): a service as the workload template
// creates it before the first image, with 0 tasks and the placeholder, then a rollout that completes with 2 tasks.
const IMAGE = `222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend-service@sha256:${'a'.repeat(64)}`;
const PLACEHOLDER = `222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend-service:${PLACEHOLDER_IMAGE_TAG}`;
const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:333333333333:service/staging/backend-service';
const OLD = 'arn:aws:ecs:eu-west-1:333333333333:task-definition/backend-service:1';
const NEW = 'arn:aws:ecs:eu-west-1:333333333333:task-definition/backend-service:2';
const taskDefinition = (image: string): TaskDefinition => ({
  taskDefinitionArn: OLD,
  family: 'backend-service',
  revision: 1,
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  containerDefinitions: [{ name: 'app', image, essential: true, portMappings: [{ containerPort: 8080 }] }],
});
const service = (over: Partial<Service>): Service => ({
  serviceArn: SERVICE_ARN,
  serviceName: 'backend-service',
  status: 'ACTIVE',
  taskDefinition: OLD,
  desiredCount: 0,
  runningCount: 0,
  deploymentController: { type: 'ECS' },
  ...over,
});
const rollout = (over: Partial<Deployment>): Deployment => ({ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: NEW, desiredCount: 2, ...over });

/** ECS for one deploy: the service and its task definition as given, the count tag, and a rollout ending in `last`. */
function ecsWith(
  image: string,
  last: Deployment,
  tags = [{ key: DESIRED_COUNT_TAG, value: '2' }],
  before = service({ deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: OLD, desiredCount: 0, runningCount: 0 }] }),
) {
  const ecs = mockClient(ECSClient);
  ecs
    .on(DescribeServicesCommand)
    .resolvesOnce({ services: [before] })
    .resolvesOnce({ services: [before] })
    .resolves({
      services: [
        service({ taskDefinition: NEW, desiredCount: 2, deployments: [last], events: [{ message: '(service backend-service) has started 2 tasks' }] }),
      ],
    });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: taskDefinition(image) });
  ecs.on(ListTagsForResourceCommand).resolves({ tags });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW } });
  ecs
    .on(UpdateServiceCommand)
    .resolves({ service: service({ taskDefinition: NEW, deployments: [rollout({ rolloutState: 'IN_PROGRESS', runningCount: 0 })] }) });
  return ecs;
}

const options = { ecs: new ECSClient({}), cluster: 'staging', service: 'backend-service', containerName: 'app', imageUri: IMAGE, sleep: async () => {} };

describe('the first deployment of a service created before any image', () => {
  it('tells the template placeholder from an image the team built', () => {
    expect(neverRanTeamImage(taskDefinition(PLACEHOLDER), 'app')).toBe(true);
    expect(neverRanTeamImage(taskDefinition(IMAGE), 'app')).toBe(false);
    // The container the delivery replaces is the one that counts.
    expect(neverRanTeamImage(taskDefinition(PLACEHOLDER), 'sidecar')).toBe(false);
  });

  it('registers the image, scales the service from 0 to its configured count in the same update, waits for the rollout, and says it was the first', async () => {
    const ecs = ecsWith(PLACEHOLDER, rollout({ rolloutState: 'COMPLETED', runningCount: 2 }));
    const progress: string[] = [];
    const result = await deployToService({ ...options, progress: (m) => progress.push(m) });
    expect(result.firstDeployment).toEqual({ desiredCount: 2, placeholderImage: PLACEHOLDER });
    expect(result.taskDefinitionArn).toBe(NEW);
    expect(ecs.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({ resourceArn: SERVICE_ARN });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input.containerDefinitions?.[0]?.image).toBe(IMAGE);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'staging', service: 'backend-service', taskDefinition: NEW, desiredCount: 2 },
    ]);
    expect(progress[0]).toMatch(/^first deployment: backend-service has never run the team's image .*scaling it to 2 task\(s\)$/);
  });

  it('leaves the count alone for a service that has run the team’s image, and reads no tag', async () => {
    const ecs = ecsWith(
      `222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend-service@sha256:${'b'.repeat(64)}`,
      rollout({ rolloutState: 'COMPLETED', runningCount: 2 }),
    );
    const result = await deployToService(options);
    expect(result.firstDeployment).toBeUndefined();
    expect(ecs.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: 'staging', service: 'backend-service', taskDefinition: NEW });
  });

  it('scales a failed first deployment back to 0 (ECS rolls back to the placeholder, which cannot start) and says so', async () => {
    const ecs = ecsWith(
      PLACEHOLDER,
      rollout({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 3 }),
    );
    const error = (await deployToService(options).catch((e: unknown) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toMatch(/failed and ECS rolled back .*circuit breaker/);
    expect(error.details).toContain('this was the first deployment of backend-service: it is scaled back to 0 tasks');
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'staging', service: 'backend-service', taskDefinition: NEW, desiredCount: 2 },
      { cluster: 'staging', service: 'backend-service', desiredCount: 0 },
    ]);
  });

  it('refuses, before registering anything, a zero-task service whose count tag is missing, naming the tag and the fix', async () => {
    const ecs = ecsWith(PLACEHOLDER, rollout({ rolloutState: 'COMPLETED', runningCount: 2 }), []);
    const error = (await deployToService(options).catch((e: unknown) => e)) as GroundworkError;
    expect(error.code).toBe('AWS_RESOURCE_NOT_FOUND');
    expect(error.message).toContain(`its tag ${DESIRED_COUNT_TAG} is missing`);
    expect(error.hint).toContain('groundwork deploy');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it.each(['10000', '101', '-2', '0', 'two', '0x10', '2.5', ' 2', '1e2'])(
    'refuses a count tag of "%s" (only 1 to the template’s MaxValue of 100), before registering or scaling anything',
    async (value) => {
      const ecs = ecsWith(PLACEHOLDER, rollout({ rolloutState: 'COMPLETED', runningCount: 2 }), [{ key: DESIRED_COUNT_TAG, value }]);
      const error = (await deployToService(options).catch((e: unknown) => e)) as GroundworkError;
      expect(error.code).toBe('AWS_RESOURCE_NOT_FOUND');
      expect(error.message).toContain(`its tag ${DESIRED_COUNT_TAG} is "${value}", not a whole number from 1 to 100`);
      expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    },
  );

  it('scales to a count tag of 100, the template’s MaxValue', async () => {
    const ecs = ecsWith(PLACEHOLDER, rollout({ rolloutState: 'COMPLETED', runningCount: 100, desiredCount: 100 }), [{ key: DESIRED_COUNT_TAG, value: '100' }]);
    const result = await deployToService(options);
    expect(result.firstDeployment?.desiredCount).toBe(100);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.desiredCount).toBe(100);
  });

  it('does not take another repository at the placeholder tag for the placeholder: no count change, and a failure does not scale to 0', async () => {
    const spoofed = `444444444444.dkr.ecr.eu-west-1.amazonaws.com/evil:${PLACEHOLDER_IMAGE_TAG}`;
    expect(isPlaceholderOf(spoofed, IMAGE)).toBe(false);
    expect(isPlaceholderOf(PLACEHOLDER, IMAGE)).toBe(true);
    const ecs = ecsWith(
      spoofed,
      rollout({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 3 }),
      [{ key: DESIRED_COUNT_TAG, value: '100' }],
    );
    const error = (await deployToService(options).catch((e: unknown) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(ecs.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'staging', service: 'backend-service', taskDefinition: NEW },
    ]);
  });

  it('does not take a service with running tasks for a first deployment, even at the placeholder tag of the team’s repository', async () => {
    const running = service({
      desiredCount: 3,
      runningCount: 3,
      deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: OLD, desiredCount: 3, runningCount: 3 }],
    });
    const ecs = ecsWith(
      PLACEHOLDER,
      rollout({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: 3 }),
      undefined,
      running,
    );
    const error = (await deployToService(options).catch((e: unknown) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(ecs.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    // Production keeps its 3 tasks: no scale to 0.
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'staging', service: 'backend-service', taskDefinition: NEW },
    ]);
  });
});
