import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  paginateListStackInstances,
  type StackSetOperationPreferences,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
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

const toParameters = (values: Readonly<Record<string, string>>) =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/**
 * Reads one StackSet and its instances and compares them with the spec: one DescribeStackSet and one paginated
 * ListStackInstances per StackSet, whatever the number of accounts. `targetAccounts` are the account IDs the spec's
 * targets cover now (the OUs' accounts, filtered by `accountIds`).
 */
export async function planStackSet(cfn: CloudFormationClient, spec: StackSetSpec, targetAccounts: readonly string[]): Promise<StackSetPlan> {
  let current: { hash?: string; status?: string } | undefined;
  try {
    const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: spec.name }));
    if (StackSet && StackSet.Status !== 'DELETED') current = { hash: StackSet.Tags?.find((t) => t.Key === CONTENT_HASH_TAG)?.Value, status: StackSet.Status };
  } catch (error) {
    if ((error as Error).name !== 'StackSetNotFoundException') throw error;
  }
  const instances: { account: string; region: string; status: string; reason: string }[] = [];
  if (current) {
    for await (const page of paginateListStackInstances({ client: cfn }, { StackSetName: spec.name })) {
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
  const wanted = new Set(targetAccounts.flatMap((account) => spec.regions.map((region) => `${account}/${region}`)));
  const have = new Set(instances.map((i) => `${i.account}/${i.region}`));
  return {
    spec,
    action: !current ? 'create' : current.hash === contentHash(spec) ? 'unchanged' : 'update',
    missing: [...wanted].filter((k) => !have.has(k)).map((k) => ({ account: k.split('/')[0] as string, region: k.split('/')[1] as string })),
    extra: instances.filter((i) => !wanted.has(`${i.account}/${i.region}`)).map(({ account, region, status }) => ({ account, region, status })),
    failed: instances.filter((i) => /FAILED/.test(i.status)).map(({ account, region, reason }) => ({ account, region, reason: reason || 'no reason given' })),
  };
}

/** Options of {@link applyStackSet}. */
export interface ApplyStackSetOptions {
  readonly preferences?: StackSetOperationPreferences;
  readonly progress?: (message: string) => void;
  /** @default 5 s (AWS); tests pass 0 */
  readonly pollMs?: number;
  /** @default 60 minutes */
  readonly timeoutMs?: number;
}

/** Waits for a StackSet operation; a failed or stopped one fails with CloudFormation's reason. */
async function waitForOperation(cfn: CloudFormationClient, name: string, operationId: string, options: ApplyStackSetOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  for (;;) {
    const { StackSetOperation: op } = await cfn.send(new DescribeStackSetOperationCommand({ StackSetName: name, OperationId: operationId }));
    const status = op?.Status ?? 'UNKNOWN';
    if (status === 'SUCCEEDED') return;
    if (status === 'FAILED' || status === 'STOPPED') {
      throw new GroundworkError(
        'APPLY_FAILED',
        `StackSet ${name}: operation ${operationId} ${status.toLowerCase()}${op?.StatusReason ? `: ${op.StatusReason}` : ''}`,
        {
          hint: `see each instance's reason with aws cloudformation list-stack-instances --stack-set-name ${name}; fix it and run again, which continues where it stopped`,
        },
      );
    }
    if (Date.now() > deadline) {
      throw new GroundworkError('APPLY_FAILED', `StackSet ${name}: operation ${operationId} still ${status} after the timeout`, {
        hint: 'it goes on in CloudFormation; run again later, which waits for it',
      });
    }
    options.progress?.(`  … ${name}: ${status.toLowerCase()}`);
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
        DeploymentTargets: { OrganizationalUnitIds: [...spec.organizationalUnitIds], Accounts: accounts, AccountFilterType: 'INTERSECTION' },
        Regions: [...spec.regions],
        ...(overrideAccount ? { ParameterOverrides: toParameters(spec.overrides?.[overrideAccount] ?? {}) } : {}),
        OperationPreferences: options.preferences,
      }),
    );
    if (OperationId) await waitForOperation(cfn, spec.name, OperationId, options);
  }
}
