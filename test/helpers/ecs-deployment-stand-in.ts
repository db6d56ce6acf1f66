import { readFileSync } from 'node:fs';
import {
  ClientException,
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceDeployment,
  ServiceDeploymentNotFoundException,
  StopServiceDeploymentCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';

/** A recorded ECS blue/green service deployment (test/fixtures/ecs-service-deployments/*.json). */
interface Recording {
  readonly service: Service;
  readonly start: ServiceDeployment[];
  readonly CONTINUE: ServiceDeployment[];
  readonly ROLLBACK: ServiceDeployment[];
  readonly STOP: ServiceDeployment[];
}

const DATE_FIELDS = new Set(['createdAt', 'startedAt', 'finishedAt', 'stoppedAt', 'updatedAt', 'expiresAt']);

/** Reads a recording; ISO times become Dates, as the SDK deserializes them. */
export function loadRecording(name: string): Recording {
  const text = readFileSync(new URL(`../fixtures/ecs-service-deployments/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text, (key, value) => (DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value)) as Recording;
}

const FINAL = new Set(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const meta = { $metadata: { httpStatusCode: 400 } };

/**
 * An ECS client that replays a recorded service deployment, since moto has no service deployments: UpdateService starts
 * it (answering `currentServiceDeployment`, as ECS does); each DescribeServiceDeployments answers the next recorded
 * state, and holds at a pause hook that is AWAITING_ACTION until ContinueServiceDeployment answers it; CONTINUE and
 * ROLLBACK then replay their branch, StopServiceDeployment (ROLLBACK) its own (one already stopping or rolling back
 * carries on, as the ECS guide says). It refuses what ECS refuses: continuing when no pause hook waits (the ECS guide:
 * the hook must be AWAITING_ACTION and the deployment IN_PROGRESS) or with another hook's ID, stopping a finished deployment, and any call naming a deployment that does not exist. ECS documents
 * no exception name for the first two; InvalidParameterException and ClientException are the closest it lists.
 */
export function ecsDeploymentStandIn(
  recording: Recording,
  // firstDeployment: the service as the workload template creates it before any image (its placeholder, its count tag).
  options: { inProgress?: boolean; firstDeployment?: { placeholder: string; desiredCount: string } } = {},
) {
  const ecs = mockClient(ECSClient);
  const arn = recording.start[0]?.serviceDeploymentArn ?? '';
  let started = false;
  let branch: ServiceDeployment[] = recording.start;
  let index = 0;
  const calls: { command: string; input: unknown }[] = [];
  const current = () => branch[Math.min(index, branch.length - 1)] as ServiceDeployment;
  const waitingHook = () =>
    current().status === 'IN_PROGRESS' ? current().lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION') : undefined;
  const requireDeployment = (requested: string | undefined) => {
    if (!started || requested !== arn) {
      throw new ServiceDeploymentNotFoundException({ ...meta, message: `The service deployment ${requested} does not exist.` });
    }
  };
  const liveTaskDefinition: TaskDefinition = {
    taskDefinitionArn: recording.service.taskDefinition,
    family: 'backend-service',
    revision: 7,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: options.firstDeployment?.placeholder ?? 'placeholder', essential: true, portMappings: [{ containerPort: 8080 }] },
    ],
  };
  ecs.on(ListTagsForResourceCommand).callsFake((input) => {
    calls.push({ command: 'ListTagsForResource', input });
    return { tags: options.firstDeployment ? [{ key: 'groundwork:desired-count', value: options.firstDeployment.desiredCount }] : [] };
  });
  ecs.on(DescribeServicesCommand).callsFake((input) => {
    calls.push({ command: 'DescribeServices', input });
    return { services: [recording.service], failures: [] };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
    calls.push({ command: 'DescribeTaskDefinition', input });
    return { taskDefinition: liveTaskDefinition, tags: [] };
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input) => {
    calls.push({ command: 'RegisterTaskDefinition', input });
    return { taskDefinition: { ...input, taskDefinitionArn: `${recording.service.taskDefinition?.replace(/:\d+$/, '')}:8`, revision: 8 } };
  });
  ecs.on(ListServiceDeploymentsCommand).callsFake((input) => {
    calls.push({ command: 'ListServiceDeployments', input });
    const running = options.inProgress || (started && !FINAL.has(current().status ?? ''));
    const d = options.inProgress ? { ...recording.start[1], serviceDeploymentArn: `${arn.replace(/[^/]+$/, '')}Earlier0000000000000` } : current();
    return {
      serviceDeployments: running
        ? [
            {
              serviceDeploymentArn: d.serviceDeploymentArn,
              serviceArn: d.serviceArn,
              clusterArn: d.clusterArn,
              createdAt: d.createdAt,
              startedAt: d.startedAt,
              targetServiceRevisionArn: d.targetServiceRevision?.arn,
              status: d.status,
            },
          ]
        : [],
    };
  });
  ecs.on(UpdateServiceCommand).callsFake((input) => {
    calls.push({ command: 'UpdateService', input });
    started = true;
    return { service: { ...recording.service, taskDefinition: input.taskDefinition, currentServiceDeployment: arn } };
  });
  ecs.on(DescribeServiceDeploymentsCommand).callsFake((input) => {
    calls.push({ command: 'DescribeServiceDeployments', input });
    const requested = input.serviceDeploymentArns?.[0];
    if (!started || requested !== arn) return { serviceDeployments: [], failures: [{ arn: requested, reason: 'MISSING' }] };
    const answer = current();
    // Stay at a waiting pause hook (ECS waits for ContinueServiceDeployment) and at the end; otherwise move on.
    if (!waitingHook() && index < branch.length - 1) index += 1;
    return { serviceDeployments: [answer], failures: [] };
  });
  ecs.on(ContinueServiceDeploymentCommand).callsFake((input) => {
    calls.push({ command: 'ContinueServiceDeployment', input });
    requireDeployment(input.serviceDeploymentArn);
    const hook = waitingHook();
    if (!hook) {
      throw new InvalidParameterException({
        ...meta,
        message: `The service deployment is ${current().status} at ${current().lifecycleStage}: no lifecycle hook is awaiting action.`,
      });
    }
    if (hook.hookId !== input.hookId) throw new InvalidParameterException({ ...meta, message: `The hook ${input.hookId} is not awaiting action.` });
    branch = input.action === 'ROLLBACK' ? recording.ROLLBACK : recording.CONTINUE;
    index = 0;
    return { serviceDeploymentArn: arn };
  });
  ecs.on(StopServiceDeploymentCommand).callsFake((input) => {
    calls.push({ command: 'StopServiceDeployment', input });
    requireDeployment(input.serviceDeploymentArn);
    if (FINAL.has(current().status ?? '')) {
      throw new ClientException({ ...meta, message: `The service deployment is ${current().status} and cannot be stopped.` });
    }
    // The ECS guide: a deployment already stopping or rolling back accepts the call and carries on as it was.
    if (['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(current().status ?? '')) return { serviceDeploymentArn: arn };
    branch = recording.STOP;
    index = 0;
    return { serviceDeploymentArn: arn };
  });
  // mockClient on the class answers for every ECSClient; restore() puts the real send back.
  return { ecs: new ECSClient({ region: 'eu-west-1' }), calls, arn, restore: () => ecs.restore() };
}
