import { BatchGetDeploymentsCommand, type CodeDeployClient, type DeploymentInfo, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type Tag,
} from '@aws-sdk/client-ecs';
import { RUN_URL_TAG } from './ecs-deploy.js';
import { isPlaceholderImage } from './placeholder.js';

/** The tag with the version (a release tag) or the commit (a master build) a delivery action deployed. */
export const REVISION_TAG = 'groundwork:revision';

/** A task definition as a delivery shows it: the image, pinned by digest, and who registered it. */
export interface DeliveredRevision {
  readonly taskDefinition: string;
  readonly image: string;
  /** `sha256:…` when the image is pinned by digest. */
  readonly digest: string | null;
  /** The version or commit the delivery action tagged it with. */
  readonly revision: string | null;
  /** The GitHub Actions run that registered it. */
  readonly runUrl: string | null;
}

/** One deployment of the service, ECS's own or CodeDeploy's. */
export interface DeploymentRecord {
  readonly id: string;
  readonly engine: 'ecs' | 'codedeploy';
  /** ECS: PRIMARY/ACTIVE with its rollout state, or the service deployment's status; CodeDeploy: Succeeded, Failed, Stopped… */
  readonly status: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly taskDefinition: string | null;
  /** Why it failed or rolled back, as AWS says it. */
  readonly reason: string | null;
  readonly rolledBack: boolean;
  /** The deployed task definition's image digest, version or commit, and the run that registered it. */
  readonly delivered: DeliveredRevision | null;
  /**
   * ECS's service deployments: the lifecycle stage it is at (or ended or rolled back at), with what it waits for when a
   * pause hook awaits action, e.g. `POST_TEST_TRAFFIC_SHIFT (waiting for the smoke check)`; null for CodeDeploy.
   */
  readonly stage: string | null;
}

/** The strategies of ECS's own blue/green (its deployment controller `ECS`, not CodeDeploy). */
export const ECS_BLUE_GREEN_STRATEGIES: ReadonlySet<string> = new Set(['BLUE_GREEN', 'CANARY', 'LINEAR']);

/** Where an ECS blue/green service's current or last service deployment is. */
export interface BlueGreenStage {
  /** BLUE_GREEN, CANARY or LINEAR, as the service's deploymentConfiguration says; null when the emulator does not keep it. */
  readonly strategy: string | null;
  /** False in the sandbox: the emulator has no service deployments, so there is no stage to read. */
  readonly emulated: boolean;
  /** The current or last service deployment (the newest); null when there is none, or it is not emulated. */
  readonly deployment: DeploymentRecord | null;
  /** The service revisions (ARNs) it replaces: its sourceServiceRevisions. */
  readonly sourceServiceRevisions: readonly string[];
}

/** What runs in one environment and how it got there. */
export interface Delivery {
  readonly environment: string;
  readonly accountId: string;
  readonly cluster: string;
  readonly service: string;
  /**
   * `running`: the service runs the team's image; `awaiting-first-deployment`: `groundwork deploy` created the service
   * with 0 tasks of the placeholder and no image has been delivered yet; `not-deployed`: no service yet (the workload
   * baseline is not deployed there).
   */
  readonly state: 'running' | 'awaiting-first-deployment' | 'not-deployed';
  readonly current: (DeliveredRevision & { readonly since: string | null; readonly runningCount: number; readonly desiredCount: number }) | null;
  /** Newest first. */
  readonly deployments: readonly DeploymentRecord[];
  /** The service's deployment controller: ECS (rolling or ECS's own blue/green) or CODE_DEPLOY; null when not deployed. */
  readonly deploymentController: string | null;
  /** For a service under ECS's own blue/green (BLUE_GREEN, CANARY, LINEAR): its current or last deployment's stage. */
  readonly blueGreen: BlueGreenStage | null;
  /** Where the history is incomplete and why (the emulator lacks an API, say). */
  readonly notes: readonly string[];
}

/** Where one environment's service lives, named as the workload templates name it. */
export interface DeliveryTarget {
  readonly environment: string;
  readonly accountId: string;
  /** The cluster: the environment's name in the workload templates. */
  readonly cluster: string;
  readonly service: string;
  /** The CodeDeploy application and group, for blue/green environments. */
  readonly codeDeploy?: { readonly application: string; readonly group: string };
}

const iso = (d: Date | undefined) => d?.toISOString() ?? null;
const tagValue = (tags: readonly Tag[] | undefined, key: string) => tags?.find((t) => t.key === key)?.value ?? null;

async function describeRevision(ecs: ECSClient, taskDefinition: string, container?: string): Promise<DeliveredRevision> {
  const { taskDefinition: td, tags } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
  const containers = td?.containerDefinitions ?? [];
  const image = (containers.find((c) => c.name === container) ?? containers.find((c) => c.essential !== false) ?? containers[0])?.image ?? '';
  return {
    taskDefinition: td?.taskDefinitionArn ?? taskDefinition,
    image,
    digest: /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ?? null,
    revision: tagValue(tags, REVISION_TAG),
    runUrl: tagValue(tags, RUN_URL_TAG),
  };
}

/**
 * The lifecycle stage of an ECS service deployment as the console and `groundwork status` show it: the stage, and what
 * it waits for when a pause hook awaits action (ContinueServiceDeployment). The release's pause hook sits at
 * POST_TEST_TRAFFIC_SHIFT, where the runner runs the smoke check against the test listener.
 */
export function stageOf(d: ServiceDeployment): string | null {
  if (!d.lifecycleStage) return null;
  const waiting = d.status === 'IN_PROGRESS' && d.lifecycleHookDetails?.some((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
  if (!waiting) return d.lifecycleStage;
  return `${d.lifecycleStage} (${d.lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT' ? 'waiting for the smoke check' : 'waiting at a pause hook'})`;
}

/** ECS's history of the service's deployments (ListServiceDeployments keeps 90 days), newest first, with the newest's sources. */
async function ecsHistory(ecs: ECSClient, target: DeliveryTarget, limit: number): Promise<{ records: DeploymentRecord[]; newestSources: string[] }> {
  const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, maxResults: limit }));
  const arns = (listed.serviceDeployments ?? []).map((d) => d.serviceDeploymentArn).filter((a): a is string => Boolean(a));
  if (arns.length === 0) return { records: [], newestSources: [] };
  const { serviceDeployments = [] } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }));
  // A service deployment names service revisions, not task definitions: DescribeServiceRevisions (20 ARNs a call) gives
  // each revision's task definition, whose image, version and run the rows show.
  const revisionArns = [...new Set(serviceDeployments.map((d) => d.targetServiceRevision?.arn ?? '').filter((a) => a.includes(':service-revision/')))];
  const taskDefinitionOf = new Map<string, string>();
  for (let i = 0; i < revisionArns.length; i += 20) {
    const { serviceRevisions = [] } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns.slice(i, i + 20) }));
    for (const r of serviceRevisions) if (r.serviceRevisionArn && r.taskDefinition) taskDefinitionOf.set(r.serviceRevisionArn, r.taskDefinition);
  }
  const taskDefinition = (arn: string | undefined) => (arn ? (taskDefinitionOf.get(arn) ?? (arn.includes(':task-definition/') ? arn : null)) : null);
  const sorted = [...serviceDeployments].sort((a, b) => (iso(b.startedAt ?? b.createdAt) ?? '').localeCompare(iso(a.startedAt ?? a.createdAt) ?? ''));
  return {
    records: sorted.map((d) => ({
      id: d.serviceDeploymentArn?.split('/').pop() ?? '',
      engine: 'ecs' as const,
      status: d.status ?? 'UNKNOWN',
      startedAt: iso(d.startedAt ?? d.createdAt),
      finishedAt: iso(d.finishedAt ?? d.stoppedAt),
      taskDefinition: taskDefinition(d.targetServiceRevision?.arn),
      reason: d.statusReason ?? d.rollback?.reason ?? null,
      rolledBack: d.rollback !== undefined || /ROLLBACK/.test(d.status ?? ''),
      delivered: null,
      stage: stageOf(d),
    })),
    newestSources: (sorted[0]?.sourceServiceRevisions ?? []).map((r) => r.arn).filter((a): a is string => Boolean(a)),
  };
}

function codeDeployRecord(d: DeploymentInfo): DeploymentRecord {
  const content = d.revision?.appSpecContent?.content ?? d.revision?.string?.content;
  return {
    id: d.deploymentId ?? '',
    engine: 'codedeploy',
    status: d.status ?? 'Unknown',
    startedAt: iso(d.createTime),
    finishedAt: iso(d.completeTime),
    taskDefinition: content ? (/"?TaskDefinition"?\s*:\s*"([^"]+)"/.exec(content)?.[1] ?? null) : null,
    reason: d.errorInformation?.message ?? null,
    rolledBack: Boolean(d.rollbackInfo?.rollbackDeploymentId) || d.status === 'Stopped',
    delivered: null,
    stage: null,
  };
}

/**
 * What runs in one environment (image digest, version or commit, since when, the run that made it) and its last
 * deployments with their outcome: ECS's service deployments and, for blue/green, CodeDeploy's. Nothing is invented:
 * with no service the state is `not-deployed`, and where the endpoint lacks a history API the notes say so.
 */
export async function readDelivery(
  clients: { readonly ecs: ECSClient; readonly codeDeploy?: CodeDeployClient },
  target: DeliveryTarget,
  options: {
    readonly limit?: number;
    readonly container?: string;
    /**
     * Whether the endpoint has ECS's ListServiceDeployments (AWS has; moto answers it with an HTML 500). Without it
     * the deployments are the ones the service holds now, and the notes say so. @default true
     */
    readonly serviceDeploymentsApi?: boolean;
  } = {},
): Promise<Delivery> {
  const limit = options.limit ?? 10;
  const base = { environment: target.environment, accountId: target.accountId, cluster: target.cluster, service: target.service };
  const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })).catch((error: unknown) => {
    if ((error as Error).name === 'ClusterNotFoundException') return { services: [] };
    throw error;
  });
  const service = described.services?.find((s) => s.status !== 'INACTIVE');
  if (!service) return { ...base, state: 'not-deployed', current: null, deployments: [], deploymentController: null, blueGreen: null, notes: [] };

  const notes: string[] = [];
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const currentArn = service.taskSets?.find((t) => t.status === 'PRIMARY')?.taskDefinition ?? primary?.taskDefinition ?? service.taskDefinition;
  const current = currentArn
    ? {
        ...(await describeRevision(clients.ecs, currentArn, options.container)),
        since: iso(service.taskSets?.find((t) => t.status === 'PRIMARY')?.createdAt ?? primary?.createdAt),
        runningCount: service.runningCount ?? 0,
        desiredCount: service.desiredCount ?? 0,
      }
    : null;

  let deployments: DeploymentRecord[] = [];
  let blueGreen: BlueGreenStage | null = null;
  const strategy = service.deploymentConfiguration?.strategy ?? null;
  const ecsBlueGreen = ECS_BLUE_GREEN_STRATEGIES.has(strategy ?? '');
  if (service.deploymentController?.type === 'CODE_DEPLOY') {
    if (target.codeDeploy && clients.codeDeploy) {
      const { deployments: ids = [] } = await clients.codeDeploy.send(
        new ListDeploymentsCommand({ applicationName: target.codeDeploy.application, deploymentGroupName: target.codeDeploy.group }),
      );
      const infos =
        ids.length > 0 ? ((await clients.codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(0, 100) }))).deploymentsInfo ?? []) : [];
      deployments = infos
        .map(codeDeployRecord)
        .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''))
        .slice(0, limit);
    }
  } else {
    if (options.serviceDeploymentsApi !== false) {
      const history = await ecsHistory(clients.ecs, target, limit);
      deployments = history.records;
      if (ecsBlueGreen) {
        blueGreen = { strategy, emulated: true, deployment: deployments[0] ?? null, sourceServiceRevisions: history.newestSources };
      }
    } else {
      notes.push('the emulator has no ListServiceDeployments: the deployments shown are the ones the service holds now (on AWS, its last 90 days)');
      // A blue/green environment (or a service configured for ECS's blue/green) whose stage the emulator cannot give.
      if (ecsBlueGreen || target.codeDeploy) {
        blueGreen = { strategy, emulated: false, deployment: null, sourceServiceRevisions: [] };
        notes.push(
          'ECS blue/green stages are not emulated: the emulator has no service deployments, lifecycle stages or pause hooks (on AWS the stage shows here, e.g. POST_TEST_TRAFFIC_SHIFT while the smoke check runs)',
        );
      }
      deployments = (service.deployments ?? []).map((d) => ({
        id: d.id ?? '',
        engine: 'ecs' as const,
        status: `${d.status ?? 'UNKNOWN'}${d.rolloutState ? ` (${d.rolloutState})` : ''}`,
        startedAt: iso(d.createdAt),
        finishedAt: d.rolloutState === 'COMPLETED' || d.rolloutState === 'FAILED' ? iso(d.updatedAt) : null,
        taskDefinition: d.taskDefinition ?? null,
        reason: d.rolloutState === 'FAILED' ? (d.rolloutStateReason ?? null) : null,
        rolledBack: false,
        delivered: null,
        stage: null,
      }));
    }
  }
  // Each deployed revision once: its image, version and the run that made it.
  const revisions = new Map<string, Promise<DeliveredRevision | null>>();
  const revisionOf = (arn: string) => {
    if (!revisions.has(arn))
      revisions.set(
        arn,
        describeRevision(clients.ecs, arn, options.container).catch(() => null),
      );
    return revisions.get(arn) as Promise<DeliveredRevision | null>;
  };
  deployments = await Promise.all(deployments.map(async (d) => ({ ...d, delivered: d.taskDefinition ? await revisionOf(d.taskDefinition) : null })));
  if (blueGreen?.deployment) blueGreen = { ...blueGreen, deployment: deployments[0] ?? null };
  const deploymentController = service.deploymentController?.type ?? 'ECS';
  const state = current && isPlaceholderImage(current.image) ? 'awaiting-first-deployment' : 'running';
  return { ...base, state, current, deployments, deploymentController, blueGreen, notes };
}

/** One environment's delivery in a line, as `groundwork status` shows it. */
export interface DeliveryRow {
  readonly environment: string;
  readonly service: string;
  /** `ECS blue/green (CANARY)`, `CodeDeploy blue/green`, `ECS rolling`, or `not deployed`. */
  readonly releasedBy: string;
  /** The current or last deployment's status (`IN_PROGRESS`, `ROLLBACK_SUCCESSFUL`, `Succeeded`…); null when there is none. */
  readonly status: string | null;
  /** Its lifecycle stage under ECS's blue/green; `not emulated` in the sandbox; null when there is no stage. */
  readonly stage: string | null;
  readonly rolledBack: boolean;
  /** Why it failed or rolled back, as AWS says it. */
  readonly reason: string | null;
}

/** The row of one delivery: who releases it, and where its current or last deployment is (its stage, under ECS's blue/green). */
export function deliveryRow(delivery: Delivery): DeliveryRow {
  const base = { environment: delivery.environment, service: delivery.service };
  if (delivery.state === 'not-deployed') return { ...base, releasedBy: 'not deployed', status: null, stage: null, rolledBack: false, reason: null };
  if (delivery.state === 'awaiting-first-deployment')
    return { ...base, releasedBy: 'waiting for the first deployment', status: null, stage: null, rolledBack: false, reason: null };
  const bg = delivery.blueGreen;
  const last = bg ? bg.deployment : (delivery.deployments[0] ?? null);
  const releasedBy = bg
    ? `ECS blue/green${bg.strategy ? ` (${bg.strategy})` : ''}`
    : delivery.deploymentController === 'CODE_DEPLOY'
      ? 'CodeDeploy blue/green'
      : `ECS${delivery.deploymentController === 'ECS' ? ' rolling' : ` (${delivery.deploymentController})`}`;
  return {
    ...base,
    releasedBy,
    status: last?.status ?? null,
    stage: bg && !bg.emulated ? 'not emulated' : (last?.stage ?? null),
    rolledBack: last?.rolledBack ?? false,
    reason: last?.reason ?? null,
  };
}
