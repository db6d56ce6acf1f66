import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import type { OrgRegistry } from '../org/org-context.js';

/** The Identity Center instance: its ARN and identity store. */
export interface IdentityInstance {
  readonly instanceArn: string;
  readonly identityStoreId: string;
}

/** Name ↔ ID lookups for Identity Center, filled by reads and creates. */
export class IdentityRegistry {
  instance?: IdentityInstance;
  readonly permissionSetArns = new Map<string, string>();
  readonly groupIds = new Map<string, string>();

  requireInstance(): IdentityInstance {
    if (!this.instance) {
      throw new GroundworkError('IDENTITY_CENTER_NOT_ENABLED', 'IAM Identity Center is not enabled in this organization', {
        hint: 'enable it once in the console (docs/runbooks/identity-center.md), then run groundwork apply',
        actionHint: 'enable it once in the console (docs/runbooks/identity-center.md), then let the foundation apply run (merge to main, or re-run it)',
      });
    }
    return this.instance;
  }

  permissionSet(name: string): string {
    const arn = this.permissionSetArns.get(name);
    if (!arn) throw new GroundworkError('APPLY_FAILED', `permission set "${name}" does not exist yet`, { hint: 're-run apply' });
    return arn;
  }

  group(name: string): string {
    const id = this.groupIds.get(name);
    if (!id) throw new GroundworkError('APPLY_FAILED', `group "${name}" does not exist yet`, { hint: 're-run apply' });
    return id;
  }
}

/** What the identity kinds and people operations share. */
export interface IdentityContext {
  readonly config: GroundworkConfig;
  readonly clients: ClientFactory;
  readonly org: OrgRegistry;
  readonly registry: IdentityRegistry;
  readonly ssoAdmin: SSOAdminClient;
  /** SSO admin client without SDK retries, for creates retried only after checking they did not happen. */
  readonly ssoAdminOnce: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  /** Identity store client without SDK retries, for creates retried only after checking they did not happen. */
  readonly identityStoreOnce: IdentitystoreClient;
  readonly readConcurrency: number;
  readonly pollIntervalMs: number;
}

/** Builds the identity context; Identity Center lives in the home region of the management account. */
export function createIdentityContext(config: GroundworkConfig, clients: ClientFactory, org: OrgRegistry): IdentityContext {
  const region = config.organization.homeRegion;
  return {
    config,
    clients,
    org,
    registry: new IdentityRegistry(),
    ssoAdmin: clients.create(SSOAdminClient, { region }),
    ssoAdminOnce: clients.create(SSOAdminClient, { region, maxAttempts: 1 }),
    identityStore: clients.create(IdentitystoreClient, { region }),
    identityStoreOnce: clients.create(IdentitystoreClient, { region, maxAttempts: 1 }),
    readConcurrency: 8,
    pollIntervalMs: clients.settings.target === 'sandbox' ? 50 : 3_000,
  };
}

/** Finds the organization's Identity Center instance; undefined when it is not enabled. */
export async function findInstance(ctx: IdentityContext): Promise<IdentityInstance | undefined> {
  if (ctx.registry.instance) return ctx.registry.instance;
  const { Instances } = await ctx.ssoAdmin.send(new ListInstancesCommand({}));
  const instance = Instances?.find((i) => i.InstanceArn && i.IdentityStoreId);
  if (instance?.InstanceArn && instance.IdentityStoreId) {
    ctx.registry.instance = { instanceArn: instance.InstanceArn, identityStoreId: instance.IdentityStoreId };
  }
  return ctx.registry.instance;
}

/** `arn:aws:iam::aws:policy/ReadOnlyAccess` from `ReadOnlyAccess`, `job-function/Billing` or an ARN. */
export function managedPolicyArn(nameOrArn: string, partition = 'aws'): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : `arn:${partition}:iam::aws:policy/${nameOrArn}`;
}

/** `PT4H` / `PT90M` from hours. */
export function isoDuration(hours: number): string {
  const minutes = Math.round(hours * 60);
  return minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`;
}

/** Hours from an ISO-8601 duration such as `PT8H` or `PT1H30M`. */
export function hoursOf(duration: string | undefined): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration ?? '');
  if (!match) return 1;
  return Number(match[1] ?? 0) + Number(match[2] ?? 0) / 60;
}

/** The portal (AWS access portal) URL of an identity store. */
export function portalUrl(identityStoreId: string): string {
  return `https://${identityStoreId}.awsapps.com/start`;
}

/** A sign-in shortcut that opens one account with one permission set. */
export function shortcutUrl(identityStoreId: string, accountId: string, permissionSet: string): string {
  return `${portalUrl(identityStoreId)}/#/console?account_id=${accountId}&role_name=${encodeURIComponent(permissionSet)}`;
}
