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
  props: { application: string; group: string; appSpec: string; description: string },
): Promise<string> {
  try {
    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({
        applicationName: props.application,
        deploymentGroupName: props.group,
        description: props.description.slice(0, 100),
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
}

/** Options of {@link waitForDeployment}. */
export interface WaitOptions {
  /** Runs at the ready stage (new tasks behind the test listener); false stops the deployment with rollback. */
  readonly smoke?: () => Promise<boolean>;
  /** @default 60 minutes */
  readonly timeoutMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
  /** Aborted when the job is cancelled: the deployment is stopped with rollback. */
  readonly signal?: AbortSignal;
  readonly progress?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

async function stages(cd: CodeDeployClient, deploymentId: string): Promise<string[]> {
  const { targetIds } = await cd.send(new ListDeploymentTargetsCommand({ deploymentId }));
  if (!targetIds || targetIds.length === 0) return [];
  const { deploymentTargets } = await cd.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds }));
  return (deploymentTargets?.[0]?.ecsTarget?.lifecycleEvents ?? []).map((e) => `${e.lifecycleEventName}: ${e.status}`);
}

function failureOf(info: DeploymentInfo): string {
  const reason = [info.errorInformation?.code, info.errorInformation?.message].filter(Boolean).join(': ');
  const rollback = info.rollbackInfo?.rollbackMessage ? ` (${info.rollbackInfo.rollbackMessage})` : '';
  return `${reason || 'no reason given'}${rollback}`;
}

/**
 * Waits for a blue/green deployment with real information: each lifecycle stage as it changes, the smoke check at the
 * test listener, and on failure the alarm or hook that caused it. On its timeout, a failed smoke check, or a cancelled
 * job it stops the deployment with rollback and waits for the rollback to settle: a deployment is never left hanging.
 */
export async function waitForDeployment(cd: CodeDeployClient, deploymentId: string, options: WaitOptions = {}): Promise<DeploymentOutcome> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  const seen: string[] = [];
  let smoked = false;
  const stopAndSettle = async (why: string): Promise<never> => {
    progress(`stopping ${deploymentId} with rollback: ${why}`);
    try {
      await cd.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    } catch (error) {
      if (!isError(error, 'DeploymentAlreadyCompletedException')) throw error;
    }
    for (let i = 0; i < 240; i++) {
      const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId }));
      if (deploymentInfo?.status === 'Stopped' || deploymentInfo?.status === 'Failed' || deploymentInfo?.status === 'Succeeded') break;
      await sleep(options.pollMs ?? 15_000);
    }
    throw new GroundworkError('APPLY_FAILED', `the release was stopped and rolled back: ${why}`, {
      details: seen,
      hint: 'production still runs the previous version; fix the cause and release a new tag',
    });
  };
  for (;;) {
    if (options.signal?.aborted) return stopAndSettle('the job was cancelled');
    const { deploymentInfo: info } = await cd.send(new GetDeploymentCommand({ deploymentId }));
    if (!info) throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `deployment ${deploymentId} does not exist`, { hint: 'run the release again' });
    for (const stage of await stages(cd, deploymentId)) {
      if (!seen.includes(stage)) {
        seen.push(stage);
        progress(stage);
      }
    }
    if (info.status === 'Succeeded') return { deploymentId, status: 'Succeeded', stages: seen, rolledBack: false };
    if (info.status === 'Failed' || info.status === 'Stopped') {
      throw new GroundworkError('APPLY_FAILED', `the release failed and CodeDeploy rolled back: ${failureOf(info)}`, {
        details: seen,
        hint: 'production still runs the previous version: read the alarm or hook named above, fix, and release a new tag',
      });
    }
    if (info.status === 'Ready' && !smoked) {
      smoked = true;
      if (options.smoke) {
        progress('new tasks are behind the test listener: running the smoke check');
        if (!(await options.smoke())) return stopAndSettle('the smoke check at the test listener failed');
      }
      await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
      progress('shifting production traffic');
    }
    if (now() - started > (options.timeoutMs ?? 60 * 60_000)) return stopAndSettle(`no result within ${Math.round((options.timeoutMs ?? 3_600_000) / 1000)} s`);
    await sleep(options.pollMs ?? 15_000);
  }
}
