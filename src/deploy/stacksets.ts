import { createHash } from 'node:crypto';
import {
  type CallAs,
  type CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  paginateListStackInstances,
  paginateListStackSetOperationResults,
  paginateListStackSets,
  type StackSetOperationPreferences,
  UpdateStackInstancesCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { elapsedMs } from '../clock.js';
import { GroundworkError } from '../errors.js';

/** One member-account baseline as a service-managed StackSet: what it deploys, with what, where. */
export interface StackSetSpec {
  /** `groundwork-<baseline>`. */
  readonly name: string;
  readonly description: string;
  readonly templateBody: string;
  /** Parameters every instance gets. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Target OU IDs: every account in them (and their child OUs) gets an instance, now and when it joins. */
  readonly organizationalUnitIds: readonly string[];
  /** Only these account IDs of the OUs (an INTERSECTION filter), for a baseline meant for one account. */
  readonly accountIds?: readonly string[];
  /** Account ID → parameters that differ for that account (budgets, environment names). */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Keep the stacks of an account that leaves the OU (the log archive keeps its logs). */
  readonly retainStacksOnAccountRemoval: boolean;
  readonly regions: readonly string[];
  /** StackSets (by name) this one needs in place first: a failed one skips this one. */
  readonly dependsOn?: readonly string[];
}

/** What a StackSet needs, by its content: a new StackSet, an update, nothing. */
export type StackSetAction = 'create' | 'update' | 'unchanged';

/** One StackSet's plan: its own change, and the instances to add; extra instances are reported, never deleted here. */
export interface StackSetPlan {
  readonly spec: StackSetSpec;
  readonly action: StackSetAction;
  /** Account/region pairs the targets cover that have no instance (auto-deployment missed them, or the StackSet is new). */
  readonly missing: readonly { account: string; region: string }[];
  /** Instances outside the targets (an account moved out of the OU with its stacks retained, one added by hand). */
  readonly extra: readonly { account: string; region: string; status: string }[];
  /** Instances whose last operation failed, with CloudFormation's reason. */
  readonly failed: readonly { account: string; region: string; reason: string }[];
  /** What differs from the deployed StackSet: `template`, and each parameter `Name: old → new`. */
  readonly changes: readonly string[];
}

/** The tag that holds a hash of a StackSet's template and parameters: an unchanged StackSet is skipped without a diff. */
export const CONTENT_HASH_TAG = 'groundwork:content-hash';

/** A hash of what a StackSet deploys: template, shared parameters, overrides, targets' retention. */
export function contentHash(spec: StackSetSpec): string {
  const sorted = (values: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
  const overrides = Object.fromEntries(Object.entries(spec.overrides ?? {}).map(([account, values]) => [account, sorted(values)]));
  return createHash('sha256')
    .update(JSON.stringify([spec.templateBody, sorted(spec.parameters), sorted(overrides), spec.retainStacksOnAccountRemoval]))
    .digest('hex')
    .slice(0, 32);
}

/** A template's JSON without formatting differences. */
function normalized(template: string): string {
  try {
    return JSON.stringify(JSON.parse(template));
  } catch {
    return template;
  }
}

const toParameters = (values: Readonly<Record<string, string>>) =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/**
 * Reads one StackSet and its instances and compares them with the spec: one DescribeStackSet and one paginated
 * ListStackInstances per StackSet, whatever the number of accounts. `targetAccounts` are the account IDs the spec's
 * targets cover now (the OUs' accounts, filtered by `accountIds`).
 */
export async function planStackSet(
  cfn: CloudFormationClient,
  spec: StackSetSpec,
  targetAccounts: readonly string[],
  callAs: CallAs = 'SELF',
): Promise<StackSetPlan> {
  let current: { hash?: string; status?: string; template?: string; parameters: Record<string, string> } | undefined;
  try {
    const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: spec.name, CallAs: callAs }));
    if (StackSet && StackSet.Status !== 'DELETED') {
      current = {
        hash: StackSet.Tags?.find((t) => t.Key === CONTENT_HASH_TAG)?.Value,
        status: StackSet.Status,
        template: StackSet.TemplateBody,
        parameters: Object.fromEntries((StackSet.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
      };
    }
  } catch (error) {
    if ((error as Error).name !== 'StackSetNotFoundException') throw error;
  }
  const instances: { account: string; region: string; status: string; reason: string }[] = [];
  if (current) {
    for await (const page of paginateListStackInstances({ client: cfn }, { StackSetName: spec.name, CallAs: callAs })) {
      for (const s of page.Summaries ?? []) {
        instances.push({
          account: s.Account ?? '',
          region: s.Region ?? '',
          status: s.StackInstanceStatus?.DetailedStatus ?? s.Status ?? 'UNKNOWN',
          reason: s.StatusReason ?? '',
        });
      }
    }
  }
  const action: StackSetAction = !current ? 'create' : current.hash === contentHash(spec) ? 'unchanged' : 'update';
  const changes: string[] = [];
  if (current && action === 'update') {
    if (current.template !== undefined && normalized(current.template) !== normalized(spec.templateBody)) changes.push('template');
    for (const key of new Set([...Object.keys(current.parameters), ...Object.keys(spec.parameters)])) {
      const before = current.parameters[key];
      const after = spec.parameters[key];
      if (before !== after) changes.push(`${key}: ${before ?? '(none)'} → ${after ?? '(none)'}`);
    }
    if (changes.length === 0) changes.push('per-account values or retention');
  }
  const wanted = new Set(targetAccounts.flatMap((account) => spec.regions.map((region) => `${account}/${region}`)));
  const have = new Set(instances.map((i) => `${i.account}/${i.region}`));
  return {
    spec,
    action,
    changes,
    missing: [...wanted].filter((k) => !have.has(k)).map((k) => ({ account: k.split('/')[0] as string, region: k.split('/')[1] as string })),
    extra: instances.filter((i) => !wanted.has(`${i.account}/${i.region}`)).map(({ account, region, status }) => ({ account, region, status })),
    failed: instances.filter((i) => /FAILED/.test(i.status)).map(({ account, region, reason }) => ({ account, region, reason: reason || 'no reason given' })),
  };
}

/** One deployed StackSet of Groundwork's with its instances, as `groundwork status` shows them. */
export interface StackSetStatus {
  readonly name: string;
  readonly status: string;
  readonly instances: readonly { account: string; region: string; status: string; reason?: string }[];
}

/** Groundwork's StackSets (`groundwork-*`) and each one's instances: one listing, then one paginated listing per StackSet. */
export async function readStackSets(cfn: CloudFormationClient, callAs: CallAs = 'SELF'): Promise<StackSetStatus[]> {
  const names: { name: string; status: string }[] = [];
  for await (const page of paginateListStackSets({ client: cfn }, { Status: 'ACTIVE', CallAs: callAs })) {
    for (const s of page.Summaries ?? []) if (s.StackSetName?.startsWith('groundwork-')) names.push({ name: s.StackSetName, status: s.Status ?? 'ACTIVE' });
  }
  return Promise.all(
    names.map(async ({ name, status }) => {
      const instances: StackSetStatus['instances'][number][] = [];
      for await (const page of paginateListStackInstances({ client: cfn }, { StackSetName: name, CallAs: callAs })) {
        for (const i of page.Summaries ?? []) {
          instances.push({
            account: i.Account ?? '',
            region: i.Region ?? '',
            status: i.StackInstanceStatus?.DetailedStatus ?? i.Status ?? 'UNKNOWN',
            ...(i.StatusReason ? { reason: i.StatusReason } : {}),
          });
        }
      }
      return { name, status, instances };
    }),
  );
}

/** Options of {@link applyStackSet}. */
export interface ApplyStackSetOptions {
  readonly preferences?: StackSetOperationPreferences;
  readonly progress?: (message: string) => void;
  /** @default 5 s (AWS); tests pass 0 */
  readonly pollMs?: number;
  /** @default 60 minutes */
  readonly timeoutMs?: number;
  /** DELEGATED_ADMIN when the caller is the organization's delegated administrator for StackSets. @default SELF */
  readonly callAs?: CallAs;
}

/** Waits for a StackSet operation; a failed or stopped one fails with CloudFormation's reason. */
async function waitForOperation(cfn: CloudFormationClient, name: string, operationId: string, options: ApplyStackSetOptions): Promise<void> {
  const deadline = elapsedMs() + (options.timeoutMs ?? 3_600_000);
  const seen = new Map<string, string>();
  for (;;) {
    const { StackSetOperation: op } = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId, CallAs: options.callAs }),
    );
    const status = op?.Status ?? 'UNKNOWN';
    if (status === 'SUCCEEDED') return;
    if (status === 'FAILED' || status === 'STOPPED') {
      // Each failed instance with its account, region and CloudFormation's reason.
      const details: string[] = [];
      for await (const page of paginateListStackSetOperationResults(
        { client: cfn },
        { StackSetName: name, OperationId: operationId, CallAs: options.callAs },
      )) {
        for (const r of page.Summaries ?? []) {
          if (r.Status !== 'SUCCEEDED')
            details.push(`${r.Account ?? '?'} ${r.Region ?? '?'}: ${r.Status ?? 'UNKNOWN'}${r.StatusReason ? `: ${r.StatusReason}` : ''}`);
        }
      }
      throw new GroundworkError(
        'DEPLOY_FAILED',
        `StackSet ${name}: operation ${operationId} ${status.toLowerCase()}${op?.StatusReason ? `: ${op.StatusReason}` : ''}`,
        {
          details,
          hint: `see each instance's reason with aws cloudformation list-stack-instances --stack-set-name ${name}; fix it and run again, which continues where it stopped`,
          actionHint: `each instance's reason is listed above (and in the CloudFormation console, StackSets › ${name} › Stack instances); fix it and re-run the job, which continues where it stopped`,
        },
      );
    }
    if (elapsedMs() > deadline) {
      throw new GroundworkError('DEPLOY_FAILED', `StackSet ${name}: operation ${operationId} still ${status} after the timeout`, {
        hint: 'it goes on in CloudFormation; run again later, which waits for it',
      });
    }
    options.progress?.(`  … ${name}: ${status.toLowerCase()}`);
    // Progress per account and region: each instance's status when it changes.
    for await (const page of paginateListStackSetOperationResults({ client: cfn }, { StackSetName: name, OperationId: operationId, CallAs: options.callAs })) {
      for (const r of page.Summaries ?? []) {
        const key = `${r.Account}/${r.Region}`;
        if (r.Status && seen.get(key) !== r.Status) {
          seen.set(key, r.Status);
          options.progress?.(`    ${name}: ${r.Account} ${r.Region} ${r.Status.toLowerCase()}${r.StatusReason ? `: ${r.StatusReason}` : ''}`);
        }
      }
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 5_000));
  }
}

/**
 * Carries out one StackSet's plan: creates the StackSet (service-managed, auto-deployment on, retention as the spec
 * says) or updates it when its content changed, then creates the missing instances (the OU targets with the account
 * filter, overrides per account), waiting for each operation. Extra instances are left as they are.
 */
export async function applyStackSet(cfn: CloudFormationClient, plan: StackSetPlan, options: ApplyStackSetOptions = {}): Promise<void> {
  const { spec } = plan;
  const common = {
    StackSetName: spec.name,
    CallAs: options.callAs,
    Description: spec.description,
    TemplateBody: spec.templateBody,
    Parameters: toParameters(spec.parameters),
    Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
    PermissionModel: 'SERVICE_MANAGED' as const,
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: spec.retainStacksOnAccountRemoval },
    Tags: [
      { Key: 'groundwork:managed', Value: 'true' },
      { Key: CONTENT_HASH_TAG, Value: contentHash(spec) },
    ],
  };
  if (plan.action === 'create') {
    options.progress?.(`+ StackSet ${spec.name}`);
    await cfn.send(new CreateStackSetCommand(common));
  } else if (plan.action === 'update') {
    options.progress?.(`~ StackSet ${spec.name} (template or parameters changed)`);
    const { OperationId } = await cfn.send(
      new UpdateStackSetCommand({
        ...common,
        DeploymentTargets: {
          OrganizationalUnitIds: [...spec.organizationalUnitIds],
          ...(spec.accountIds ? { Accounts: [...spec.accountIds], AccountFilterType: 'INTERSECTION' as const } : {}),
        },
        Regions: [...spec.regions],
        OperationPreferences: options.preferences,
      }),
    );
    if (OperationId) await waitForOperation(cfn, spec.name, OperationId, options);
    // Overrides stay on the instances through an update: the ones whose values are per account are set again.
    const missing = new Set(plan.missing.map((m) => m.account));
    for (const [account, values] of Object.entries(spec.overrides ?? {})) {
      if (missing.has(account)) continue;
      options.progress?.(`~ ${spec.name}: the values of ${account}`);
      const update = await cfn.send(
        new UpdateStackInstancesCommand({
          StackSetName: spec.name,
          CallAs: options.callAs,
          DeploymentTargets: { OrganizationalUnitIds: [...spec.organizationalUnitIds], Accounts: [account], AccountFilterType: 'INTERSECTION' },
          Regions: [...spec.regions],
          ParameterOverrides: toParameters(values),
          OperationPreferences: options.preferences,
        }),
      );
      if (update.OperationId) await waitForOperation(cfn, spec.name, update.OperationId, options);
    }
  }
  // Accounts with overrides get their own call, so each one's values reach only its instance.
  const groups = new Map<string, string[]>();
  for (const { account } of plan.missing) {
    const key = spec.overrides?.[account] ? account : '';
    groups.set(key, [...new Set([...(groups.get(key) ?? []), account])]);
  }
  for (const [overrideAccount, accounts] of groups) {
    options.progress?.(`+ ${spec.name}: instances in ${accounts.join(', ')} (${spec.regions.join(', ')})`);
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: spec.name,
        CallAs: options.callAs,
        DeploymentTargets: { OrganizationalUnitIds: [...spec.organizationalUnitIds], Accounts: accounts, AccountFilterType: 'INTERSECTION' },
        Regions: [...spec.regions],
        ...(overrideAccount ? { ParameterOverrides: toParameters(spec.overrides?.[overrideAccount] ?? {}) } : {}),
        OperationPreferences: options.preferences,
      }),
    );
    if (OperationId) await waitForOperation(cfn, spec.name, OperationId, options);
  }
}
