import { readFileSync } from 'node:fs';
import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  DescribeStackSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  type StackSetOperationPreferences,
} from '@aws-sdk/client-cloudformation';
import { parse as parseYaml } from 'yaml';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import { CDK_BOUNDARY_POLICY } from '../infra/cdk-boundary.js';
import type { SynthResult } from '../infra/synthesize.js';
import type { OrgRegistry } from '../org/org-context.js';
import { attributesNotEmulated, type BlockedBaseline, desiredBaselines, isPendingId, notEmulatedTypes } from './baselines.js';
import { bootstrapManagement, deployManagementStacks, diffManagementStacks, type ManagementTarget } from './management-stacks.js';
import { applyStackSet, planStackSet, type StackSetPlan } from './stacksets.js';

/** The synthesized stacks deployed by StackSets rather than in the management account. */
export const STACKSET_STACK_IDS = new Set(['GroundworkLogArchive', 'GroundworkSecurityFindingsForwarder', 'GroundworkConfigRecording']);
/** The management stack that needs the log archive (its bucket policy must let CloudTrail in first). */
const NEEDS_LOG_ARCHIVE = new Set(['GroundworkAuditTrail']);
/** The bootstrap stack of the management account. */
const TOOLKIT_STACK = 'CDKToolkit';

/** What deploy acts with: the config, the caller's clients, the organization as read (or just applied). */
export interface DeploySession {
  readonly config: GroundworkConfig;
  readonly clients: ClientFactory;
  readonly registry: OrgRegistry;
  readonly managementAccountId: string;
  /** True against the emulator. */
  readonly sandbox: boolean;
  /** In the sandbox: the resource types the emulator creates through CloudFormation; the others are reported as not emulated. */
  readonly emulatedTypes?: ReadonlySet<string>;
}

/** One StackSet in the deploy plan. */
export interface PlannedStackSet extends StackSetPlan {
  /** Resource types the emulator does not create through a StackSet (empty on AWS). */
  readonly notEmulated: readonly string[];
  /** IDs of accounts or OUs that the organization step creates first: planned by name, re-planned after it. */
  readonly pending: boolean;
}

/** One management stack in the deploy plan. */
export interface PlannedStack {
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly change: 'create' | 'update' | 'none';
  readonly resources: readonly string[];
  /** Resource types the emulator does not create (empty on AWS). */
  readonly notEmulated: readonly string[];
}

/** Everything deploy would do after the organization step, in order. */
export interface BaselinePlan {
  /**
   * The CDK bootstrap: needed when there is none, or when the one there lacks Groundwork's permissions boundary
   * (`existing`: a bootstrap made before the boundary, which the next deploy updates).
   */
  readonly bootstrap: { readonly account: string; readonly region: string; readonly needed: boolean; readonly existing: boolean };
  readonly stacks: readonly PlannedStack[];
  readonly stackSets: readonly PlannedStackSet[];
  readonly blocked: readonly BlockedBaseline[];
}

interface Template {
  readonly Resources?: Record<string, { Type?: string }>;
}

/** A copy with object keys in order, so two templates compare equal whatever their key order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortedKeys(v)]),
    );
  }
  return value;
}

/** The resources a template change adds (+), changes (~) and removes (-). */
export function resourceChanges(deployed: Template | undefined, local: Template): string[] {
  const before = deployed?.Resources ?? {};
  const after = local.Resources ?? {};
  const lines: string[] = [];
  for (const [id, r] of Object.entries(after)) {
    const old = before[id];
    if (!old) lines.push(`+ ${r.Type ?? ''} ${id}`);
    else if (JSON.stringify(sortedKeys(old)) !== JSON.stringify(sortedKeys(r))) lines.push(`~ ${r.Type ?? ''} ${id}`);
  }
  for (const [id, r] of Object.entries(before)) if (!after[id]) lines.push(`- ${r.Type ?? ''} ${id}`);
  return lines;
}

/** The workload StackSets whose templates take an image: they are created without one (0 tasks) or keep theirs. */
const WORKLOAD_STACKSET_NAMES = ['groundwork-workload', 'groundwork-workload-bluegreen'] as const;

/**
 * The `InitialImage` each workload StackSet was created with, when it has one (one made before workloads could start
 * with 0 tasks): kept as it is, since a change would roll the service back to it. None for new StackSets.
 */
export async function keptInitialImages(cfn: CloudFormationClient): Promise<Record<string, string>> {
  const kept: Record<string, string> = {};
  await Promise.all(
    WORKLOAD_STACKSET_NAMES.map(async (name) => {
      const stackSet = await cfn.send(new DescribeStackSetCommand({ StackSetName: name, CallAs: 'SELF' })).then(
        (r) => r.StackSet,
        (error: Error) => {
          if (error.name === 'StackSetNotFoundException') return undefined;
          throw error;
        },
      );
      const image = stackSet?.Status === 'DELETED' ? undefined : stackSet?.Parameters?.find((p) => p.ParameterKey === 'InitialImage')?.ParameterValue;
      if (image) kept[name] = image;
    }),
  );
  return kept;
}

function managementTarget(session: DeploySession, synth: SynthResult, progress?: (m: string) => void): ManagementTarget {
  return {
    cdkOut: synth.outdir,
    accountId: session.managementAccountId,
    region: session.config.organization.homeRegion,
    credentials: session.clients.callerCredentials(),
    endpoint: session.clients.settings.endpoint,
    progress,
  };
}

const managementStacks = (synth: SynthResult) => synth.stacks.filter((s) => !STACKSET_STACK_IDS.has(s.id));

/**
 * Plans everything after the organization step: the CDK bootstrap, the management stacks (compared with what is
 * deployed, read-only), and each StackSet with its missing, extra and failed instances.
 */
export async function planBaselines(
  session: DeploySession,
  synth: SynthResult,
  options: { diffMethod?: 'template' | 'change-set' } = {},
): Promise<BaselinePlan> {
  const { config, registry } = session;
  const cfn = session.clients.create(CloudFormationClient);
  const logArchive = synth.stacks.find((s) => s.id === 'GroundworkLogArchive');
  const forwarder = synth.stacks.find((s) => s.id === 'GroundworkSecurityFindingsForwarder');
  const recording = synth.stacks.find((s) => s.id === 'GroundworkConfigRecording');
  const { specs, blocked } = desiredBaselines(
    config,
    { accountIds: registry.accountIds, ouIds: registry.ouIds },
    {
      logArchiveTemplate: logArchive ? readFileSync(logArchive.templateFile, 'utf8') : undefined,
      securityFindingsTemplate: forwarder ? readFileSync(forwarder.templateFile, 'utf8') : undefined,
      configRecordingTemplate: recording ? readFileSync(recording.templateFile, 'utf8') : undefined,
      keptInitialImages: await keptInitialImages(cfn),
    },
  );
  // In the emulator, a baseline whose resources read attributes of a type moto lacks cannot be created at all.
  const emulated = session.emulatedTypes;
  const unsupported = emulated
    ? specs.map((spec) => ({ spec, types: attributesNotEmulated(spec.templateBody, emulated) })).filter((u) => u.types.length > 0)
    : [];
  for (const { spec, types } of unsupported) {
    blocked.push({
      name: spec.name,
      reason: `not emulated: moto has no ${types.join(', ')}, whose attributes the template reads, so it refuses the whole template${
        spec.name === 'groundwork-auth'
          ? '; the sandbox creates the user pools, clients, code tables and code keys through the SDK from the same settings instead'
          : ''
      }`,
    });
  }
  const stackSets = await Promise.all(
    specs
      .filter((spec) => !unsupported.some((u) => u.spec === spec))
      .map(async (spec): Promise<PlannedStackSet> => {
        const notEmulated = session.emulatedTypes ? notEmulatedTypes(spec.templateBody, session.emulatedTypes) : [];
        const targets = spec.accountIds ?? [];
        const pending = [...targets, ...spec.organizationalUnitIds].some(isPendingId);
        if (pending) {
          const missing = targets.flatMap((account) => spec.regions.map((region) => ({ account, region })));
          return { spec, action: 'create', missing, extra: [], failed: [], changes: [], notEmulated, pending };
        }
        return { ...(await planStackSet(cfn, spec, targets)), notEmulated, pending };
      }),
  );

  const toolkitStack = await cfn.send(new DescribeStacksCommand({ StackName: TOOLKIT_STACK })).then(
    (r) => (r.Stacks ?? []).find((s) => !/DELETE_COMPLETE|ROLLBACK_COMPLETE/.test(s.StackStatus ?? '')),
    (error: Error) => {
      if (/does not exist/.test(error.message)) return undefined;
      throw error;
    },
  );
  const bootstrapped = toolkitStack !== undefined;
  const bounded = toolkitStack?.Parameters?.some((p) => p.ParameterKey === 'InputPermissionsBoundary' && p.ParameterValue === CDK_BOUNDARY_POLICY) ?? false;
  const wanted = managementStacks(synth);
  // Deployed template against the synthesized one: equal means nothing to deploy (the toolkit skips it too).
  const stacks = await Promise.all(
    wanted.map(async (s): Promise<PlannedStack> => {
      const local = JSON.parse(readFileSync(s.templateFile, 'utf8')) as Template;
      const deployed = await cfn.send(new GetTemplateCommand({ StackName: s.stackName, TemplateStage: 'Original' })).then(
        (r) => parseYaml(r.TemplateBody ?? '{}') as Template,
        (error: Error) => {
          if (/does not exist/.test(error.message)) return undefined;
          throw error;
        },
      );
      const resources = resourceChanges(deployed, local);
      const same = deployed !== undefined && JSON.stringify(sortedKeys(deployed)) === JSON.stringify(sortedKeys(local));
      const notEmulated = session.emulatedTypes ? notEmulatedTypes(JSON.stringify(local), session.emulatedTypes) : [];
      return {
        id: s.id,
        stackName: s.stackName,
        account: s.account,
        region: s.region,
        change: !deployed ? 'create' : same ? 'none' : 'update',
        resources,
        notEmulated,
      };
    }),
  );
  if (options.diffMethod === 'change-set' && bootstrapped) {
    // CloudFormation's own view of each changed stack, through change sets that are created and deleted again.
    const changed = stacks.filter((s) => s.change === 'update');
    if (changed.length > 0) {
      const diffs = await diffManagementStacks(
        managementTarget(session, synth),
        changed.map((s) => s.id),
      );
      for (const d of diffs) {
        const i = stacks.findIndex((s) => s.id === d.stackName || s.stackName === d.stackName);
        const stack = stacks[i];
        if (stack) stacks[i] = { ...stack, resources: d.resources };
      }
    }
  }
  return {
    bootstrap: { account: session.managementAccountId, region: config.organization.homeRegion, needed: !bounded, existing: bootstrapped },
    stacks,
    stackSets,
    blocked,
  };
}

/** Options of {@link applyBaselines}. */
export interface ApplyBaselinesOptions {
  readonly preferences?: StackSetOperationPreferences;
  readonly progress?: (message: string) => void;
  /** @default 5 s (AWS); the emulator finishes at once */
  readonly pollMs?: number;
}

/** What {@link applyBaselines} did. */
export interface BaselineResult {
  readonly stackSets: readonly { name: string; action: string; instancesAdded: number }[];
  readonly stacks: readonly string[];
  readonly failed: readonly { name: string; code: string; message: string; details: readonly string[] }[];
  readonly skipped: readonly { name: string; because: string }[];
}

/**
 * Carries out a baseline plan in order: trusted access for StackSets, the log archive StackSet, the CDK bootstrap and
 * the management stacks, then the other StackSets. A failure stops what depends on it (the trail needs the log
 * archive; the workloads need the delivery roles) and leaves the rest; a re-run continues where it stopped.
 */
export async function applyBaselines(
  session: DeploySession,
  synth: SynthResult,
  plan: BaselinePlan,
  options: ApplyBaselinesOptions = {},
): Promise<BaselineResult> {
  const progress = options.progress ?? (() => {});
  const cfn = session.clients.create(CloudFormationClient);
  const failed: { name: string; code: string; message: string; details: readonly string[] }[] = [];
  const skipped: { name: string; because: string }[] = [];
  const done: { name: string; action: string; instancesAdded: number }[] = [];
  const failedNames = new Set<string>();
  const record = (name: string, error: unknown) => {
    const e = error instanceof GroundworkError ? error : new GroundworkError('DEPLOY_FAILED', `${name}: ${(error as Error).message}`, { cause: error });
    failed.push({ name, code: e.code, message: e.message, details: e.details ?? [] });
    failedNames.add(name);
    progress(`✗ ${name}: ${e.message}`);
    for (const line of e.details ?? []) progress(`    ${line}`);
  };

  const needsWork = plan.stackSets.filter((s) => s.action !== 'unchanged' || s.missing.length > 0);
  if (needsWork.length > 0 && !session.sandbox) {
    // Idempotent: turns on trusted access for StackSets (and the service-linked roles) if it is off.
    await cfn.send(new ActivateOrganizationsAccessCommand({}));
  }
  const runStackSet = async (planned: PlannedStackSet) => {
    const blockedBy = (planned.spec.dependsOn ?? []).find((d) => failedNames.has(d));
    if (blockedBy) {
      skipped.push({ name: planned.spec.name, because: `${blockedBy} failed` });
      failedNames.add(planned.spec.name);
      return;
    }
    if (planned.action === 'unchanged' && planned.missing.length === 0) return;
    try {
      await applyStackSet(cfn, planned, { preferences: options.preferences, progress, pollMs: options.pollMs });
      done.push({ name: planned.spec.name, action: planned.action, instancesAdded: planned.missing.length });
      if (planned.notEmulated.length > 0)
        progress(`  note: ${planned.spec.name}: the emulator does not create ${planned.notEmulated.join(', ')} (not emulated)`);
    } catch (error) {
      record(planned.spec.name, error);
    }
  };

  const logArchive = plan.stackSets.find((s) => s.spec.name === 'groundwork-log-archive');
  if (logArchive) await runStackSet(logArchive);

  const deployed: string[] = [];
  const toDeploy = plan.stacks.filter((s) => s.change !== 'none');
  const runnable = toDeploy.filter((s) => {
    if (NEEDS_LOG_ARCHIVE.has(s.id) && failedNames.has('groundwork-log-archive')) {
      skipped.push({ name: s.stackName, because: 'groundwork-log-archive failed' });
      return false;
    }
    return true;
  });
  if (runnable.length > 0 || plan.bootstrap.needed) {
    try {
      const target = managementTarget(session, synth, progress);
      if (plan.bootstrap.needed) {
        progress(
          `${plan.bootstrap.existing ? '~' : '+'} CDK bootstrap of the management account ${plan.bootstrap.account} (${plan.bootstrap.region}), trusting only itself, its execution role within the permissions boundary ${CDK_BOUNDARY_POLICY}`,
        );
        await bootstrapManagement(target);
      }
      if (runnable.length > 0) {
        progress(`… management stacks: ${runnable.map((s) => s.stackName).join(', ')}`);
        deployed.push(
          ...(
            await deployManagementStacks(
              target,
              runnable.map((s) => s.id),
            )
          ).map((s) => s.stackName),
        );
      }
      for (const s of runnable)
        if (s.notEmulated.length > 0) progress(`  note: ${s.stackName}: the emulator does not create ${s.notEmulated.join(', ')} (not emulated)`);
    } catch (error) {
      record('management stacks', error);
    }
  }

  for (const planned of plan.stackSets) if (planned !== logArchive) await runStackSet(planned);
  return { stackSets: done, stacks: deployed, failed, skipped };
}
