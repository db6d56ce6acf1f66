import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';

/** The tag on every task definition a delivery action registers: the GitHub Actions run that made it. */
export const RUN_URL_TAG = 'groundwork:run-url';

/**
 * The fields of RegisterTaskDefinitionRequest a revision carries over from the live one as they are (every writable
 * field of the request but family, containerDefinitions and tags, which are rendered, and inferenceAccelerators: Elastic
 * Inference is discontinued and a new registration with it is refused). A test compares this list with the SDK's type.
 */
export const CARRIED_TASK_DEFINITION_FIELDS = [
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

/**
 * The next revision of a live task definition with one container's image replaced (pinned by digest). Everything else
 * (other containers, environment, secrets, roles, sizes, volumes, fault injection) is kept, and so are the live
 * revision's tags (DescribeTaskDefinition with include TAGS), with `tags` set on top; read-only fields are dropped.
 */
export function renderTaskDefinition(
  live: TaskDefinition,
  containerName: string,
  imageUri: string,
  tags: Readonly<Record<string, string>> = {},
  liveTags: readonly Tag[] = [],
): RegisterTaskDefinitionCommandInput {
  if (!/@sha256:[0-9a-f]{64}$/.test(imageUri)) {
    throw new GroundworkError('USAGE', `image "${imageUri}" is not pinned by digest`, {
      hint: 'pass the image-uri output of build-and-push (REPOSITORY@sha256:…)',
    });
  }
  const containers = live.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === containerName)) {
    throw new GroundworkError('USAGE', `the task definition ${live.family}:${live.revision} has no container "${containerName}"`, {
      hint: `set container-name to one of: ${containers.map((c) => c.name).join(', ')}`,
    });
  }
  const containerDefinitions: ContainerDefinition[] = containers.map((c) => (c.name === containerName ? { ...c, image: imageUri } : c));
  const carried = Object.fromEntries(CARRIED_TASK_DEFINITION_FIELDS.flatMap((field) => (live[field] === undefined ? [] : [[field, live[field]]])));
  // The live revision's tags, then ours over them (a key set by both takes ours: the run that made this revision).
  const merged = new Map<string, string>();
  for (const tag of liveTags) if (tag.key !== undefined) merged.set(tag.key, tag.value ?? '');
  for (const [key, value] of Object.entries(tags)) merged.set(key, value);
  return {
    family: live.family,
    containerDefinitions,
    ...carried,
    ...(merged.size > 0 ? { tags: [...merged].map(([key, value]) => ({ key, value })) } : {}),
  };
}

/** Options of {@link deployService}. */
export interface DeployOptions {
  readonly ecs: ECSClient;
  /** Resolves the service's URL from its load balancer. @default no URL */
  readonly elb?: ElasticLoadBalancingV2Client;
  readonly cluster: string;
  readonly service: string;
  readonly containerName: string;
  /** The image by digest. */
  readonly imageUri: string;
  /** Tags for the new revision, such as the run URL. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Sets the service's task count with the new revision (a first deployment scales from 0). @default unchanged */
  readonly desiredCount?: number;
  /** @default 15 minutes */
  readonly timeoutMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
  readonly progress?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** The outcome of a deploy that reached a steady state with only the new revision running. */
export interface DeployResult {
  readonly taskDefinitionArn: string;
  readonly previousTaskDefinitionArn: string;
  /** `http(s)://load-balancer-dns` when the service is behind an ALB. */
  readonly serviceUrl?: string;
  readonly seconds: number;
}

async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let answer: { services?: Service[]; failures?: { reason?: string }[] };
  try {
    answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (!isError(error, 'ClusterNotFoundException')) throw error;
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `ECS cluster "${cluster}" does not exist in this account and region`, {
      hint: 'deploy the workload template of this environment (cloudformation/workload.json), or set cluster to the cluster it created',
      actionHint:
        "set the cluster input (the cluster workflow input of backend-staging) to the cluster the environment's workload template created, and check aws-region; or deploy cloudformation/workload.json in that account and region",
      cause: error,
    });
  }
  const { services, failures } = answer;
  const found = services?.find((s) => s.status !== 'INACTIVE');
  if (!found) {
    throw new GroundworkError(
      'AWS_RESOURCE_NOT_FOUND',
      `ECS service "${service}" in cluster "${cluster}" does not exist (${failures?.[0]?.reason ?? 'not found'})`,
      {
        hint: 'deploy the workload template of this environment (cloudformation/), or set cluster and service to what it created',
        actionHint: "set the cluster and service inputs to the ones the environment's workload template created, or deploy that template (cloudformation/)",
      },
    );
  }
  return found;
}

/**
 * Refuses a service whose deployments ECS does not run itself, before anything is registered or updated: a CODE_DEPLOY
 * service's UpdateService cannot change its task definition (CodeDeploy deploys it), and an EXTERNAL one's task sets
 * belong to another tool.
 */
function requireEcsController(service: Service, cluster: string): void {
  const type = service.deploymentController?.type ?? 'ECS';
  if (type === 'ECS') return;
  const name = service.serviceName ?? 'the service';
  throw new GroundworkError(
    'USAGE',
    `ECS service "${name}" in cluster "${cluster}" has deploymentController ${type}, so a rolling deploy (UpdateService) cannot change its task definition`,
    {
      hint:
        type === 'CODE_DEPLOY'
          ? 'deploy it blue/green through CodeDeploy (bluegreen-release, with codedeploy-application and codedeploy-deployment-group), or point service at a service with deploymentController ECS (the staging service of cloudformation/workload.json)'
          : 'its deployments belong to the tool that created it (task sets); point service at a service with deploymentController ECS (the staging service of cloudformation/workload.json)',
    },
  );
}

const describe = (d: { runningCount?: number; desiredCount?: number; pendingCount?: number; taskDefinition?: string; rolloutState?: string }) =>
  `${d.taskDefinition?.split('/').pop()}: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${d.pendingCount ?? 0} pending${d.rolloutState ? `, ${d.rolloutState}` : ''}`;

/**
 * Registers the next task definition with the image pinned by digest, points the service at it, and waits until the new
 * deployment is the only one and completed. Fails with ECS's reason when the deployment circuit breaker rolled back,
 * when the deployment disappeared (another deploy replaced it), or on the timeout with what was still running.
 */
export async function deployService(options: DeployOptions): Promise<DeployResult> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  const current = await describeService(options.ecs, options.cluster, options.service);
  requireEcsController(current, options.cluster);
  const previous = current.taskDefinition as string;
  const { taskDefinition: live, tags: liveTags } = await options.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: previous, include: ['TAGS'] }));
  if (!live) throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `task definition ${previous} could not be read`, { hint: 'run the job again' });
  const registered = await options.ecs.send(
    new RegisterTaskDefinitionCommand(renderTaskDefinition(live, options.containerName, options.imageUri, options.tags, liveTags)),
  );
  const next = registered.taskDefinition?.taskDefinitionArn as string;
  progress(`registered ${next.split('/').pop()} with ${options.imageUri}`);
  const updated = await options.ecs.send(
    new UpdateServiceCommand({
      cluster: options.cluster,
      service: options.service,
      taskDefinition: next,
      ...(options.desiredCount !== undefined ? { desiredCount: options.desiredCount } : {}),
    }),
  );
  const deployment = updated.service?.deployments?.find((d) => d.taskDefinition === next);
  if (!deployment?.id) {
    throw new GroundworkError('APPLY_FAILED', `ECS accepted ${next.split('/').pop()} for ${options.service} but started no deployment of it`, {
      hint: 'ECS starts one on every UpdateService with a new task definition; the local emulator (moto) never does, so the sandbox cannot show a rollout',
    });
  }
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  for (;;) {
    const service = await describeService(options.ecs, options.cluster, options.service);
    const ours = service.deployments?.find((d) => d.id === deployment.id);
    if (!ours) {
      const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
      throw new GroundworkError(
        'APPLY_FAILED',
        `the deployment of ${next.split('/').pop()} vanished; the service now runs ${primary?.taskDefinition?.split('/').pop() ?? 'something else'}`,
        {
          hint: 'another deploy replaced it (concurrent runs, or a change by hand): check the service events, then run the job again',
        },
      );
    }
    if (ours.rolloutState === 'FAILED') {
      const event = service.events?.[0]?.message;
      throw new GroundworkError(
        'APPLY_FAILED',
        `the deployment of ${next.split('/').pop()} failed and ECS rolled back to ${previous.split('/').pop()}: ${ours.rolloutStateReason ?? 'no reason given'}`,
        {
          details: [`${ours.failedTasks ?? 0} task(s) failed to start`, ...(event ? [`latest service event: ${event}`] : [])],
          hint: 'read the stopped tasks’ reasons and the container logs (health check, crash on start, missing secret), fix, and push again',
        },
      );
    }
    const others = (service.deployments ?? []).filter((d) => d.id !== ours.id);
    progress([describe(ours), ...others.map((d) => `draining ${describe(d)}`)].join('; '));
    if (ours.rolloutState === 'COMPLETED' && others.length === 0 && (ours.runningCount ?? 0) === (ours.desiredCount ?? 0)) {
      return {
        taskDefinitionArn: next,
        previousTaskDefinitionArn: previous,
        serviceUrl: options.elb ? await serviceUrl(options.elb, service) : undefined,
        seconds: Math.round((now() - started) / 1000),
      };
    }
    if (now() - started > timeoutMs) {
      throw new GroundworkError('APPLY_FAILED', `the deployment of ${next.split('/').pop()} did not finish within ${Math.round(timeoutMs / 1000)} s`, {
        details: (service.deployments ?? []).map((d) => `${d.status}: ${describe(d)}`),
        hint: 'ECS is still rolling out; watch the service in the console, or raise wait-timeout-seconds',
      });
    }
    await sleep(options.pollMs ?? 15_000);
  }
}

/** The URL of the ALB in front of the service, when there is one. */
async function serviceUrl(elb: ElasticLoadBalancingV2Client, service: Service): Promise<string | undefined> {
  const targetGroupArn = service.loadBalancers?.[0]?.targetGroupArn;
  if (!targetGroupArn) return undefined;
  const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
  const balancer = TargetGroups?.[0]?.LoadBalancerArns?.[0];
  if (!balancer) return undefined;
  const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [balancer] }));
  const dns = LoadBalancers?.[0]?.DNSName;
  return dns ? `http://${dns}` : undefined;
}
