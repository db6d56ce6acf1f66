import { type CodeDeployClient, type DeploymentGroupInfo, GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isError } from '../aws/aws-error.js';
import { elapsedMs } from '../clock.js';
import { GroundworkError } from '../errors.js';
import { type DeploymentOutcome, type EcsHooks, ecsAppSpec, startDeployment, type WaitOptions, waitForDeployment } from './codedeploy.js';
import { detectFirstDeployment, FIRST_RELEASE_DEPLOYMENT_CONFIG, type FirstDeployment, scaleFirstRelease, serviceArnFrom } from './first-deployment.js';
import { registerReleaseRevision } from './release-image.js';

/** What a release deploys to, read from the CodeDeploy deployment group and the ECS service it names. */
export interface ReleaseTarget {
  readonly application: string;
  readonly group: string;
  readonly cluster: string;
  readonly service: string;
  /** The task definition the service runs now (the base of the next revision). */
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly containerPort: number;
  /** `http(s)://alb-dns:port` of the test listener, when the group has one. */
  readonly testUrl?: string;
  readonly deploymentConfig?: string;
  /**
   * The group's `blueGreenDeploymentConfiguration.deploymentReadyOption.actionOnTimeout`: STOP_DEPLOYMENT holds the new
   * tasks at `Ready` (behind the test listener) until ContinueDeployment, which is where the smoke check runs;
   * CONTINUE_DEPLOYMENT (CodeDeploy's default when the group sets none) shifts production traffic without waiting.
   */
  readonly readyAction: string;
  /** How long CodeDeploy holds a deployment at `Ready` before stopping it (STOP_DEPLOYMENT only). */
  readonly readyWaitMinutes?: number;
  /** The bake: how long the old tasks stay after the shift (`terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes`). */
  readonly bakeMinutes?: number;
}

/**
 * Reads the deployment group (it must be ECS blue/green with traffic control), the service it deploys (it must use the
 * CODE_DEPLOY deployment controller), the container and port behind the load balancer, and the test listener's URL.
 */
export async function describeReleaseTarget(
  clients: { codedeploy: CodeDeployClient; ecs: ECSClient; elb?: ElasticLoadBalancingV2Client },
  application: string,
  group: string,
  containerName?: string,
): Promise<ReleaseTarget> {
  let info: DeploymentGroupInfo | undefined;
  try {
    ({ deploymentGroupInfo: info } = await clients.codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: group }),
    ));
  } catch (error) {
    if (isError(error, 'ApplicationDoesNotExistException', 'DeploymentGroupDoesNotExistException')) {
      throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the CodeDeploy deployment group ${application}/${group} does not exist in this account and region`, {
        hint: 'deploy the blue/green workload template (cloudformation/workload-bluegreen.json) to production, or set codedeploy-application and codedeploy-deployment-group to what it created',
        cause: error,
      });
    }
    throw error;
  }
  if (info?.computePlatform && info.computePlatform !== 'ECS') {
    throw new GroundworkError('USAGE', `the deployment group ${application}/${group} deploys to ${info.computePlatform}, not ECS`, {
      hint: 'use the ECS deployment group of the blue/green workload template',
    });
  }
  if (info?.deploymentStyle?.deploymentType !== 'BLUE_GREEN' || info.deploymentStyle.deploymentOption !== 'WITH_TRAFFIC_CONTROL') {
    throw new GroundworkError(
      'USAGE',
      `the deployment group ${application}/${group} is ${info?.deploymentStyle?.deploymentType ?? 'unknown'}/${info?.deploymentStyle?.deploymentOption ?? 'unknown'}, not BLUE_GREEN/WITH_TRAFFIC_CONTROL`,
      { hint: 'a blue/green release needs a deployment group with BLUE_GREEN and WITH_TRAFFIC_CONTROL (the blue/green workload template creates one)' },
    );
  }
  const ecsService = info.ecsServices?.[0];
  if (!ecsService?.clusterName || !ecsService.serviceName) {
    throw new GroundworkError('USAGE', `the deployment group ${application}/${group} names no ECS service`, {
      hint: 'set its ECS service (the blue/green workload template does)',
    });
  }
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: ecsService.clusterName, services: [ecsService.serviceName] }));
  const service = services?.find((s) => s.status !== 'INACTIVE');
  if (!service?.taskDefinition) {
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `ECS service "${ecsService.serviceName}" in cluster "${ecsService.clusterName}" does not exist`, {
      hint: 'deploy the blue/green workload template to production first',
    });
  }
  if (service.deploymentController?.type !== 'CODE_DEPLOY') {
    throw new GroundworkError(
      'USAGE',
      `ECS service "${ecsService.serviceName}" uses the ${service.deploymentController?.type ?? 'ECS'} deployment controller, not CODE_DEPLOY`,
      { hint: 'production runs the blue/green workload template (workload-bluegreen.json); a rolling service is deployed with deploy-staging' },
    );
  }
  const balanced = service.loadBalancers?.find((l) => !containerName || l.containerName === containerName) ?? service.loadBalancers?.[0];
  const name = containerName || balanced?.containerName;
  const port = balanced?.containerPort;
  if (!name || !port) {
    throw new GroundworkError(
      'USAGE',
      `ECS service "${ecsService.serviceName}" has no container behind a load balancer${containerName ? ` named "${containerName}"` : ''}`,
      {
        hint: 'blue/green shifts load balancer traffic: the service needs a load balancer with a container name and port',
      },
    );
  }
  const testListener = info.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.testTrafficRoute?.listenerArns?.[0];
  const blueGreen = info.blueGreenDeploymentConfiguration;
  return {
    application,
    group,
    cluster: ecsService.clusterName,
    service: ecsService.serviceName,
    taskDefinitionArn: service.taskDefinition,
    containerName: name,
    containerPort: port,
    testUrl: testListener && clients.elb ? await listenerUrl(clients.elb, testListener) : undefined,
    deploymentConfig: info.deploymentConfigName,
    readyAction: blueGreen?.deploymentReadyOption?.actionOnTimeout ?? 'CONTINUE_DEPLOYMENT',
    readyWaitMinutes: blueGreen?.deploymentReadyOption?.waitTimeInMinutes,
    bakeMinutes: blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes,
  };
}

/**
 * Refuses a release whose smoke check could not hold production traffic: the group does not stop at `Ready`, so
 * CodeDeploy would shift traffic without the check. Returns a warning when the caller accepted releasing without it.
 */
export function requireSmokeGate(target: ReleaseTarget, smoke: boolean, allowUngated: boolean): string | undefined {
  if (!smoke || target.readyAction === 'STOP_DEPLOYMENT') return undefined;
  const what = `the deployment group ${target.application}/${target.group} has deployment ready option ${target.readyAction}: CodeDeploy shifts production traffic as soon as the new tasks run, without stopping at Ready, so the smoke check cannot run before production traffic`;
  if (allowUngated) return `${what}; releasing WITHOUT the smoke check, as allow-release-without-smoke-gate says`;
  throw new GroundworkError('USAGE', `${what}; nothing was deployed`, {
    hint: "set the group's deployment ready option to STOP_DEPLOYMENT with a wait time (blueGreenDeploymentConfiguration.deploymentReadyOption: actionOnTimeout STOP_DEPLOYMENT, waitTimeInMinutes such as 60; the blue/green workload template does, ReadyWaitMinutes), or set allow-release-without-smoke-gate: true to release without a smoke gate",
  });
}

async function listenerUrl(elb: ElasticLoadBalancingV2Client, listenerArn: string): Promise<string | undefined> {
  const { Listeners } = await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const listener = Listeners?.[0];
  if (!listener?.LoadBalancerArn || !listener.Port) return undefined;
  const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn] }));
  const dns = LoadBalancers?.[0]?.DNSName;
  return dns ? `${listener.Protocol === 'HTTPS' ? 'https' : 'http'}://${dns}:${listener.Port}` : undefined;
}

/** What {@link releaseBlueGreen} needs: the cicd account's ECR and SSM clients, the production account's clients. */
export interface ReleaseOptions extends Omit<WaitOptions, 'smoke'> {
  /** ECR in the account that holds the images (cicd). */
  readonly ecr: ECRClient;
  /** SSM in the cicd account, where deploy-staging records the digest staging ran for each commit. */
  readonly ssm: SSMClient;
  /** Clients in the production account. */
  readonly codedeploy: CodeDeployClient;
  readonly ecs: ECSClient;
  readonly elb?: ElasticLoadBalancingV2Client;
  readonly repositoryName: string;
  /** The tagged commit. */
  readonly commit: string;
  /** The version tag, such as v1.2.3. */
  readonly version: string;
  readonly application: string;
  readonly group: string;
  /** @default the container behind the service's load balancer */
  readonly containerName?: string;
  readonly hooks?: EcsHooks;
  /** Tags for the new task definition revision, such as the run URL. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The check at the test listener; gets its URL (or the override), false stops the deployment with rollback. */
  readonly smoke?: (baseUrl: string) => Promise<boolean>;
  /** Overrides the test listener's URL for the smoke check. */
  readonly smokeUrl?: string;
  /** Release even when the group does not stop at `Ready` (the smoke check then does not run, and the result says so). */
  readonly allowUngated?: boolean;
  /** Told the deployment ID as soon as it exists, so a cancelled job can still stop it (the action's post step). */
  readonly onDeploymentStarted?: (deploymentId: string) => void;
}

/** The outcome of a release that reached production. */
export interface ReleaseResult {
  readonly version: string;
  readonly imageUri: string;
  readonly digest: string;
  /** False when the version tag already named this digest (a re-run). */
  readonly tagged: boolean;
  readonly taskDefinitionArn: string;
  readonly target: ReleaseTarget;
  readonly deployment: DeploymentOutcome;
  /** Why the smoke check did not run, when it was set and the group could not hold traffic for it (allowUngated). */
  readonly smokeSkipped?: string;
  /** Set when production had never run the team's image: deployed straight, then scaled from 0 to this count (#28). */
  readonly firstDeployment?: FirstDeployment;
  /** Seconds the image step took (reuse: a lookup and a PutImage). */
  readonly imageSeconds: number;
  readonly seconds: number;
}

/**
 * A release to production: the image staging ran for the commit (its staging record in the cicd account's SSM) gets the version tag on
 * the very same manifest (nothing is built: a commit staging never ran is refused), the service's next task definition pins it by digest, and a CodeDeploy blue/green deployment moves
 * traffic to it, with the smoke check at the test listener and rollback on any failure, timeout or cancellation.
 */
export async function releaseBlueGreen(options: ReleaseOptions): Promise<ReleaseResult> {
  const progress = options.progress ?? (() => {});
  const now = options.now ?? elapsedMs;
  const started = now();
  const target = await describeReleaseTarget(options, options.application, options.group, options.containerName);
  progress(
    `releasing ${options.version} (${options.commit.slice(0, 12)}) to ${target.cluster}/${target.service} through ${target.application}/${target.group}`,
  );
  if (options.smoke && !options.smokeUrl && !target.testUrl) {
    throw new GroundworkError('USAGE', `the deployment group ${target.application}/${target.group} has no test listener, so the smoke check has no URL`, {
      hint: 'deploy the blue/green workload template (it has a test listener), or set smoke-url',
    });
  }
  const smokeSkipped = requireSmokeGate(target, Boolean(options.smoke), options.allowUngated ?? false);
  if (smokeSkipped) progress(smokeSkipped);
  // Refused unless the commit's image is the digest staging recorded for it (STAGING_RECORD_MISSING / _MISMATCH).
  const { promoted, imageUri, live, taskDefinitionArn, promotedAt } = await registerReleaseRevision(
    options,
    { ...options, taskDefinitionArn: target.taskDefinitionArn, containerName: target.containerName },
    progress,
    now,
  );
  const imageSeconds = Math.round((promotedAt - started) / 100) / 10;
  // A service created before any image runs 0 tasks of a placeholder: nothing to shift traffic from (#28).
  const serviceRef = { serviceArn: serviceArnFrom(target.taskDefinitionArn, target.cluster, target.service), serviceName: target.service };
  const first = await detectFirstDeployment(options.ecs, serviceRef, live, target.containerName, imageUri);
  if (first) {
    progress(
      `first release: ${target.service} has never run the team's image, so there is no traffic to shift; deploying straight (${FIRST_RELEASE_DEPLOYMENT_CONFIG}), then scaling to ${first.desiredCount} task(s)`,
    );
  }
  const deploymentId = await startDeployment(options.codedeploy, {
    application: target.application,
    group: target.group,
    appSpec: ecsAppSpec({ taskDefinitionArn, containerName: target.containerName, containerPort: target.containerPort, hooks: options.hooks }),
    description: `release ${options.version} (${options.commit.slice(0, 12)})`,
    ...(first ? { deploymentConfigName: FIRST_RELEASE_DEPLOYMENT_CONFIG } : {}),
  });
  options.onDeploymentStarted?.(deploymentId);
  progress(`deployment ${deploymentId} started (${target.deploymentConfig ?? 'the group’s deployment configuration'})`);
  const smokeUrl = options.smokeUrl || target.testUrl || '';
  // A first release has no tasks at the test listener during the deployment: its smoke check runs once they are up.
  const smoke = smokeSkipped || first ? undefined : options.smoke;
  const deployment = await waitForDeployment(options.codedeploy, deploymentId, {
    ...options,
    smoke: smoke ? () => smoke(smokeUrl) : undefined,
    bakeMinutes: options.bakeMinutes ?? target.bakeMinutes,
  });
  const firstSmoke = first && !smokeSkipped ? options.smoke : undefined;
  if (first) {
    await scaleFirstRelease(options.ecs, {
      cluster: target.cluster,
      service: target.service,
      desiredCount: first.desiredCount,
      smoke: firstSmoke ? () => firstSmoke(smokeUrl) : undefined,
      progress,
      sleep: options.sleep,
      now: options.now,
      pollMs: options.pollMs,
    });
  }
  return {
    version: options.version,
    imageUri,
    digest: promoted.digest,
    tagged: promoted.tagged,
    taskDefinitionArn,
    target,
    deployment,
    ...(smokeSkipped ? { smokeSkipped } : {}),
    ...(first ? { firstDeployment: first } : {}),
    imageSeconds,
    seconds: Math.round((now() - started) / 1000),
  };
}
