import {
  BatchGetDeploymentTargetsCommand,
  type CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';

/** Lifecycle hooks of an ECS blue/green deployment, each a Lambda function name or ARN. */
export type EcsHooks = Partial<Record<'BeforeInstall' | 'AfterInstall' | 'AfterAllowTestTraffic' | 'BeforeAllowTraffic' | 'AfterAllowTraffic', string>>;

/** The AppSpec of an ECS blue/green deployment, built in code (no file in the repository to drift). */
export function ecsAppSpec(props: { taskDefinitionArn: string; containerName: string; containerPort: number; hooks?: EcsHooks }): string {
  if (!Number.isInteger(props.containerPort) || props.containerPort < 1 || props.containerPort > 65535) {
    throw new GroundworkError('USAGE', `container port ${props.containerPort} is not a port`, { hint: 'use 1 to 65535' });
  }
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: { TaskDefinition: props.taskDefinitionArn, LoadBalancerInfo: { ContainerName: props.containerName, ContainerPort: props.containerPort } },
        },
      },
    ],
    ...(props.hooks && Object.keys(props.hooks).length > 0 ? { Hooks: Object.entries(props.hooks).map(([event, fn]) => ({ [event]: fn })) } : {}),
  });
}

/** Starts a deployment; when one is already running for the group, refuses with its ID (CodeDeploy runs one at a time). */
export async function startDeployment(
  cd: CodeDeployClient,
  props: { application: string; group: string; appSpec: string; description: string; deploymentConfigName?: string },
): Promise<string> {
  try {
    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({
        applicationName: props.application,
        deploymentGroupName: props.group,
        description: props.description.slice(0, 100),
        // The group's own configuration unless one is given (a first release: nothing to shift traffic from).
        ...(props.deploymentConfigName ? { deploymentConfigName: props.deploymentConfigName } : {}),
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content: props.appSpec } },
      }),
    );
    if (!deploymentId) throw new GroundworkError('AWS_REQUEST_FAILED', 'CodeDeploy returned no deployment ID', { hint: 'run the release again' });
    return deploymentId;
  } catch (error) {
    if (!isError(error, 'DeploymentLimitExceededException')) throw error;
    const { deployments } = await cd.send(
      new ListDeploymentsCommand({
        applicationName: props.application,
        deploymentGroupName: props.group,
        includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Ready'],
      }),
    );
    throw new GroundworkError(
      'APPLY_FAILED',
      `a deployment is already in progress for ${props.application}/${props.group}: ${deployments?.join(', ') || 'unknown'}`,
      {
        hint: 'wait for it to finish (the workflow runs one release at a time), or stop it in the CodeDeploy console, then run the release again',
        cause: error,
      },
    );
  }
}

/** What a wait saw, for the job summary. */
export interface DeploymentOutcome {
  readonly deploymentId: string;
  readonly status: string;
  /** Each lifecycle stage seen, in order, with its status. */
  readonly stages: readonly string[];
  readonly rolledBack: boolean;
  /** Seconds each lifecycle event took, from CodeDeploy's own start and end times (for the lead-time breakdown). */
  readonly timings: Readonly<Record<string, number>>;
}

/** Options of {@link waitForDeployment}. */
export interface WaitOptions {
  /** Runs at the ready stage (new tasks behind the test listener); false stops the deployment with rollback. */
  readonly smoke?: () => Promise<boolean>;
  /**
   * Longest wait until production traffic is on the new tasks (the ready wait, the smoke check and the shift). The bake
   * that follows has its own budget: {@link bakeMinutes} plus {@link bakeGraceMs}. @default 60 minutes
   */
  readonly timeoutMs?: number;
  /**
   * The bake (the group's termination wait): after the shift the old tasks stay this long, then are terminated. Used
   * when the deployment does not say its own (`blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess`).
   * @default the deployment's; else {@link timeoutMs}
   */
  readonly bakeMinutes?: number;
  /** Time allowed past the bake for the old tasks to terminate and the deployment to succeed. @default 10 minutes */
  readonly bakeGraceMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
  /** Longest wait for a rollback to settle after a stop. @default 10 minutes */
  readonly settleMs?: number;
  /**
   * Longest wait for the rollback when the job was cancelled: the runner kills the step seconds after its signal, so the
   * action's post step waits for the rest. @default 5 s
   */
  readonly cancelSettleMs?: number;
  /** Aborted when the job is cancelled: the deployment is stopped with rollback. */
  readonly signal?: AbortSignal;
  readonly progress?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** What each lifecycle event of an ECS blue/green deployment means, for the log. */
export const ECS_STAGES: Readonly<Record<string, string>> = {
  BeforeInstall: 'hook before the new tasks',
  Install: 'new tasks provisioned',
  AfterInstall: 'hook after the new tasks',
  AllowTestTraffic: 'test traffic to the new tasks',
  AfterAllowTestTraffic: 'hook after test traffic',
  BeforeAllowTraffic: 'hook before production traffic',
  AllowTraffic: 'production traffic shift',
  AfterAllowTraffic: 'hook after production traffic',
};

interface TargetState {
  readonly events: { name: string; status: string; seconds?: number; diagnostics?: string }[];
  readonly taskSets: string;
}

async function targetState(cd: CodeDeployClient, deploymentId: string): Promise<TargetState> {
  const { targetIds } = await cd.send(new ListDeploymentTargetsCommand({ deploymentId }));
  if (!targetIds || targetIds.length === 0) return { events: [], taskSets: '' };
  const { deploymentTargets } = await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds }));
  const target = deploymentTargets?.[0]?.ecsTarget;
  return {
    events: (target?.lifecycleEvents ?? []).map((e) => ({
      name: e.lifecycleEventName ?? '?',
      status: e.status ?? '?',
      seconds: e.startTime && e.endTime ? Math.round((e.endTime.getTime() - e.startTime.getTime()) / 1000) : undefined,
      diagnostics: e.diagnostics?.message ? `${e.diagnostics.errorCode ?? 'error'}: ${e.diagnostics.message}` : undefined,
    })),
    taskSets: (target?.taskSetsInfo ?? [])
      .map((t) => `${t.taskSetLabel ?? t.status ?? 'task set'}: ${t.runningCount ?? 0}/${t.desiredCount ?? 0} running, ${t.trafficWeight ?? 0}% traffic`)
      .join('; '),
  };
}

function failureOf(info: DeploymentInfo, failed: readonly string[]): string {
  const reason = [info.errorInformation?.code, info.errorInformation?.message].filter(Boolean).join(': ');
  const rollback = info.rollbackInfo?.rollbackMessage ? ` (${info.rollbackInfo.rollbackMessage})` : '';
  const hooks = failed.length > 0 ? `; failed: ${failed.join('; ')}` : '';
  return `${reason || 'no reason given'}${rollback}${hooks}`;
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

const FINAL = new Set(['Succeeded', 'Failed', 'Stopped']);
/** The lifecycle events at and after the production traffic shift, and the statuses that say one has begun. */
const TRAFFIC_EVENTS = new Set(['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']);
const SHIFTED = new Set(['InProgress', 'Succeeded']);

/**
 * Stops a deployment with rollback and waits until CodeDeploy reports it settled (or `settleMs` passes), returning the
 * final status. A deployment that had already finished is left as it is.
 */
export async function stopWithRollback(
  cd: CodeDeployClient,
  deploymentId: string,
  options: Pick<WaitOptions, 'pollMs' | 'settleMs' | 'sleep' | 'now' | 'progress'> = {},
): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  try {
    await cd.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
  } catch (error) {
    if (!isError(error, 'DeploymentAlreadyCompletedException')) throw error;
  }
  for (;;) {
    const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId }));
    const status = deploymentInfo?.status ?? 'unknown';
    if (FINAL.has(status)) {
      options.progress?.(
        `${deploymentId} is ${status}${deploymentInfo?.rollbackInfo?.rollbackMessage ? `: ${deploymentInfo.rollbackInfo.rollbackMessage}` : ''}`,
      );
      return status;
    }
    if (now() - started > (options.settleMs ?? 10 * 60_000)) {
      options.progress?.(`${deploymentId} is still ${status} after the stop; CodeDeploy finishes the rollback on its own`);
      return status;
    }
    await sleep(options.pollMs ?? 15_000);
  }
}

/**
 * Waits for a blue/green deployment with real information: each lifecycle stage as it changes (with what it means), the
 * task sets' counts and traffic weights, the smoke check at the test listener, and on failure the alarm or hook that
 * caused it. On its timeout, a failed smoke check, or a cancelled job it stops the deployment with rollback and waits for
 * the rollback to settle: a deployment is never left hanging.
 */
export async function waitForDeployment(cd: CodeDeployClient, deploymentId: string, options: WaitOptions = {}): Promise<DeploymentOutcome> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  const now = options.now ?? Date.now;
  const started = now();
  const timeoutMs = options.timeoutMs ?? 60 * 60_000;
  const seen: string[] = [];
  const timings: Record<string, number> = {};
  let taskSets = '';
  let smoked = false;
  /** When production traffic reached the new tasks: from then on the bake's budget counts, not the ready wait's. */
  let bakeStarted: number | undefined;
  let bakeBudgetMs = 0;
  const stopAndSettle = async (why: string): Promise<never> => {
    progress(`stopping ${deploymentId} with rollback: ${why}`);
    const settleMs = options.signal?.aborted ? (options.cancelSettleMs ?? 5_000) : options.settleMs;
    const status = await stopWithRollback(cd, deploymentId, { ...options, settleMs, sleep: options.sleep, progress });
    if (FINAL.has(status)) {
      throw new GroundworkError('APPLY_FAILED', `the release was stopped and rolled back: ${why}`, {
        details: [...seen, `deployment ${deploymentId}: ${status}`],
        hint: 'production still runs the previous version; fix the cause and release a new tag',
      });
    }
    throw new GroundworkError('APPLY_FAILED', `the release was stopped and CodeDeploy is rolling it back: ${why}`, {
      details: [...seen, `deployment ${deploymentId}: still ${status}`],
      hint: 'production keeps the previous version; the post step (or the CodeDeploy console) shows the rollback finish',
    });
  };
  for (;;) {
    if (options.signal?.aborted) return stopAndSettle('the job was cancelled');
    const { deploymentInfo: info } = await cd.send(new GetDeploymentCommand({ deploymentId }));
    if (!info) throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `deployment ${deploymentId} does not exist`, { hint: 'run the release again' });
    const state = await targetState(cd, deploymentId);
    for (const event of state.events) {
      const line = `${event.name} (${ECS_STAGES[event.name] ?? 'stage'}): ${event.status}${event.diagnostics ? `: ${event.diagnostics}` : ''}`;
      if (event.seconds !== undefined) timings[event.name] = event.seconds;
      if (!seen.includes(line)) {
        seen.push(line);
        progress(line);
      }
    }
    if (state.taskSets && state.taskSets !== taskSets) {
      taskSets = state.taskSets;
      progress(`task sets: ${taskSets}`);
    }
    const failed = state.events.filter((e) => e.status === 'Failed').map((e) => `${e.name}${e.diagnostics ? ` (${e.diagnostics})` : ''}`);
    // A smoke check is a gate: a deployment that moves production traffic before it ran is never a success.
    const shifting = info.status === 'Succeeded' || state.events.some((e) => TRAFFIC_EVENTS.has(e.name) && SHIFTED.has(e.status));
    if (options.smoke && !smoked && shifting) {
      if (info.status === 'Succeeded') {
        throw new GroundworkError(
          'APPLY_FAILED',
          `deployment ${deploymentId} shifted production traffic and succeeded without stopping at Ready, so the smoke check never ran`,
          {
            details: seen,
            hint: "production runs the new version unchecked: run the smoke check by hand, and set the deployment group's deployment ready option to STOP_DEPLOYMENT with a wait time",
          },
        );
      }
      return stopAndSettle(
        "production traffic started to move before the deployment stopped at Ready, so the smoke check could not run (the group's deployment ready option is not STOP_DEPLOYMENT)",
      );
    }
    if (info.status === 'Succeeded') {
      progress('the old tasks are terminated: the release is complete');
      return { deploymentId, status: 'Succeeded', stages: seen, rolledBack: false, timings };
    }
    if (info.status === 'Failed' || info.status === 'Stopped') {
      throw new GroundworkError('APPLY_FAILED', `the release failed and CodeDeploy rolled back: ${failureOf(info, failed)}`, {
        details: seen,
        hint: 'production still runs the previous version: read the alarm or hook named above, fix, and release a new tag',
      });
    }
    if (info.status === 'Ready' && !smoked) {
      smoked = true;
      if (options.smoke) {
        progress('new tasks are behind the test listener: running the smoke check');
        if (!(await options.smoke())) return stopAndSettle('the smoke check at the test listener failed');
        if (options.signal?.aborted) return stopAndSettle('the job was cancelled');
        progress('the smoke check passed');
      }
      await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
      progress('shifting production traffic');
    }
    if (bakeStarted === undefined && state.events.some((e) => e.name === 'AfterAllowTraffic' && e.status === 'Succeeded')) {
      bakeStarted = now();
      const wait = info.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? options.bakeMinutes;
      bakeBudgetMs = (wait !== undefined ? wait * 60_000 : timeoutMs) + (options.bakeGraceMs ?? 10 * 60_000);
      progress(
        `production traffic is on the new tasks; bake${wait !== undefined ? ` for ${wait} min` : ''}: the old tasks stay until then, and an alarm still rolls back`,
      );
    }
    if (bakeStarted === undefined && now() - started > timeoutMs) return stopAndSettle(`no result within ${Math.round(timeoutMs / 1000)} s`);
    if (bakeStarted !== undefined && now() - bakeStarted > bakeBudgetMs) {
      return stopAndSettle(`the bake did not end within ${Math.round(bakeBudgetMs / 1000)} s (the bake and the time allowed to terminate the old tasks)`);
    }
    await sleep(options.pollMs ?? 15_000);
  }
}
