import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  ContinueServiceDeploymentCommand,
  type DeploymentLifecycleHookDetail,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type ServiceDeploymentStatus,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isError } from '../aws/aws-error.js';
import { elapsedMs } from '../clock.js';
import { GroundworkError } from '../errors.js';
import { detectFirstDeployment, type FirstDeployment, scaleToZero, serviceArnFrom } from './first-deployment.js';
import { registerReleaseRevision } from './release-image.js';

/**
 * Releases through ECS's own blue/green (the service under the ECS deployment controller with the BLUE_GREEN, CANARY or
 * LINEAR strategy): UpdateService starts a service deployment, DescribeServiceDeployments follows it stage by stage, and
 * the PAUSE hook at POST_TEST_TRAFFIC_SHIFT holds it while the runner's smoke check runs at the test listener;
 * ContinueServiceDeployment then lets production traffic move (CONTINUE) or rolls back (ROLLBACK).
 */

/** The stage at which the release's smoke check runs: the test listener serves the new revision, production does not. */
export const SMOKE_STAGE = 'POST_TEST_TRAFFIC_SHIFT';

/** What each lifecycle stage of an ECS blue/green deployment means, for the log (from the ECS developer guide). */
export const ECS_LIFECYCLE_STAGES: Readonly<Record<string, string>> = {
  RECONCILE_SERVICE: 'reconciling the active revisions',
  PRE_SCALE_UP: 'before the new tasks start',
  SCALE_UP: 'new tasks starting',
  POST_SCALE_UP: 'new tasks running, no traffic yet',
  TEST_TRAFFIC_SHIFT: 'test traffic moving to the new tasks',
  POST_TEST_TRAFFIC_SHIFT: 'the test listener serves the new tasks',
  PRODUCTION_TRAFFIC_SHIFT: 'production traffic moving to the new tasks',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic is on the new tasks',
  BAKE_TIME: 'bake: the old tasks stay, alarms still roll back',
  CLEAN_UP: 'the old tasks stop',
};

/** Statuses after which ECS does nothing more with a service deployment. */
const FINAL: ReadonlySet<string> = new Set<ServiceDeploymentStatus>(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
/** Statuses of a deployment still running (a new one would be refused while one is). */
const RUNNING: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];
/** Stages after production traffic has moved: from here on the time is the bake's. */
const AFTER_PRODUCTION = new Set(['POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);

/** What a release through ECS deploys to, read from the service. */
export interface EcsReleaseTarget {
  readonly cluster: string;
  readonly service: string;
  /** The task definition the service runs now (the base of the next revision). */
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly containerPort: number;
  /** BLUE_GREEN, CANARY or LINEAR. */
  readonly strategy: string;
  readonly bakeMinutes: number;
  /** Minutes of the canary or linear steps' bakes, which come before the bake (0 for BLUE_GREEN). */
  readonly shiftMinutes: number;
  /** The PAUSE hook at POST_TEST_TRAFFIC_SHIFT, when the service has one. */
  readonly pauseHook?: { readonly timeoutMinutes?: number; readonly timeoutAction?: string };
  /** `http(s)://alb-dns:port` of the test listener, when the service has a test listener rule. */
  readonly testUrl?: string;
}

/** The listener a test listener rule belongs to: an ALB rule ARN names its listener; an NLB's test "rule" is the listener. */
export function listenerOfRule(ruleArn: string): string {
  const match = /^(arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:)listener-rule\/(.+)\/[^/]+$/.exec(ruleArn);
  return match ? `${match[1]}listener/${match[2]}` : ruleArn;
}

async function listenerUrl(elb: ElasticLoadBalancingV2Client, listenerArn: string): Promise<string | undefined> {
  const { Listeners } = await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const listener = Listeners?.[0];
  if (!listener?.LoadBalancerArn || !listener.Port) return undefined;
  const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn] }));
  const dns = LoadBalancers?.[0]?.DNSName;
  return dns ? `${listener.Protocol === 'HTTPS' || listener.Protocol === 'TLS' ? 'https' : 'http'}://${dns}:${listener.Port}` : undefined;
}

/**
 * Reads the service a release goes to: it must exist, run under the ECS deployment controller with a blue/green,
 * canary or linear strategy, and have a container behind a load balancer with the alternate target group; the PAUSE hook
 * at POST_TEST_TRAFFIC_SHIFT and the test listener's URL are read when the service has them.
 */
export async function describeEcsReleaseTarget(
  clients: { ecs: ECSClient; elb?: ElasticLoadBalancingV2Client },
  cluster: string,
  serviceName: string,
  containerName?: string,
): Promise<EcsReleaseTarget> {
  let services: DescribeServicesCommandOutput;
  try {
    services = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }));
  } catch (error) {
    if (isError(error, 'ClusterNotFoundException')) {
      throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the ECS cluster "${cluster}" does not exist in this account and region`, {
        hint: 'set the input cluster to the ClusterName output of the blue/green workload stack (workload-bluegreen.json)',
        cause: error,
      });
    }
    throw error;
  }
  const service = services.services?.find((s) => s.status !== 'INACTIVE');
  if (!service?.taskDefinition) {
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `ECS service "${serviceName}" in cluster "${cluster}" does not exist`, {
      hint: 'set the input service to the EcsServiceName output of the blue/green workload stack, or deploy that stack to production first',
    });
  }
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw new GroundworkError('USAGE', `ECS service "${serviceName}" uses the ${controller} deployment controller, not ECS's own blue/green`, {
      hint:
        controller === 'CODE_DEPLOY'
          ? 'set the input strategy to codedeploy (with codedeploy-application and codedeploy-deployment-group), or move the service to ECS’s controller (docs/runbooks/release-strategies.md)'
          : 'release a service of the blue/green workload template (workload-bluegreen.json, ReleaseStrategy ecs)',
    });
  }
  const strategy = service.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (!['BLUE_GREEN', 'CANARY', 'LINEAR'].includes(strategy)) {
    throw new GroundworkError('USAGE', `ECS service "${serviceName}" deploys with the ${strategy} strategy, not BLUE_GREEN, CANARY or LINEAR`, {
      hint: 'a rolling service is deployed with deploy-staging; production runs the blue/green workload template (workload-bluegreen.json, ReleaseStrategy ecs)',
    });
  }
  const balanced = service.loadBalancers?.find((l) => !containerName || l.containerName === containerName) ?? service.loadBalancers?.[0];
  const name = containerName || balanced?.containerName;
  const port = balanced?.containerPort;
  if (!name || !port || !balanced?.advancedConfiguration?.alternateTargetGroupArn) {
    throw new GroundworkError(
      'USAGE',
      `ECS service "${serviceName}" has no container behind a load balancer with an alternate target group${containerName ? ` named "${containerName}"` : ''}`,
      { hint: 'blue/green moves load balancer traffic: deploy the blue/green workload template, which sets the alternate target group and listener rules' },
    );
  }
  const hook = service.deploymentConfiguration?.lifecycleHooks?.find(
    (h) => h.targetType === 'PAUSE' && (h.lifecycleStages ?? []).includes(SMOKE_STAGE as never),
  );
  const testRule = balanced.advancedConfiguration.testListenerRule;
  const configuration = service.deploymentConfiguration;
  return {
    cluster,
    service: serviceName,
    taskDefinitionArn: service.taskDefinition,
    containerName: name,
    containerPort: port,
    strategy,
    // ECS's default bake for blue/green, canary and linear is 15 minutes.
    bakeMinutes: configuration?.bakeTimeInMinutes ?? 15,
    shiftMinutes:
      strategy === 'CANARY'
        ? (configuration?.canaryConfiguration?.canaryBakeTimeInMinutes ?? 0)
        : strategy === 'LINEAR'
          ? Math.ceil(100 / (configuration?.linearConfiguration?.stepPercent ?? 100)) * (configuration?.linearConfiguration?.stepBakeTimeInMinutes ?? 0)
          : 0,
    pauseHook: hook ? { timeoutMinutes: hook.timeoutConfiguration?.timeoutInMinutes, timeoutAction: hook.timeoutConfiguration?.action } : undefined,
    testUrl: testRule && clients.elb ? await listenerUrl(clients.elb, listenerOfRule(testRule)) : undefined,
  };
}

/** What a wait saw, for the job summary. */
export interface ServiceDeploymentOutcome {
  readonly serviceDeploymentArn: string;
  readonly status: string;
  /** Each lifecycle stage seen, in order, with its status and the revisions' traffic. */
  readonly stages: readonly string[];
  /** Whether the smoke check ran (and passed) before production traffic moved. */
  readonly smokeRan: boolean;
}

/** Options of {@link waitForServiceDeployment}. */
export interface EcsWaitOptions {
  /** Runs while the pause hook at POST_TEST_TRAFFIC_SHIFT waits; false rolls the deployment back. */
  readonly smoke?: () => Promise<boolean>;
  /** Longest wait until production traffic is on the new tasks. @default 60 minutes */
  readonly timeoutMs?: number;
  /** The bake's own budget, counted from the end of the production traffic shift. @default 25 minutes (a 15-minute bake and 10) */
  readonly bakeBudgetMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
  /** Longest wait for a rollback to settle. @default 10 minutes */
  readonly settleMs?: number;
  /** Longest wait for the rollback of a cancelled job (the runner kills the step seconds after its signal). @default 5 s */
  readonly cancelSettleMs?: number;
  /** Aborted when the job is cancelled: the deployment is rolled back. */
  readonly signal?: AbortSignal;
  readonly progress?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds from an arbitrary start (a monotonic clock). @default elapsedMs */
  readonly now?: () => number;
}

/** A sleep that ends early when the signal is aborted, so a cancelled job acts at once. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function describeDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const { serviceDeployments, failures } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const found = serviceDeployments?.find((d) => d.serviceDeploymentArn === arn) ?? serviceDeployments?.[0];
  if (!found) {
    const failure = failures?.[0];
    throw new GroundworkError(
      'AWS_RESOURCE_NOT_FOUND',
      `service deployment ${arn} could not be read${failure ? `: ${failure.reason ?? ''} ${failure.detail ?? ''}`.trimEnd() : ''}`,
      {
        hint: 'run the release again; the ECS console (the service’s Deployments tab) shows its deployments',
      },
    );
  }
  return found;
}

/** The pause hook waiting for an answer at the smoke stage, if one is. */
function waitingHook(deployment: ServiceDeployment): DeploymentLifecycleHookDetail | undefined {
  if (deployment.status !== 'IN_PROGRESS' || deployment.lifecycleStage !== SMOKE_STAGE) return undefined;
  return deployment.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId);
}

/** Why ECS rolled a deployment back, in its own words: the rollback's reason, the status reason, the circuit breaker, the alarms. */
export function rollbackReason(deployment: ServiceDeployment): string {
  const parts: string[] = [];
  if (deployment.rollback?.reason) parts.push(deployment.rollback.reason);
  if (deployment.statusReason && deployment.statusReason !== deployment.rollback?.reason) parts.push(deployment.statusReason);
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.status === 'TRIGGERED')
    parts.push(`circuit breaker triggered: ${breaker.failureCount ?? '?'} failed tasks of ${breaker.threshold ?? '?'} allowed`);
  const alarms = deployment.alarms;
  if (alarms?.status === 'TRIGGERED') parts.push(`alarm in ALARM: ${(alarms.triggeredAlarmNames ?? []).join(', ') || 'unnamed'}`);
  const failedHooks = (deployment.lifecycleHookDetails ?? []).filter((h) => h.status === 'FAILED' || h.status === 'TIMED_OUT');
  for (const hook of failedHooks) parts.push(`${hook.targetType ?? 'hook'} ${hook.targetArn ?? hook.hookId ?? ''} ${hook.status}`.replace(/\s+/g, ' '));
  return parts.join('; ') || 'ECS gave no reason';
}

/** One log line for a poll: the stage, what it means, the status and the revisions' traffic. */
function stageLine(deployment: ServiceDeployment): string {
  const stage = deployment.lifecycleStage ?? 'no stage yet';
  const target = deployment.targetServiceRevision;
  const tasks = target ? `; new revision ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} tasks running` : '';
  const traffic =
    target && (target.requestedTestTrafficWeight !== undefined || target.requestedProductionTrafficWeight !== undefined)
      ? `, test traffic ${target.requestedTestTrafficWeight ?? 0}%, production traffic ${target.requestedProductionTrafficWeight ?? 0}%`
      : '';
  const hook = deployment.lifecycleHookDetails?.find((h) => h.status === 'AWAITING_ACTION' || h.status === 'IN_PROGRESS');
  const hookText = hook ? `; ${hook.targetType ?? 'hook'} hook ${hook.status}` : '';
  return `${stage} (${ECS_LIFECYCLE_STAGES[stage] ?? 'stage'}): ${deployment.status ?? '?'}${tasks}${traffic}${hookText}`;
}

/**
 * Rolls a service deployment back and waits until ECS reports it settled (or `settleMs` passes), returning the final
 * status: through the waiting pause hook (ContinueServiceDeployment with ROLLBACK) when one waits, else
 * StopServiceDeployment with ROLLBACK. A deployment that had already finished is left as it is.
 */
export async function rollbackServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  options: Pick<EcsWaitOptions, 'pollMs' | 'settleMs' | 'sleep' | 'now' | 'progress'> = {},
): Promise<{ status: string; reason: string }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? elapsedMs;
  const started = now();
  let deployment = await describeDeployment(ecs, serviceDeploymentArn);
  if (FINAL.has(deployment.status ?? '')) return { status: deployment.status ?? '', reason: rollbackReason(deployment) };
  if (!['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(deployment.status ?? '')) {
    const hook = waitingHook(deployment);
    if (hook?.hookId) {
      await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId: hook.hookId, action: 'ROLLBACK' }));
      options.progress?.(`answered the pause hook with ROLLBACK`);
    } else {
      await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' }));
      options.progress?.(`stopped ${serviceDeploymentArn.split('/').pop()} with ROLLBACK`);
    }
  }
  for (;;) {
    deployment = await describeDeployment(ecs, serviceDeploymentArn);
    const status = deployment.status ?? 'unknown';
    if (FINAL.has(status)) {
      options.progress?.(`${serviceDeploymentArn.split('/').pop()} is ${status}`);
      return { status, reason: rollbackReason(deployment) };
    }
    if (now() - started > (options.settleMs ?? 10 * 60_000)) {
      options.progress?.(`${serviceDeploymentArn.split('/').pop()} is still ${status}; ECS finishes the rollback on its own`);
      return { status, reason: rollbackReason(deployment) };
    }
    await sleep(options.pollMs ?? 15_000);
  }
}

/**
 * The post step's cleanup of a release whose step ended before its deployment settled: the deployment is rolled back
 * ({@link rollbackServiceDeployment}), and when it was the service's first deployment and did not succeed, the service
 * is scaled back to 0 tasks, since the placeholder ECS returns to cannot start (#28).
 */
export async function rollBackAbandonedRelease(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  options: Pick<EcsWaitOptions, 'pollMs' | 'settleMs' | 'sleep' | 'now' | 'progress'> & {
    readonly firstDeploymentOf?: { readonly cluster: string; readonly service: string };
  },
): Promise<{ status: string; reason: string; scaledToZero: boolean }> {
  const settled = await rollbackServiceDeployment(ecs, serviceDeploymentArn, options);
  const first = options.firstDeploymentOf;
  if (!first || settled.status === 'SUCCESSFUL') return { ...settled, scaledToZero: false };
  await scaleToZero(ecs, first.cluster, first.service);
  options.progress?.(`${first.service} never ran the team's image before this release: scaled back to 0 tasks`);
  return { ...settled, scaledToZero: true };
}

/**
 * Follows a service deployment stage by stage (each change printed, with what it means and the new revision's tasks and
 * traffic), runs the smoke check when the pause hook at POST_TEST_TRAFFIC_SHIFT waits and answers it with CONTINUE, or
 * with ROLLBACK when the check fails; rolls back on its own timeout and on a cancelled job; reports a rollback ECS made
 * (circuit breaker, alarm, a hook's timeout) with ECS's reason. A deployment is never left waiting.
 */
export async function waitForServiceDeployment(ecs: ECSClient, serviceDeploymentArn: string, options: EcsWaitOptions = {}): Promise<ServiceDeploymentOutcome> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  const now = options.now ?? elapsedMs;
  const id = serviceDeploymentArn.split('/').pop() ?? serviceDeploymentArn;
  let deadline = now() + (options.timeoutMs ?? 60 * 60_000);
  let budget = `${Math.round((options.timeoutMs ?? 3_600_000) / 1000)} s until production traffic`;
  let baking = false;
  let smokeRan = false;
  let answered = false;
  const seen: string[] = [];
  let last = '';
  const rollBack = async (why: string): Promise<never> => {
    progress(`rolling ${id} back: ${why}`);
    const settleMs = options.signal?.aborted ? (options.cancelSettleMs ?? 5_000) : options.settleMs;
    const settled = await rollbackServiceDeployment(ecs, serviceDeploymentArn, { ...options, settleMs, sleep: options.sleep, progress });
    if (FINAL.has(settled.status)) {
      throw new GroundworkError('APPLY_FAILED', `the release was stopped and rolled back: ${why}`, {
        details: [...seen, `service deployment ${id}: ${settled.status}`],
        hint: 'production still runs the previous version; fix the cause and release a new tag',
      });
    }
    throw new GroundworkError('APPLY_FAILED', `the release was stopped and ECS is rolling it back: ${why}`, {
      details: [...seen, `service deployment ${id}: still ${settled.status}`],
      hint: 'production keeps the previous version; the post step (or the service’s Deployments tab in the ECS console) shows the rollback finish',
    });
  };
  for (;;) {
    if (options.signal?.aborted) return rollBack('the job was cancelled');
    const deployment = await describeDeployment(ecs, serviceDeploymentArn);
    const line = stageLine(deployment);
    if (line !== last) {
      last = line;
      seen.push(line);
      progress(line);
    }
    const status = deployment.status ?? 'unknown';
    if (status === 'SUCCESSFUL') {
      progress('the old revision is gone: the release is complete');
      return { serviceDeploymentArn, status, stages: seen, smokeRan };
    }
    if (status === 'STOPPED') {
      // Stopped without a rollback (StopServiceDeployment with ABORT, by someone else): not reported as one.
      throw new GroundworkError('APPLY_FAILED', `the release was stopped before it finished, without a rollback: ${rollbackReason(deployment)}`, {
        details: [...seen, `service deployment ${id}: STOPPED`],
        hint: 'production may run either revision: read the service’s Deployments tab in the ECS console, then release again or roll back there',
      });
    }
    if (status === 'ROLLBACK_SUCCESSFUL' || status === 'ROLLBACK_FAILED') {
      throw new GroundworkError(
        'APPLY_FAILED',
        status === 'ROLLBACK_FAILED'
          ? `the release failed and ECS could not roll it back: ${rollbackReason(deployment)}`
          : `the release failed and ECS rolled back: ${rollbackReason(deployment)}`,
        {
          details: seen,
          hint:
            status === 'ROLLBACK_FAILED'
              ? 'production may run either revision: read the service’s Deployments tab in the ECS console, fix, and release a new tag'
              : 'production still runs the previous version: read the alarm, circuit breaker or hook named above, fix, and release a new tag',
        },
      );
    }
    if (status === 'ROLLBACK_REQUESTED' || status === 'ROLLBACK_IN_PROGRESS') {
      // ECS decided (an alarm, the circuit breaker, a hook's timeout): wait for it to settle, then report its reason.
      const settled = await rollbackServiceDeployment(ecs, serviceDeploymentArn, { ...options, sleep: options.sleep, progress });
      throw new GroundworkError(
        'APPLY_FAILED',
        `the release failed and ECS ${FINAL.has(settled.status) ? 'rolled back' : 'is rolling back'}: ${settled.reason}`,
        {
          details: [...seen, `service deployment ${id}: ${settled.status}`],
          hint: 'production still runs the previous version: read the alarm, circuit breaker or hook named above, fix, and release a new tag',
        },
      );
    }
    const hook = waitingHook(deployment);
    if (hook?.hookId && !answered) {
      if (options.smoke) {
        progress('the test listener serves the new tasks and the pause hook waits: running the smoke check');
        // A check that throws (the command could not start, or was killed) is a failed one: the hook is answered now.
        const check = await options.smoke().then(
          (passed) => ({ passed, error: undefined }),
          (error: unknown) => ({ passed: false, error: error instanceof Error ? error.message : String(error) }),
        );
        if (check.error !== undefined) return rollBack(`the smoke check at the test listener could not run: ${check.error}`);
        if (!check.passed) return rollBack('the smoke check at the test listener failed');
        if (options.signal?.aborted) return rollBack('the job was cancelled');
        smokeRan = true;
        progress('the smoke check passed');
        // The hook may have timed out, or been answered by someone else, while the check ran: answer only a hook that waits.
        if (waitingHook(await describeDeployment(ecs, serviceDeploymentArn))?.hookId !== hook.hookId) {
          answered = true;
          progress('the pause hook no longer waits (its timeout passed, or it was answered elsewhere): not answering it');
          continue;
        }
      }
      await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId: hook.hookId, action: 'CONTINUE' }));
      answered = true;
      progress('answered the pause hook with CONTINUE: production traffic moves');
    }
    if (!baking && AFTER_PRODUCTION.has(deployment.lifecycleStage ?? '')) {
      baking = true;
      // The wait until production traffic is over; the bake has its own budget, so a long bake is not cut short.
      const bakeBudget = options.bakeBudgetMs ?? 25 * 60_000;
      deadline = now() + bakeBudget;
      budget = `${Math.round(bakeBudget / 1000)} s of bake`;
      progress('production traffic is on the new tasks; bake: the old tasks stay, and an alarm still rolls back');
    }
    if (now() > deadline) return rollBack(`no result within ${budget}`);
    await sleep(options.pollMs ?? 15_000);
  }
}

/** What {@link releaseEcsBlueGreen} needs: the cicd account's ECR and SSM clients, the production account's clients. */
export interface EcsReleaseOptions extends Omit<EcsWaitOptions, 'smoke' | 'bakeBudgetMs'> {
  /** ECR in the account that holds the images (cicd). */
  readonly ecr: ECRClient;
  /** SSM in the cicd account, where deploy-staging records the digest staging ran for each commit. */
  readonly ssm: SSMClient;
  /** Clients in the production account. */
  readonly ecs: ECSClient;
  readonly elb?: ElasticLoadBalancingV2Client;
  readonly repositoryName: string;
  readonly commit: string;
  readonly version: string;
  readonly cluster: string;
  readonly service: string;
  /** @default the container behind the service's load balancer */
  readonly containerName?: string;
  /** Tags for the new task definition revision, such as the run URL. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The check at the test listener; gets its URL (or the override), false rolls the deployment back. */
  readonly smoke?: (baseUrl: string) => Promise<boolean>;
  readonly smokeUrl?: string;
  /** Release a service with no pause hook even though a smoke command is set (the check then cannot run). */
  readonly allowWithoutSmokeGate?: boolean;
  /** Told the service deployment's ARN as soon as it exists, so a cancelled job can still roll it back (the post step). */
  readonly onDeploymentStarted?: (serviceDeploymentArn: string, firstDeployment?: FirstDeployment) => void;
}

/** The outcome of a release that reached production through ECS's own blue/green. */
export interface EcsReleaseResult {
  readonly version: string;
  readonly imageUri: string;
  readonly digest: string;
  readonly tagged: boolean;
  readonly taskDefinitionArn: string;
  readonly target: EcsReleaseTarget;
  readonly deployment: ServiceDeploymentOutcome;
  /** Set when production had never run the team's image: the deployment scaled it from 0 to this count (#28). */
  readonly firstDeployment?: FirstDeployment;
  readonly imageSeconds: number;
  readonly seconds: number;
}

/**
 * A release to production through ECS's own blue/green: the image staging ran for the commit gets the version tag on the
 * very same manifest, the service's next task definition pins it by digest, UpdateService starts the service deployment,
 * and {@link waitForServiceDeployment} follows it, with the smoke check at the pause hook and rollback on any failure,
 * timeout or cancellation. The timeout counts until production traffic; the bake (and canary or linear steps) get theirs.
 */
export async function releaseEcsBlueGreen(options: EcsReleaseOptions): Promise<EcsReleaseResult> {
  const progress = options.progress ?? (() => {});
  const now = options.now ?? elapsedMs;
  const started = now();
  const target = await describeEcsReleaseTarget(options, options.cluster, options.service, options.containerName);
  progress(`releasing ${options.version} (${options.commit.slice(0, 12)}) to ${target.cluster}/${target.service} with ECS's ${target.strategy} strategy`);
  if (options.smoke && !target.pauseHook) {
    if (!options.allowWithoutSmokeGate) {
      throw new GroundworkError(
        'USAGE',
        `ECS service "${target.service}" has no PAUSE lifecycle hook at ${SMOKE_STAGE}, so nothing would hold production traffic for the smoke check`,
        {
          hint: 'deploy the blue/green workload template (ReleaseStrategy ecs; it has the hook), add the hook to the service’s deploymentConfiguration.lifecycleHooks, or set allow-release-without-smoke-gate: true to release without the check',
        },
      );
    }
    progress(`warning: no PAUSE hook at ${SMOKE_STAGE}: the smoke check will not run (allow-release-without-smoke-gate)`);
  }
  if (options.smoke && target.pauseHook && (target.pauseHook.timeoutAction ?? 'ROLLBACK') !== 'ROLLBACK') {
    // A hook that CONTINUEs on its timeout (ECS's default is ROLLBACK) lets production traffic move when the check
    // outlasts it, passed or not.
    throw new GroundworkError(
      'USAGE',
      `ECS service "${target.service}"'s PAUSE hook at ${SMOKE_STAGE} ends its timeout with ${target.pauseHook.timeoutAction}, not ROLLBACK, so production traffic could move without a passing smoke check`,
      { hint: 'set the hook’s timeoutConfiguration action to ROLLBACK (the blue/green workload template does), then run the release again' },
    );
  }
  if (options.smoke && target.pauseHook && !options.smokeUrl && !target.testUrl) {
    throw new GroundworkError('USAGE', `ECS service "${target.service}" has no test listener rule, so the smoke check has no URL`, {
      hint: 'deploy the blue/green workload template (it has a test listener), or set smoke-url',
    });
  }
  const { serviceDeployments: running } = await options.ecs.send(
    new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, status: RUNNING }),
  );
  if (running && running.length > 0) {
    throw new GroundworkError(
      'APPLY_FAILED',
      `a deployment is already in progress for ${target.cluster}/${target.service}: ${running.map((d) => `${d.serviceDeploymentArn?.split('/').pop()} (${d.status})`).join(', ')}`,
      { hint: 'wait for it to finish (the workflow runs one release at a time), or roll it back in the ECS console, then run the release again' },
    );
  }
  // Refused unless the commit's image is the digest staging recorded for it (STAGING_RECORD_MISSING / _MISMATCH).
  const { promoted, imageUri, live, taskDefinitionArn, promotedAt } = await registerReleaseRevision(
    options,
    { ...options, taskDefinitionArn: target.taskDefinitionArn, containerName: target.containerName },
    progress,
    now,
  );
  const imageSeconds = Math.round((promotedAt - started) / 100) / 10;
  // A service created before any image runs 0 tasks of a placeholder: there is no traffic to shift, so the update
  // also scales it to its configured count (ECS starts the new tasks, the smoke check runs at the pause hook) (#28).
  const serviceRef = { serviceArn: serviceArnFrom(target.taskDefinitionArn, target.cluster, target.service), serviceName: target.service };
  const first = await detectFirstDeployment(options.ecs, serviceRef, live, target.containerName, imageUri);
  if (first) {
    progress(
      `first release: ${target.service} has never run the team's image, so there is no traffic to shift from; scaling it from 0 to ${first.desiredCount} task(s)`,
    );
  }
  const { service } = await options.ecs.send(
    new UpdateServiceCommand({
      cluster: target.cluster,
      service: target.service,
      taskDefinition: taskDefinitionArn,
      ...(first ? { desiredCount: first.desiredCount } : {}),
    }),
  );
  let serviceDeploymentArn = service?.currentServiceDeployment;
  if (!serviceDeploymentArn) {
    const { serviceDeployments } = await options.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, status: ['PENDING', 'IN_PROGRESS'] }),
    );
    serviceDeploymentArn = [...(serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0]
      ?.serviceDeploymentArn;
  }
  if (!serviceDeploymentArn) {
    throw new GroundworkError('AWS_REQUEST_FAILED', `ECS started no service deployment for ${target.cluster}/${target.service}`, {
      hint: 'run the release again; the service’s Deployments tab in the ECS console shows what happened',
    });
  }
  options.onDeploymentStarted?.(serviceDeploymentArn, first);
  progress(`service deployment ${serviceDeploymentArn.split('/').pop()} started`);
  const smokeUrl = options.smokeUrl || target.testUrl || '';
  const smoke = options.smoke && target.pauseHook ? options.smoke : undefined;
  const deployment = await waitForServiceDeployment(options.ecs, serviceDeploymentArn, {
    ...options,
    smoke: smoke ? () => smoke(smokeUrl) : undefined,
    // The wait until production traffic covers the canary or linear steps; the bake gets its own budget, plus 10 minutes.
    timeoutMs: (options.timeoutMs ?? 60 * 60_000) + target.shiftMinutes * 60_000,
    bakeBudgetMs: (target.bakeMinutes + 10) * 60_000,
  }).catch(async (error: unknown) => {
    // There is no earlier version to return to: the placeholder ECS rolls back to cannot start.
    if (first) await scaleToZero(options.ecs, target.cluster, target.service);
    throw error;
  });
  return {
    version: options.version,
    imageUri,
    digest: promoted.digest,
    tagged: promoted.tagged,
    taskDefinitionArn,
    target,
    deployment,
    ...(first ? { firstDeployment: first } : {}),
    imageSeconds,
    seconds: Math.round((now() - started) / 1000),
  };
}
