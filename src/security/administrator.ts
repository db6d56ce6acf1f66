import type { ClientOptions } from '../aws/client-factory.js';
import type { OrgContext } from '../org/org-context.js';

/** The account the security services are administered from: the delegated administrator, or the management account. */
export interface SecurityAdministrator {
  /** Account name in the config. */
  readonly name: string;
  /** True when no member account is the delegated administrator, so the management account (the caller) administers. */
  readonly isManagement: boolean;
  /** The account ID, once the account exists. */
  readonly accountId: string | undefined;
}

/** The administrator of the security services as the config declares it (`security.administratorAccount`). */
export function securityAdministrator(ctx: OrgContext): SecurityAdministrator {
  const management = ctx.config.organization.managementAccount.name;
  const name = ctx.config.security.administratorAccount ?? management;
  const isManagement = name === management;
  return {
    name,
    isManagement,
    accountId: isManagement ? ctx.registry.managementAccountId : ctx.registry.accountIds.get(name),
  };
}

/**
 * Client options in the administrator account: a member through its access role, the management account as the caller.
 * Writes get SDK retries off, because the engine retries them (one retry layer).
 */
export function administratorClientOptions(admin: SecurityAdministrator, region: string, write: boolean): ClientOptions {
  return { ...(admin.isManagement ? {} : { accountId: admin.accountId }), region, ...(write ? { maxAttempts: 1 } : {}) };
}

/** The OU group a change in the administrator account is shown under in the plan. */
export function administratorGroup(ctx: OrgContext, admin: SecurityAdministrator): string {
  if (admin.isManagement) return 'Root';
  return ctx.config.organization.accounts.find((a) => a.name === admin.name)?.organizationalUnit ?? 'Root';
}

/**
 * What a change in the administrator account waits for: the account, and its designation as the service's delegated
 * administrator in that region (the organization step's `delegated-administrator` change, `service@region`).
 */
export function administratorRequires(admin: SecurityAdministrator, servicePrincipal: string, region: string): string[] {
  return admin.isManagement ? ['organization:*'] : [`account:${admin.name}`, `delegated-administrator:${servicePrincipal}@${region}`];
}

/**
 * True when this plan may not read the administrator account (a caller that assumes no role into members, the
 * pull-request plan): its security services are then neither read nor planned, and the account is named as not read.
 */
export function administratorNotRead(ctx: OrgContext, admin: SecurityAdministrator): boolean {
  return ctx.memberSettings === 'skip' && !admin.isManagement && admin.accountId !== undefined;
}
