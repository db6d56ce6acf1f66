import type { PolicyType } from '@aws-sdk/client-organizations';
import { AWS_LIMITS } from '../../config/aws-limits.js';
import { ORGANIZATION_ID_PLACEHOLDER } from '../../config/security-catalog.js';
import { RCP_LIMITS } from '../../config/security-rules.js';
import type { OrgContext } from '../org-context.js';

/** A policy as the policy kinds manage it: an SCP or an RCP after the config is loaded. */
export interface ManagedPolicy {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly content: string;
  readonly targets: { readonly root: boolean; readonly organizationalUnits: readonly string[]; readonly accounts: readonly string[] };
  readonly attachedByBudgetActionOf?: string;
}

/**
 * One family of authorization policies (SCPs or RCPs): the same create/update/delete and attach/detach logic, with
 * its own policy type, kinds, AWS-managed default policy, per-target limit and registry maps.
 */
export interface PolicyFamily {
  readonly type: Extract<PolicyType, 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'>;
  readonly kind: 'scp' | 'rcp';
  readonly attachmentKind: 'scp-attachment' | 'rcp-attachment';
  /** SCPs or RCPs, in messages. */
  readonly label: 'SCPs' | 'RCPs';
  /** The AWS-managed policy attached everywhere, which takes one of the slots. */
  readonly fullAccess: string;
  /** RCPFullAWSAccess can never be detached, so it always takes a slot; FullAWSAccess can be (allow-list SCPs). */
  readonly fullAccessAlwaysAttached: boolean;
  readonly perTarget: number;
  /** Every policy of the family the config declares, documents ready to send (for RCPs, with the organization ID filled in once known). */
  policies(): readonly ManagedPolicy[];
  readonly ids: Map<string, string>;
  readonly attachmentsByTarget: Map<string, Set<string>>;
}

/** Service control policies: `serviceControlPolicies` of the config. */
export function scpFamily(ctx: OrgContext): PolicyFamily {
  return {
    type: 'SERVICE_CONTROL_POLICY',
    kind: 'scp',
    attachmentKind: 'scp-attachment',
    label: 'SCPs',
    fullAccess: 'FullAWSAccess',
    fullAccessAlwaysAttached: false,
    perTarget: AWS_LIMITS.scpsPerTarget,
    policies: () => ctx.config.serviceControlPolicies,
    ids: ctx.registry.policyIds,
    attachmentsByTarget: ctx.registry.attachmentsByTarget,
  };
}

/** Resource control policies: the data perimeter and `security.resourceControlPolicies.policies`. */
export function rcpFamily(ctx: OrgContext): PolicyFamily {
  return {
    type: 'RESOURCE_CONTROL_POLICY',
    kind: 'rcp',
    attachmentKind: 'rcp-attachment',
    label: 'RCPs',
    fullAccess: 'RCPFullAWSAccess',
    fullAccessAlwaysAttached: true,
    perTarget: RCP_LIMITS.perTarget,
    policies: () =>
      ctx.config.security.resourceControlPolicyDocuments.map((p) => ({ ...p, content: withOrganizationId(p.content, ctx.registry.organizationId) })),
    ids: ctx.registry.rcpIds,
    attachmentsByTarget: ctx.registry.rcpAttachmentsByTarget,
  };
}

/** A policy document with the organization ID in place of its placeholder; unchanged until the organization exists. */
export function withOrganizationId(content: string, organizationId: string | undefined): string {
  return organizationId ? content.replaceAll(ORGANIZATION_ID_PLACEHOLDER, organizationId) : content;
}
