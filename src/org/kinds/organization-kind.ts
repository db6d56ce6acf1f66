import {
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  type PolicyType,
  paginateListAWSServiceAccessForOrganization,
} from '@aws-sdk/client-organizations';
import { isError } from '../../aws/aws-error.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';
import { SERVICE_ACCESS_NOT_EMULATED, securityTrustedServices } from './security-kinds.js';

interface LiveOrganization {
  readonly id: string;
  readonly featureSet: string;
}

/** The organization itself: created with all features if absent. */
export function organizationKind(ctx: OrgContext): ResourceKind<{ featureSet: 'ALL' }, LiveOrganization> {
  const { registry, orgs, orgsOnce } = ctx;
  const readRoot = async () => {
    const roots = await orgs.send(new ListRootsCommand({}));
    registry.rootId = roots.Roots?.[0]?.Id;
    return roots.Roots?.[0];
  };
  return {
    kind: 'organization',
    dependsOn: [],
    identity: () => 'organization',
    desired: () => [{ featureSet: 'ALL' }],
    async read() {
      try {
        const { Organization } = await orgs.send(new DescribeOrganizationCommand({}));
        registry.organizationId = Organization?.Id;
        registry.managementAccountId = Organization?.MasterAccountId;
        registry.featureSet = Organization?.FeatureSet;
        await readRoot();
        return [{ id: Organization?.Id ?? '', featureSet: Organization?.FeatureSet ?? '' }];
      } catch (error) {
        if (isError(error, 'AWSOrganizationsNotInUseException')) return [];
        throw error;
      }
    },
    diff(_desired, actual) {
      if (!actual) {
        return [
          {
            action: 'create',
            details: { featureSet: 'ALL' },
            group: 'Organization',
            run: async (progress) => {
              await retrying('CreateOrganization', progress, async () => {
                try {
                  const { Organization } = await orgsOnce.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
                  registry.organizationId = Organization?.Id;
                  registry.managementAccountId = Organization?.MasterAccountId;
                } catch (error) {
                  if (!isError(error, 'AlreadyInOrganizationException')) throw error;
                }
              });
              await readRoot();
            },
          },
        ];
      }
      if (actual.featureSet !== 'ALL') {
        return [
          {
            name: 'organization',
            message: `the organization has feature set ${actual.featureSet}; SCPs and Identity Center need ALL. Enable all features in the console (every member account must approve)`,
            group: 'Organization',
          },
        ];
      }
      return [];
    },
    orphan: () => undefined,
  };
}

/** Policy types enabled on the root: service control policies and tag policies, and resource control policies when the config has one. */
export function policyTypeKind(ctx: OrgContext): ResourceKind<{ type: PolicyType }, { type: string; status: string }> {
  const { registry, orgs, orgsOnce } = ctx;
  return {
    kind: 'policy-type',
    dependsOn: ['organization'],
    identity: (item) => item.type,
    desired: () => [
      { type: 'SERVICE_CONTROL_POLICY' },
      { type: 'TAG_POLICY' },
      ...(ctx.config.security.resourceControlPolicyDocuments.some((p) => p.enabled) ? [{ type: 'RESOURCE_CONTROL_POLICY' as const }] : []),
    ],
    async read() {
      if (!registry.rootId) return [];
      const roots = await orgs.send(new ListRootsCommand({}));
      return (roots.Roots?.[0]?.PolicyTypes ?? []).map((p) => ({ type: p.Type ?? '', status: p.Status ?? '' }));
    },
    diff(desired, actual) {
      if (actual?.status === 'ENABLED') return [];
      return [
        {
          action: 'create',
          details: { policyType: desired.type, on: 'Root' },
          group: 'Organization',
          run: async (progress) => {
            await retrying('EnablePolicyType', progress, async () => {
              try {
                await orgsOnce.send(new EnablePolicyTypeCommand({ RootId: registry.root(), PolicyType: desired.type }));
              } catch (error) {
                if (!isError(error, 'PolicyTypeAlreadyEnabledException')) throw error;
              }
            });
          },
        },
      ];
    },
    orphan: (actual) =>
      actual.status === 'ENABLED'
        ? { name: actual.type, message: `policy type ${actual.type} is enabled but not declared; left alone`, group: 'Organization' }
        : undefined,
  };
}

/** Services Groundwork relies on, with trusted access in the organization. */
export const TRUSTED_SERVICES = ['cloudtrail.amazonaws.com', 'sso.amazonaws.com', 'account.amazonaws.com', 'access-analyzer.amazonaws.com'] as const;

/**
 * Trusted access for the services later features need (organization trail, Identity Center, account management, Access
 * Analyzer) and for the security services the config turns on (IAM for centralized root access, GuardDuty, Security
 * Hub, AWS Config).
 */
export function trustedAccessKind(ctx: OrgContext): ResourceKind<{ principal: string }, { principal: string }> {
  const { registry, orgs, orgsOnce } = ctx;
  const sandbox = ctx.clients.settings.target === 'sandbox';
  return {
    kind: 'trusted-access',
    dependsOn: ['organization'],
    identity: (item) => item.principal,
    desired: () => [...TRUSTED_SERVICES, ...securityTrustedServices(ctx.config)].map((principal) => ({ principal })),
    async read() {
      if (!registry.organizationId) return [];
      const principals: { principal: string }[] = [];
      for await (const page of paginateListAWSServiceAccessForOrganization({ client: orgs }, {})) {
        for (const p of page.EnabledServicePrincipals ?? []) if (p.ServicePrincipal) principals.push({ principal: p.ServicePrincipal });
      }
      return principals;
    },
    diff(desired, actual) {
      if (actual) return [];
      if (sandbox && SERVICE_ACCESS_NOT_EMULATED.includes(desired.principal)) {
        return [
          {
            name: desired.principal,
            message: `moto's Organizations does not accept ${desired.principal}; on AWS apply enables its trusted access`,
            group: 'Organization',
            notEmulated: true,
          },
        ];
      }
      return [
        {
          action: 'create',
          details: { servicePrincipal: desired.principal },
          group: 'Organization',
          run: async (progress) => {
            await retrying('EnableAWSServiceAccess', progress, () => orgsOnce.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: desired.principal })));
          },
        },
      ];
    },
    orphan: (actual) => ({
      name: actual.principal,
      message: `trusted access for ${actual.principal} is enabled but not declared; left alone`,
      group: 'Organization',
    }),
  };
}
