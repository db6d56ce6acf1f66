import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTagsForResourceCommand,
  type Service,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { isError } from '../aws/aws-error.js';
import { GroundworkError, isGroundworkError } from '../errors.js';
import { type DeployOptions, type DeployResult, deployService } from './ecs-deploy.js';
import { DESIRED_COUNT_TAG, isPlaceholderImage, isPlaceholderOf, MAX_DESIRED_COUNT } from './placeholder.js';

/** A service that has never run a revision of the team's image, and the count its first deployment scales it to. */
export interface FirstDeployment {
  /** The workload's configured task count (the service's `groundwork:desired-count` tag, from DesiredCount). */
  readonly desiredCount: number;
  /** The placeholder image the service was created with (never pulled). */
  readonly placeholderImage: string;
}

/**
 * Has this service never run a revision of the team's image? True when the container's image in its task definition
 * is still the workload template's placeholder: every delivery replaces it by digest, and ECS's rollback of a failed
 * first deployment returns to it, so a failed first deployment is still a first one on the next run.
 */
export function neverRanTeamImage(live: TaskDefinition, containerName: string): boolean {
  return isPlaceholderImage(live.containerDefinitions?.find((c) => c.name === containerName)?.image);
}

/**
 * The first deployment of `service`, or undefined when it has run the team's image before. It is one only when the
 * container names the placeholder of the repository `teamImage` is in (another repository at the placeholder tag is an
 * image someone built) and, when the service's counts are known, no task of it is running (a placeholder cannot start).
 * The configured count comes from the service's tag, a whole number from 1 to the template's MaxValue
 * ({@link MAX_DESIRED_COUNT}); a missing or other value is refused with the fix.
 */
export async function detectFirstDeployment(
  ecs: ECSClient,
  service: Pick<Service, 'serviceArn' | 'serviceName'> & Partial<Pick<Service, 'runningCount'>>,
  live: TaskDefinition,
  containerName: string,
  teamImage: string,
): Promise<FirstDeployment | undefined> {
  const placeholderImage = live.containerDefinitions?.find((c) => c.name === containerName)?.image;
  if (!isPlaceholderOf(placeholderImage, teamImage) || (service.runningCount ?? 0) > 0) return undefined;
  const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: service.serviceArn }));
  const value = tags?.find((t) => t.key === DESIRED_COUNT_TAG)?.value;
  const desiredCount = value !== undefined && /^[1-9][0-9]{0,2}$/.test(value) ? Number(value) : Number.NaN;
  if (!(desiredCount >= 1 && desiredCount <= MAX_DESIRED_COUNT)) {
    throw new GroundworkError(
      'AWS_RESOURCE_NOT_FOUND',
      `ECS service "${service.serviceName}" has never run the team's image (its task definition names ${placeholderImage}) and its tag ${DESIRED_COUNT_TAG} is ${value === undefined ? 'missing' : `"${value}", not a whole number from 1 to ${MAX_DESIRED_COUNT}`}, so the first deployment does not know how many tasks to run`,
      {
        hint: `update the environment's workload StackSet or stack to the current template (groundwork deploy), which tags the service with its DesiredCount, or tag it yourself: aws ecs tag-resource --resource-arn ${service.serviceArn} --tags key=${DESIRED_COUNT_TAG},value=2`,
      },
    );
  }
  return { desiredCount, placeholderImage };
}

/** The outcome of {@link deployToService}: a rolling deploy, and whether it was the service's first. */
export interface ServiceDeployResult extends DeployResult {
  /** Set when the service had never run the team's image: it was scaled from 0 to this count. */
  readonly firstDeployment?: FirstDeployment;
}

/**
 * A rolling deploy (deployService) that recognises a service created before the first image: it then scales the
 * service from 0 to its configured count in the same UpdateService and waits for health as usual. A failed first
 * deployment is scaled back to 0, since ECS rolls back to the placeholder, which cannot start.
 */
export async function deployToService(options: DeployOptions): Promise<ServiceDeployResult> {
  // A missing cluster, like a missing service, is reported by deployService itself, with its fix.
  const { services } = await options.ecs
    .send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service] }))
    .catch((error: unknown) => {
      if (isError(error, 'ClusterNotFoundException')) return { services: undefined };
      throw error;
    });
  const current = services?.find((s) => s.status !== 'INACTIVE');
  // A missing service is reported by deployService itself, with its fix.
  const { taskDefinition: live } = current?.taskDefinition
    ? await options.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition }))
    : { taskDefinition: undefined };
  const first = current && live ? await detectFirstDeployment(options.ecs, current, live, options.containerName, options.imageUri) : undefined;
  if (!first) return deployService(options);
  options.progress?.(
    `first deployment: ${options.service} has never run the team's image (it was created with 0 tasks); scaling it to ${first.desiredCount} task(s)`,
  );
  try {
    return { ...(await deployService({ ...options, desiredCount: first.desiredCount })), firstDeployment: first };
  } catch (error) {
    await scaleToZero(options.ecs, options.cluster, options.service);
    if (!isGroundworkError(error)) throw error;
    throw new GroundworkError(error.code, error.message, {
      hint: error.hint,
      cause: error,
      details: [...error.details, `this was the first deployment of ${options.service}: it is scaled back to 0 tasks`],
    });
  }
}

/** Back to 0 tasks: what a service that never ran the team's image is left with when its first deployment fails. */
export async function scaleToZero(ecs: ECSClient, cluster: string, service: string): Promise<void> {
  await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
}

/** The service's ARN, from the ARN of one of its task definitions (same partition, region and account). */
export function serviceArnFrom(taskDefinitionArn: string, cluster: string, service: string): string {
  return `${taskDefinitionArn.slice(0, taskDefinitionArn.indexOf(':task-definition/'))}:service/${cluster}/${service}`;
}

/** CodeDeploy's configuration for a first release: with no version running there is no traffic to shift gradually. */
export const FIRST_RELEASE_DEPLOYMENT_CONFIG = 'CodeDeployDefault.ECSAllAtOnce';

/** Options of {@link scaleFirstRelease}. */
export interface ScaleFirstReleaseOptions {
  readonly cluster: string;
  readonly service: string;
  readonly desiredCount: number;
  /** The check after the tasks are healthy; false scales the service back to 0 and fails the release. */
  readonly smoke?: () => Promise<boolean>;
  /** @default 15 minutes */
  readonly timeoutMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
  readonly progress?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The second half of a first CodeDeploy release: CodeDeploy put the team's revision in place with 0 tasks (nothing to
 * shift traffic from), so the service is scaled to its configured count and waited for until its primary task set is
 * in steady state (running the count, every task healthy behind the load balancer), then the smoke check runs. Any
 * failure scales it back to 0, since there is no earlier version to return to.
 */
export async function scaleFirstRelease(ecs: ECSClient, options: ScaleFirstReleaseOptions): Promise<{ seconds: number }> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const fail = async (message: string, details: string[] = []): Promise<never> => {
    await scaleToZero(ecs, options.cluster, options.service);
    throw new GroundworkError('APPLY_FAILED', `the first release of ${options.service} ${message}; it is scaled back to 0 tasks`, {
      details,
      hint: 'there was no earlier version to return to: read the stopped tasks’ reasons and the container logs, fix, and release a new tag',
    });
  };
  await ecs.send(new UpdateServiceCommand({ cluster: options.cluster, service: options.service, desiredCount: options.desiredCount }));
  progress(`first release: scaling ${options.service} from 0 to ${options.desiredCount} task(s)`);
  for (;;) {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service] }));
    const primary = services?.[0]?.taskSets?.find((t) => t.status === 'PRIMARY');
    progress(
      `${primary?.runningCount ?? 0}/${options.desiredCount} running, ${primary?.pendingCount ?? 0} pending, ${primary?.stabilityStatus ?? 'no task set'}`,
    );
    if (primary?.stabilityStatus === 'STEADY_STATE' && primary.runningCount === options.desiredCount) break;
    if (now() - started > timeoutMs) {
      await fail(`did not reach ${options.desiredCount} healthy task(s) within ${Math.round(timeoutMs / 1000)} s`, [
        ...(services?.[0]?.events?.[0]?.message ? [`latest service event: ${services[0].events[0].message}`] : []),
      ]);
    }
    await sleep(options.pollMs ?? 15_000);
  }
  if (options.smoke) {
    progress('the tasks are healthy: running the smoke check');
    if (!(await options.smoke())) await fail('failed its smoke check');
    progress('the smoke check passed');
  }
  return { seconds: Math.round((now() - started) / 1000) };
}
