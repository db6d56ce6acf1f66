import {
  BaseCredentials,
  BootstrapEnvironments,
  DiffMethod,
  type IIoHost,
  type IoMessage,
  type IoRequest,
  StackSelectionStrategy,
  Toolkit,
} from '@aws-cdk/toolkit-lib';
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { GroundworkError } from '../errors.js';
import { CDK_BOUNDARY_POLICY, cdkBoundaryArn, cdkBoundaryDocument } from '../infra/cdk-boundary.js';

/** Where and as whom the management-account stacks are deployed. */
export interface ManagementTarget {
  /** The synthesized cloud assembly (groundwork synth's output). */
  readonly cdkOut: string;
  readonly accountId: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The emulator or LocalStack; none for AWS. */
  readonly endpoint?: string;
  readonly progress?: (message: string) => void;
}

/** One management stack's difference from what is deployed. */
export interface StackDifference {
  readonly stackName: string;
  /** Resources, outputs, parameters and so on that differ; 0 when the stack is as deployed. */
  readonly differences: number;
  /** Resource-level changes: `+ AWS::S3::Bucket Name`, `~ …`, `- …`. */
  readonly resources: readonly string[];
}

/** The toolkit's messages, reduced to the lines worth showing: deploy progress and errors. */
function ioHost(progress: ((message: string) => void) | undefined): IIoHost {
  return {
    async notify(message: IoMessage<unknown>): Promise<void> {
      if (!progress) return;
      if (message.level === 'error' || message.code === 'CDK_TOOLKIT_I5502') {
        progress(`  ${message.message.trim()}`);
      }
    },
    // Every question the toolkit asks (security-sensitive changes, for one) has been answered by the caller already.
    async requestResponse<T>(request: IoRequest<unknown, T>): Promise<T> {
      return request.defaultResponse;
    },
  };
}

/**
 * The AWS SDK inside the CDK toolkit reads its endpoint from the environment; for the emulator it is set for the
 * duration of one call, with the S3 URL CloudFormation is given for templates in moto's form, then restored.
 */
async function withEndpoint<T>(endpoint: string | undefined, action: () => Promise<T>): Promise<T> {
  if (!endpoint) return action();
  const saved = { url: process.env.AWS_ENDPOINT_URL, s3: process.env.AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION };
  process.env.AWS_ENDPOINT_URL = endpoint;
  // The toolkit hands CloudFormation an https://s3.REGION.amazonaws.com/bucket/key URL, which moto reads from its own S3.
  process.env.AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION = 'https://s3.us-east-1.amazonaws.com';
  try {
    return await action();
  } finally {
    for (const [name, value] of [
      ['AWS_ENDPOINT_URL', saved.url],
      ['AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION', saved.s3],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function toolkitFor(target: ManagementTarget): Toolkit {
  const credentials = target.credentials;
  const provider: AwsCredentialIdentityProvider = typeof credentials === 'function' ? credentials : async () => credentials;
  return new Toolkit({
    sdkConfig: { baseCredentials: BaseCredentials.custom({ provider, region: target.region }) },
    ioHost: ioHost(target.progress),
    color: false,
    emojis: false,
  });
}

function failed(doing: string, error: unknown): GroundworkError {
  const cause = (error as { cause?: Error }).cause;
  const message = `${(error as Error).message}${cause && !(error as Error).message.includes(cause.message) ? `: ${cause.message}` : ''}`;
  return new GroundworkError('DEPLOY_FAILED', `${doing}: ${message.replace(/^❌\s*/, '')}`, {
    hint: 'the stack events in the CloudFormation console give the failing resource; fix it and run deploy again, which continues where it stopped',
    cause: error,
  });
}

const partitionOf = (region: string) => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** JSON with its object keys sorted, so that two documents compare by content. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

/**
 * Creates the CDK deploy path's permissions boundary (src/infra/cdk-boundary.ts) in the account, or brings an existing
 * one to Groundwork's document. The foundation deploy role may create it but not change it (no CreatePolicyVersion):
 * a changed boundary is refused with the way to apply it from an administrator session.
 */
export async function ensureCdkBoundary(iam: IAMClient, accountId: string, region: string): Promise<'created' | 'unchanged' | 'updated'> {
  const partition = partitionOf(region);
  const arn = cdkBoundaryArn(partition, accountId);
  const document = JSON.stringify(cdkBoundaryDocument(partition, accountId));
  const existing = await iam.send(new GetPolicyCommand({ PolicyArn: arn })).then(
    (r) => r.Policy,
    (error: Error) => {
      if (error.name === 'NoSuchEntity' || error.name === 'NoSuchEntityException') return undefined;
      throw error;
    },
  );
  if (!existing) {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: CDK_BOUNDARY_POLICY,
        PolicyDocument: document,
        Description: 'Groundwork: the permissions boundary of the CDK deploy path (bootstrap execution role and every management-stack role)',
      }),
    );
    return 'created';
  }
  const current = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: existing.DefaultVersionId }));
  const text = decodeURIComponent(current.PolicyVersion?.Document ?? '{}');
  if (canonical(JSON.parse(text)) === canonical(JSON.parse(document))) return 'unchanged';
  try {
    // IAM keeps five versions: the oldest non-default one makes room for the new one.
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    const oldest = versions.filter((v) => !v.IsDefaultVersion).sort((a, b) => Number(a.CreateDate) - Number(b.CreateDate))[0];
    if (versions.length >= 5 && oldest) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document, SetAsDefault: true }));
    return 'updated';
  } catch (error) {
    throw new GroundworkError(
      'DEPLOY_FAILED',
      `the permissions boundary ${arn} differs from Groundwork's and could not be changed: ${(error as Error).message}`,
      {
        hint: 'the foundation deploy role may not change the boundary, so that an apply job cannot loosen it; run groundwork deploy once from an administrator session of the management account (or compare the policy with src/infra/cdk-boundary.ts and set it by hand)',
        cause: error,
      },
    );
  }
}

/**
 * The bootstrap's options: trusting only the account itself (no other account may deploy or look up through it), and
 * the CDK execution role bounded by Groundwork's boundary, which the toolkit writes into InputPermissionsBoundary.
 */
export function managementBootstrapOptions() {
  return {
    parameters: {
      keepExistingParameters: false,
      parameters: { trustedAccounts: [], trustedAccountsForLookup: [], customPermissionsBoundary: CDK_BOUNDARY_POLICY },
    },
  };
}

/**
 * Bootstraps the management account for the CDK (the CDKToolkit stack: assets bucket, deploy roles) trusting only
 * itself, its execution role within the permissions boundary (created first). Idempotent: an up-to-date bootstrap
 * changes nothing.
 */
export async function bootstrapManagement(target: ManagementTarget): Promise<void> {
  const toolkit = toolkitFor(target);
  const credentials = target.credentials;
  const iam = new IAMClient({ region: target.region, credentials, ...(target.endpoint ? { endpoint: target.endpoint } : {}) });
  try {
    const boundary = await ensureCdkBoundary(iam, target.accountId, target.region);
    if (boundary !== 'unchanged') target.progress?.(`  permissions boundary ${CDK_BOUNDARY_POLICY}: ${boundary}`);
  } catch (error) {
    if (error instanceof GroundworkError) throw error;
    throw failed(`creating the permissions boundary ${CDK_BOUNDARY_POLICY} in the management account ${target.accountId}`, error);
  } finally {
    iam.destroy();
  }
  await withEndpoint(target.endpoint, async () => {
    try {
      await toolkit.bootstrap(BootstrapEnvironments.fromList([`aws://${target.accountId}/${target.region}`]), managementBootstrapOptions());
    } catch (error) {
      throw failed(`bootstrapping the management account ${target.accountId} for the CDK`, error);
    }
  });
}

/** Deploys the named stacks of the assembly, in dependency order among themselves; the others are left alone. */
export async function deployManagementStacks(target: ManagementTarget, stackIds: readonly string[]): Promise<{ stackName: string; stackArn: string }[]> {
  const toolkit = toolkitFor(target);
  return withEndpoint(target.endpoint, async () => {
    try {
      const assembly = await toolkit.fromAssemblyDirectory(target.cdkOut);
      const result = await toolkit.deploy(assembly, {
        stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [...stackIds] },
      });
      return result.stacks.map((s) => ({ stackName: s.stackName, stackArn: s.stackArn }));
    } catch (error) {
      throw failed('deploying the management stacks', error);
    }
  });
}

/**
 * Each named stack's difference from what is deployed, by CloudFormation change sets (what CloudFormation itself
 * would do; needs the bootstrap's deploy role; the change sets are deleted again). Falls back to the templates where a
 * change set cannot be made.
 */
export async function diffManagementStacks(target: ManagementTarget, stackIds: readonly string[]): Promise<StackDifference[]> {
  const toolkit = toolkitFor(target);
  return withEndpoint(target.endpoint, async () => {
    try {
      const assembly = await toolkit.fromAssemblyDirectory(target.cdkOut);
      const diffs = await toolkit.diff(assembly, {
        stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [...stackIds] },
        method: DiffMethod.ChangeSet({ fallbackToTemplate: true }),
      });
      return Object.entries(diffs).map(([stackName, diff]) => {
        const resources: string[] = [];
        diff.resources.forEachDifference((logicalId, change) => {
          const type = change.newResourceType ?? change.oldResourceType ?? '';
          resources.push(`${change.isAddition ? '+' : change.isRemoval ? '-' : '~'} ${type} ${logicalId}`);
        });
        return { stackName, differences: diff.differenceCount, resources };
      });
    } catch (error) {
      throw failed('comparing the management stacks with what is deployed', error);
    }
  });
}
