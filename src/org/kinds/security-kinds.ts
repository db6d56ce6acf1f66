import {
  EnableOrganizationAdminAccountCommand as EnableGuardDutyAdminCommand,
  GuardDutyClient,
  ListOrganizationAdminAccountsCommand as ListGuardDutyAdminsCommand,
} from '@aws-sdk/client-guardduty';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import {
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import {
  EnableOrganizationAdminAccountCommand as EnableSecurityHubAdminCommand,
  ListOrganizationAdminAccountsCommand as ListSecurityHubAdminsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { isError, isUnsupportedByEmulator } from '../../aws/aws-error.js';
import type { GroundworkConfig } from '../../config/resolved-config.js';
import { SECURITY_SERVICE_PRINCIPALS } from '../../config/security-catalog.js';
import { mapLimit } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ChangeSpec, Finding, ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';

type Outcome = ChangeSpec | Omit<Finding, 'kind'>;

/** AWS Config's two delegated-administrator principals: aggregators, and organization rules and conformance packs. */
const CONFIG_MULTI_ACCOUNT = 'config-multiaccountsetup.amazonaws.com';

/**
 * Trusted access the security block needs, in the order apply enables it: IAM (centralized root access), GuardDuty,
 * Security Hub, AWS Config. Access Analyzer's is always on (TRUSTED_SERVICES).
 */
export function securityTrustedServices(config: GroundworkConfig): string[] {
  const s = config.security;
  return [
    ...(s.rootAccess.enabled ? [SECURITY_SERVICE_PRINCIPALS.iam] : []),
    ...(s.guardDuty.enabled ? [SECURITY_SERVICE_PRINCIPALS.guardDuty] : []),
    ...(s.securityHub.enabled ? [SECURITY_SERVICE_PRINCIPALS.securityHub] : []),
    ...(s.config.enabled ? [SECURITY_SERVICE_PRINCIPALS.config, CONFIG_MULTI_ACCOUNT] : []),
  ];
}

/**
 * Trusted-access principals moto's Organizations refuses ("unrecognized service principal"), checked against moto 5.2
 * by a test: in the sandbox they are named as not emulated instead of failing the apply.
 */
export const SERVICE_ACCESS_NOT_EMULATED: readonly string[] = [SECURITY_SERVICE_PRINCIPALS.iam];

/** The two IAM features of centralized root access, as ListOrganizationsFeatures names them. */
export const ROOT_ACCESS_FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;
type RootAccessFeature = (typeof ROOT_ACCESS_FEATURES)[number];

/** moto's answer to an action it does not implement: an HTML error page the SDK cannot parse (no AWS service sends one). */
function isEmulatorPage(error: unknown): boolean {
  return /XML parse error: .*<html>|<!doctype html/i.test((error as Error)?.message ?? '');
}

/** IAM is global, homed in us-east-1 (aws partition) like Organizations. */
const globalRegion = (ctx: OrgContext) =>
  ctx.clients.settings.region.startsWith('us-gov-') ? 'us-gov-west-1' : ctx.clients.settings.region.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';

/**
 * Centralized root access (`security.rootAccess`): with trusted access for IAM, root credentials management lets the
 * management account delete and audit member accounts' root credentials, and root sessions let it run the few tasks
 * that need root in a member (sts:AssumeRoot). The sandbox's emulator has neither API: the plan names them.
 */
export function rootAccessKind(ctx: OrgContext): ResourceKind<{ feature: RootAccessFeature }, { feature: string } | { notEmulated: true }> {
  const sandbox = ctx.clients.settings.target === 'sandbox';
  const iam = () => ctx.clients.create(IAMClient, { region: globalRegion(ctx) });
  const iamOnce = () => ctx.clients.create(IAMClient, { region: globalRegion(ctx), maxAttempts: 1 });
  let notEmulated = false;
  return {
    kind: 'root-access',
    dependsOn: ['trusted-access'],
    identity: (item) => ('feature' in item ? item.feature : 'not-emulated'),
    desired: () => (ctx.config.security.rootAccess.enabled ? ROOT_ACCESS_FEATURES.map((feature) => ({ feature })) : []),
    async read() {
      // moto 5.2 answers none of IAM's organization-features actions (an HTML error page; a test pins it): not emulated.
      notEmulated = sandbox;
      if (sandbox || !ctx.config.security.rootAccess.enabled || !ctx.registry.organizationId) return [];
      try {
        const { EnabledFeatures } = await iam().send(new ListOrganizationsFeaturesCommand({}));
        return (EnabledFeatures ?? []).map((feature) => ({ feature }));
      } catch (error) {
        // `--target aws` against an emulator (an --endpoint): moto's HTML page, never an answer from AWS.
        if (ctx.clients.settings.endpoint && isEmulatorPage(error)) {
          notEmulated = true;
          return [];
        }
        // Before IAM has trusted access, IAM answers that it is not enabled: nothing is on yet.
        if (isError(error, 'ServiceAccessNotEnabledException', 'OrganizationNotFoundException')) return [];
        throw error;
      }
    },
    diff(desired, actual): readonly Outcome[] {
      if (actual) return [];
      if (notEmulated) {
        return [
          {
            name: desired.feature,
            message: `moto has no IAM ListOrganizationsFeatures or EnableOrganizations${desired.feature}; on AWS apply enables ${desired.feature} (after trusted access for iam.amazonaws.com)`,
            group: 'Organization',
            notEmulated: true,
          },
        ];
      }
      const command =
        desired.feature === 'RootCredentialsManagement' ? EnableOrganizationsRootCredentialsManagementCommand : EnableOrganizationsRootSessionsCommand;
      return [
        {
          action: 'create',
          details: { feature: desired.feature, api: `iam:EnableOrganizations${desired.feature}` },
          group: 'Organization',
          requires: [`trusted-access:${SECURITY_SERVICE_PRINCIPALS.iam}`],
          run: async (progress) => {
            await retrying(`EnableOrganizations${desired.feature}`, progress, async () => {
              try {
                await iamOnce().send(new command({}));
              } catch (error) {
                if (!isError(error, 'EntityAlreadyExistsException')) throw error;
              }
            });
          },
        },
      ];
    },
    orphan: (actual) =>
      'feature' in actual
        ? {
            name: actual.feature,
            message: `centralized root access feature ${actual.feature} is on but not declared (security.rootAccess.enabled: false); left alone`,
            group: 'Organization',
          }
        : undefined,
  };
}

/** One service's delegated administrator: organization-wide, or (GuardDuty, Security Hub) per region. */
export interface DelegatedAdministrator {
  readonly service: string;
  /** Set for the services designated per region through their own API. */
  readonly region?: string;
  /** Account name in the config (desired), or account ID (live). */
  readonly account: string;
  readonly accountId?: string;
  readonly notEmulated?: boolean;
}

/** Services designated through Organizations' RegisterDelegatedAdministrator, as the services' guides say. */
const REGISTERED_THROUGH_ORGANIZATIONS = new Set<string>([
  SECURITY_SERVICE_PRINCIPALS.accessAnalyzer,
  SECURITY_SERVICE_PRINCIPALS.config,
  CONFIG_MULTI_ACCOUNT,
]);

/**
 * Delegated administrator principals moto's Organizations refuses ("unrecognized service principal"), checked against
 * moto 5.2 by a test; Security Hub's own ListOrganizationAdminAccounts is missing from moto too.
 */
export const DELEGATED_ADMINISTRATOR_NOT_EMULATED: readonly string[] = [SECURITY_SERVICE_PRINCIPALS.config, SECURITY_SERVICE_PRINCIPALS.securityHub];

const identityOf = (a: DelegatedAdministrator) => (a.region ? `${a.service}@${a.region}` : a.service);

/**
 * The security account as delegated administrator of each enabled service (`security.administratorAccount`). Access
 * Analyzer and AWS Config are registered through Organizations; GuardDuty and Security Hub through their own
 * EnableOrganizationAdminAccount in each governed region, which also registers the account in Organizations, as
 * their guides ask. An account already registered for a service that the config gives to another is left to a person
 * (the runbook says how to move it). With no administrator account, the management account administers the services
 * and nothing is registered.
 */
export function delegatedAdministratorKind(ctx: OrgContext): ResourceKind<DelegatedAdministrator, DelegatedAdministrator> {
  const { config, registry, orgs, orgsOnce } = ctx;
  const sandbox = ctx.clients.settings.target === 'sandbox';
  const s = config.security;
  const admin = s.administratorAccount;
  const regions = config.organization.governedRegions;
  const group = () => (admin ? (config.organization.accounts.find((a) => a.name === admin)?.organizationalUnit ?? 'Root') : 'Root');

  const desired = (): DelegatedAdministrator[] => {
    if (!admin) return [];
    const items: DelegatedAdministrator[] = [];
    if (s.accessAnalyzer.external || s.accessAnalyzer.unused) items.push({ service: SECURITY_SERVICE_PRINCIPALS.accessAnalyzer, account: admin });
    if (s.config.enabled) items.push({ service: SECURITY_SERVICE_PRINCIPALS.config, account: admin }, { service: CONFIG_MULTI_ACCOUNT, account: admin });
    if (s.guardDuty.enabled) for (const region of regions) items.push({ service: SECURITY_SERVICE_PRINCIPALS.guardDuty, region, account: admin });
    if (s.securityHub.enabled) for (const region of regions) items.push({ service: SECURITY_SERVICE_PRINCIPALS.securityHub, region, account: admin });
    return items;
  };

  async function readRegional(service: string, region: string): Promise<DelegatedAdministrator[]> {
    try {
      if (service === SECURITY_SERVICE_PRINCIPALS.guardDuty) {
        const { AdminAccounts } = await ctx.clients.create(GuardDutyClient, { region }).send(new ListGuardDutyAdminsCommand({}));
        return (AdminAccounts ?? [])
          .filter((a) => a.AdminStatus === 'ENABLED')
          .map((a) => ({ service, region, account: a.AdminAccountId ?? '', accountId: a.AdminAccountId }));
      }
      const { AdminAccounts } = await ctx.clients.create(SecurityHubClient, { region }).send(new ListSecurityHubAdminsCommand({}));
      return (AdminAccounts ?? []).filter((a) => a.Status === 'ENABLED').map((a) => ({ service, region, account: a.AccountId ?? '', accountId: a.AccountId }));
    } catch (error) {
      if ((sandbox || ctx.clients.settings.endpoint) && (isUnsupportedByEmulator(error) || isEmulatorPage(error)))
        return [{ service, region, account: '', notEmulated: true }];
      throw error;
    }
  }

  return {
    kind: 'delegated-administrator',
    dependsOn: ['account', 'trusted-access'],
    identity: identityOf,
    // Only its own account and its service's trusted access (in each change's requires): a failed account elsewhere blocks nothing here.
    requires: () => ['organization:*'],
    desired,
    async read() {
      if (!registry.organizationId) return [];
      const live: DelegatedAdministrator[] = [];
      const { DelegatedAdministrators } = await orgs.send(new ListDelegatedAdministratorsCommand({}));
      for (const a of DelegatedAdministrators ?? []) {
        if (!a.Id) continue;
        const { DelegatedServices } = await orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: a.Id }));
        for (const d of DelegatedServices ?? []) {
          if (d.ServicePrincipal && REGISTERED_THROUGH_ORGANIZATIONS.has(d.ServicePrincipal))
            live.push({ service: d.ServicePrincipal, account: a.Id, accountId: a.Id });
        }
      }
      const regional = desired().filter((d) => d.region !== undefined);
      const pairs = [...new Set(regional.map((d) => `${d.service} ${d.region}`))].map((p) => p.split(' ') as [string, string]);
      for (const found of await mapLimit(pairs, ctx.readConcurrency, ([service, region]) => readRegional(service, region))) live.push(...found);
      return live;
    },
    diff(want, actual): readonly Outcome[] {
      const wantedId = registry.accountIds.get(want.account);
      if (actual?.notEmulated || (sandbox && DELEGATED_ADMINISTRATOR_NOT_EMULATED.includes(want.service))) {
        return [
          {
            name: identityOf(want),
            message: want.region
              ? `moto has no ListOrganizationAdminAccounts for ${want.service}, so the designation cannot be read back; on AWS apply designates ${want.account} in ${want.region}`
              : `moto's Organizations does not accept ${want.service} as a delegated-administrator service; on AWS apply registers ${want.account}`,
            group: group(),
            notEmulated: true,
          },
        ];
      }
      if (actual && wantedId !== undefined && actual.accountId === wantedId) return [];
      if (actual) {
        return [
          {
            name: identityOf(want),
            message: `account ${actual.accountId} is delegated administrator of ${want.service}${want.region ? ` in ${want.region}` : ''}, not ${want.account}; remove it first (docs/runbooks/security.md, moving the administrator)`,
            group: group(),
          },
        ];
      }
      return [
        {
          action: 'create',
          details: {
            servicePrincipal: want.service,
            account: want.account,
            ...(want.region ? { region: want.region, api: 'EnableOrganizationAdminAccount' } : { api: 'RegisterDelegatedAdministrator' }),
          },
          group: group(),
          requires: [`account:${want.account}`, ...(REGISTERED_THROUGH_ORGANIZATIONS.has(want.service) ? [`trusted-access:${want.service}`] : [])],
          run: async (progress) => {
            const accountId = registry.account(want.account);
            if (want.service === SECURITY_SERVICE_PRINCIPALS.guardDuty) {
              const client = ctx.clients.create(GuardDutyClient, { region: want.region, maxAttempts: 1 });
              await retrying('EnableOrganizationAdminAccount', progress, () => client.send(new EnableGuardDutyAdminCommand({ AdminAccountId: accountId })));
            } else if (want.service === SECURITY_SERVICE_PRINCIPALS.securityHub) {
              const client = ctx.clients.create(SecurityHubClient, { region: want.region, maxAttempts: 1 });
              await retrying('EnableOrganizationAdminAccount', progress, () => client.send(new EnableSecurityHubAdminCommand({ AdminAccountId: accountId })));
            } else {
              await retrying('RegisterDelegatedAdministrator', progress, async () => {
                try {
                  await orgsOnce.send(new RegisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: want.service }));
                } catch (error) {
                  if (!isError(error, 'AccountAlreadyRegisteredException')) throw error;
                }
              });
            }
          },
        },
      ];
    },
    orphan: (actual) =>
      actual.notEmulated
        ? undefined
        : {
            name: identityOf(actual),
            message: `account ${actual.accountId} is delegated administrator of ${actual.service}${actual.region ? ` in ${actual.region}` : ''}, which the config does not declare; left alone`,
            group: 'Root',
          },
  };
}
