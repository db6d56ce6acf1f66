import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreatePermissionSetCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  paginateListCustomerManagedPolicyReferencesInPermissionSet,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import { isError } from '../../aws/aws-error.js';
import { MANAGED_TAG } from '../../aws/tags.js';
import { mapLimit, pollUntil } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ChangeSpec, ResourceKind } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import { findInstance, hoursOf, type IdentityContext, isoDuration, managedPolicyArn } from '../identity-context.js';

/** A permission set, desired or live, in comparable form. */
export interface PermissionSetState {
  readonly name: string;
  readonly arn?: string;
  readonly description: string;
  readonly sessionDurationHours: number;
  /** AWS managed policy ARNs, sorted. */
  readonly managedPolicies: readonly string[];
  /** Customer-managed policy names, sorted. */
  readonly customerManagedPolicies: readonly string[];
  /** Minified inline policy, or ''. */
  readonly inlinePolicy: string;
  /** Boundary policy ARN, or '' (read only when the config sets one). */
  readonly permissionsBoundary: string;
}

const minify = (text: string) => (text ? JSON.stringify(JSON.parse(text)) : '');
const added = (from: readonly string[], to: readonly string[]) => to.filter((x) => !from.includes(x));

/** The desired permission sets, with policies and files resolved. */
export function desiredPermissionSets(ctx: IdentityContext): PermissionSetState[] {
  const baseDir = dirname(ctx.config.sourceFile);
  return ctx.config.identityCenter.permissionSets.map((set) => ({
    name: set.name,
    description: set.description ?? '',
    sessionDurationHours: set.sessionDurationHours,
    managedPolicies: set.managedPolicies.map((p) => managedPolicyArn(p)).sort(),
    customerManagedPolicies: [...set.customerManagedPolicies].sort(),
    inlinePolicy: set.inlinePolicyFile ? minify(readFileSync(resolve(baseDir, set.inlinePolicyFile), 'utf8')) : '',
    permissionsBoundary: set.permissionsBoundary ? managedPolicyArn(set.permissionsBoundary) : '',
  }));
}

/** Re-provisions a permission set to every account it is assigned in, and waits for the provisioning to finish. */
export async function reprovision(ctx: IdentityContext, arn: string, progress: (m: string) => void): Promise<void> {
  const { instanceArn } = ctx.registry.requireInstance();
  const response = await retrying('ProvisionPermissionSet', progress, () =>
    ctx.ssoAdminOnce.send(new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' })),
  );
  const requestId = response?.PermissionSetProvisioningStatus?.RequestId;
  if (!requestId || response?.PermissionSetProvisioningStatus?.Status !== 'IN_PROGRESS') return;
  await pollUntil(
    async () => {
      const { PermissionSetProvisioningStatus: s } = await ctx.ssoAdmin.send(
        new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: requestId }),
      );
      if (s?.Status === 'FAILED') throw new GroundworkError('APPLY_FAILED', `provisioning permission set failed: ${s.FailureReason ?? 'unknown reason'}`);
      return s?.Status === 'SUCCEEDED' ? true : undefined;
    },
    {
      intervalMs: ctx.pollIntervalMs,
      timeoutMs: 15 * 60_000,
      what: 'permission set provisioning',
      onWait: (ms) => progress(`provisioning… ${Math.round(ms / 1000)} s`),
    },
  );
}

/**
 * moto 5.2.5 checks AWS managed policy ARNs against its own data with a lower-case `path` key, while the data has `Path`,
 * so a policy under a path (`job-function/Billing`) is only accepted without its path. In the sandbox, calls send that
 * form and reads map it back to the configured ARN; against AWS the real ARN is used as is.
 */
export function emulatorPolicyArns(target: string, desired: readonly string[]): { toCall(arn: string): string; fromRead(arn: string): string } {
  if (target !== 'sandbox') return { toCall: (arn) => arn, fromRead: (arn) => arn };
  const stripPath = (arn: string) => arn.replace(/^(arn:[^:]+:iam::aws:policy\/)(?:.*\/)?([^/]+)$/, '$1$2');
  const byStripped = new Map(desired.map((arn) => [stripPath(arn), arn]));
  return { toCall: stripPath, fromRead: (arn) => byStripped.get(arn) ?? arn };
}

/** Identity Center permission sets: created with their policies, updated and re-provisioned on any change; never deleted automatically. */
export function permissionSetKind(ctx: IdentityContext): ResourceKind<PermissionSetState, PermissionSetState> {
  const { ssoAdmin, ssoAdminOnce, registry } = ctx;
  const arns = emulatorPolicyArns(
    ctx.clients.settings.target,
    ctx.config.identityCenter.permissionSets.flatMap((p) => p.managedPolicies.map((m) => managedPolicyArn(m))),
  );
  const wantsBoundary = new Set(ctx.config.identityCenter.permissionSets.filter((p) => p.permissionsBoundary).map((p) => p.name));

  const readOne = async (instanceArn: string, arn: string): Promise<PermissionSetState> => {
    const { PermissionSet } = await ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
    const name = PermissionSet?.Name ?? '';
    const managedPolicies: string[] = [];
    for await (const page of paginateListManagedPoliciesInPermissionSet({ client: ssoAdmin }, { InstanceArn: instanceArn, PermissionSetArn: arn })) {
      for (const p of page.AttachedManagedPolicies ?? []) if (p.Arn) managedPolicies.push(arns.fromRead(p.Arn));
    }
    const customerManagedPolicies: string[] = [];
    for await (const page of paginateListCustomerManagedPolicyReferencesInPermissionSet(
      { client: ssoAdmin },
      { InstanceArn: instanceArn, PermissionSetArn: arn },
    )) {
      for (const p of page.CustomerManagedPolicyReferences ?? []) if (p.Name) customerManagedPolicies.push(p.Name);
    }
    const { InlinePolicy } = await ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
    let permissionsBoundary = '';
    if (wantsBoundary.has(name)) {
      try {
        const { PermissionsBoundary } = await ssoAdmin.send(
          new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }),
        );
        permissionsBoundary = PermissionsBoundary?.ManagedPolicyArn ?? '';
      } catch (error) {
        if (!isError(error, 'ResourceNotFoundException')) throw error;
      }
    }
    return {
      name,
      arn,
      description: PermissionSet?.Description ?? '',
      sessionDurationHours: hoursOf(PermissionSet?.SessionDuration),
      managedPolicies: managedPolicies.sort(),
      customerManagedPolicies: customerManagedPolicies.sort(),
      inlinePolicy: InlinePolicy ? minify(InlinePolicy) : '',
      permissionsBoundary,
    };
  };

  /** Makes a permission set's policies match `desired`, starting from `from`. */
  const converge = async (arn: string, from: PermissionSetState | undefined, desired: PermissionSetState, progress: (m: string) => void) => {
    const { instanceArn } = registry.requireInstance();
    const base = { InstanceArn: instanceArn, PermissionSetArn: arn };
    const current = from ?? { managedPolicies: [], customerManagedPolicies: [], inlinePolicy: '', permissionsBoundary: '' };
    for (const policy of added(current.managedPolicies, desired.managedPolicies)) {
      await retrying('AttachManagedPolicy', progress, async () => {
        try {
          await ssoAdminOnce.send(new AttachManagedPolicyToPermissionSetCommand({ ...base, ManagedPolicyArn: arns.toCall(policy) }));
        } catch (error) {
          if (!isError(error, 'ConflictException')) throw error;
        }
      });
    }
    for (const policy of added(desired.managedPolicies, current.managedPolicies)) {
      await retrying('DetachManagedPolicy', progress, () =>
        ssoAdminOnce.send(new DetachManagedPolicyFromPermissionSetCommand({ ...base, ManagedPolicyArn: policy })),
      );
    }
    for (const name of added(current.customerManagedPolicies, desired.customerManagedPolicies)) {
      await retrying('AttachCustomerManagedPolicyReference', progress, () =>
        ssoAdminOnce.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({ ...base, CustomerManagedPolicyReference: { Name: name } })),
      );
    }
    for (const name of added(desired.customerManagedPolicies, current.customerManagedPolicies)) {
      await retrying('DetachCustomerManagedPolicyReference', progress, () =>
        ssoAdminOnce.send(new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({ ...base, CustomerManagedPolicyReference: { Name: name } })),
      );
    }
    if (current.inlinePolicy !== desired.inlinePolicy) {
      await retrying('InlinePolicy', progress, () =>
        desired.inlinePolicy
          ? ssoAdminOnce.send(new PutInlinePolicyToPermissionSetCommand({ ...base, InlinePolicy: desired.inlinePolicy }))
          : ssoAdminOnce.send(new DeleteInlinePolicyFromPermissionSetCommand(base)),
      );
    }
    if (current.permissionsBoundary !== desired.permissionsBoundary) {
      await retrying('PermissionsBoundary', progress, () =>
        desired.permissionsBoundary
          ? ssoAdminOnce.send(
              new PutPermissionsBoundaryToPermissionSetCommand({ ...base, PermissionsBoundary: { ManagedPolicyArn: desired.permissionsBoundary } }),
            )
          : ssoAdminOnce.send(new DeletePermissionsBoundaryFromPermissionSetCommand(base)),
      );
    }
  };

  const findByName = async (instanceArn: string, name: string) => {
    for await (const page of paginateListPermissionSets({ client: ssoAdmin }, { InstanceArn: instanceArn })) {
      for (const arn of page.PermissionSets ?? []) {
        const { PermissionSet } = await ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
        if (PermissionSet?.Name === name) return arn;
      }
    }
    return undefined;
  };

  return {
    kind: 'permission-set',
    dependsOn: ['organization', 'trusted-access'],
    identity: (item) => item.name,
    desired: () => (registry.instance ? desiredPermissionSets(ctx) : []),
    async read() {
      const instance = await findInstance(ctx);
      if (!instance) return [];
      const arns: string[] = [];
      for await (const page of paginateListPermissionSets({ client: ssoAdmin }, { InstanceArn: instance.instanceArn }))
        arns.push(...(page.PermissionSets ?? []));
      const sets = await mapLimit(arns, ctx.readConcurrency, (arn) => readOne(instance.instanceArn, arn));
      for (const set of sets) if (set.arn) registry.permissionSetArns.set(set.name, set.arn);
      return sets;
    },
    diff(desired, actual) {
      if (!actual) {
        return [
          {
            action: 'create',
            details: {
              sessionDurationHours: desired.sessionDurationHours,
              managedPolicies: desired.managedPolicies.map((a) => a.split('/').slice(1).join('/')),
            },
            group: 'Identity Center',
            run: async (progress) => {
              const { instanceArn } = registry.requireInstance();
              await retrying(
                'CreatePermissionSet',
                progress,
                async () => {
                  try {
                    const { PermissionSet } = await ctx.ssoAdminOnce.send(
                      new CreatePermissionSetCommand({
                        InstanceArn: instanceArn,
                        Name: desired.name,
                        Description: desired.description || undefined,
                        SessionDuration: isoDuration(desired.sessionDurationHours),
                        Tags: [MANAGED_TAG],
                      }),
                    );
                    if (PermissionSet?.PermissionSetArn) registry.permissionSetArns.set(desired.name, PermissionSet.PermissionSetArn);
                  } catch (error) {
                    if (!isError(error, 'ConflictException')) throw error;
                    const arn = await findByName(instanceArn, desired.name);
                    if (arn) registry.permissionSetArns.set(desired.name, arn);
                  }
                },
                {
                  recover: async () => {
                    const arn = await findByName(instanceArn, desired.name);
                    if (arn) registry.permissionSetArns.set(desired.name, arn);
                    return arn !== undefined;
                  },
                },
              );
              await converge(registry.permissionSet(desired.name), undefined, desired, progress);
            },
          },
        ];
      }
      const changed: Record<string, unknown> = {};
      if (actual.description !== desired.description) changed.description = { from: actual.description, to: desired.description };
      if (actual.sessionDurationHours !== desired.sessionDurationHours)
        changed.sessionDurationHours = { from: actual.sessionDurationHours, to: desired.sessionDurationHours };
      const policyChanges = {
        attach: added(actual.managedPolicies, desired.managedPolicies),
        detach: added(desired.managedPolicies, actual.managedPolicies),
        attachCustomer: added(actual.customerManagedPolicies, desired.customerManagedPolicies),
        detachCustomer: added(desired.customerManagedPolicies, actual.customerManagedPolicies),
      };
      for (const [key, list] of Object.entries(policyChanges)) if (list.length > 0) changed[key] = list;
      if (actual.inlinePolicy !== desired.inlinePolicy) changed.inlinePolicy = desired.inlinePolicy ? 'replaced' : 'removed';
      if (actual.permissionsBoundary !== desired.permissionsBoundary)
        changed.permissionsBoundary = { from: actual.permissionsBoundary, to: desired.permissionsBoundary };
      if (Object.keys(changed).length === 0) return [];
      const arn = actual.arn as string;
      const spec: ChangeSpec = {
        action: 'update',
        details: { ...changed, reprovision: true },
        group: 'Identity Center',
        run: async (progress) => {
          const { instanceArn } = registry.requireInstance();
          if (changed.description || changed.sessionDurationHours) {
            await retrying('UpdatePermissionSet', progress, () =>
              ssoAdminOnce.send(
                new UpdatePermissionSetCommand({
                  InstanceArn: instanceArn,
                  PermissionSetArn: arn,
                  Description: desired.description || undefined,
                  SessionDuration: isoDuration(desired.sessionDurationHours),
                }),
              ),
            );
          }
          await converge(arn, actual, desired, progress);
          await reprovision(ctx, arn, progress);
        },
      };
      return [spec];
    },
    orphan: (actual) => ({
      name: actual.name,
      message: `permission set "${actual.name}" is not in the config; left alone (delete it in the console once nothing uses it)`,
      group: 'Identity Center',
    }),
  };
}
