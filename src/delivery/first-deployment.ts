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
import { DESIRED_COUNT_TAG, isPlaceholderImage } from './placeholder.js';

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
 * The first deployment of `service`, or undefined when it has run the team's image before. The configured count comes
 * from the service's tag; a service created with 0 tasks by a template without that tag is refused with the fix.
 */
export async function detectFirstDeployment(
  ecs: ECSClient,
  service: Pick<Service, 'serviceArn' | 'serviceName'>,
  live: TaskDefinition,
  containerName: string,
): Promise<FirstDeployment | undefined> {
  if (!neverRanTeamImage(live, containerName)) return undefined;
  const placeholderImage = live.containerDefinitions?.find((c) => c.name === containerName)?.image as string;
  const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: service.serviceArn }));
  const value = tags?.find((t) => t.key === DESIRED_COUNT_TAG)?.value;
  const desiredCount = Number(value);
  if (value === undefined || !Number.isInteger(desiredCount) || desiredCount < 1) {
    throw new GroundworkError(
      'AWS_RESOURCE_NOT_FOUND',
      `ECS service "${service.serviceName}" has never run the team's image (its task definition names ${placeholderImage}) and its tag ${DESIRED_COUNT_TAG} is ${value === undefined ? 'missing' : `"${value}", not a count of 1 or more`}, so the first deployment does not know how many tasks to run`,
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
  const first = current && live ? await detectFirstDeployment(options.ecs, current, live, options.containerName) : undefined;
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
