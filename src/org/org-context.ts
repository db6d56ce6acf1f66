import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';

/** Name ↔ ID lookups shared by the organization kinds: filled by reads, updated by creates, consulted at apply time. */
export class OrgRegistry {
  organizationId?: string;
  managementAccountId?: string;
  featureSet?: string;
  rootId?: string;
  readonly ouIds = new Map<string, string>();
  /** Every OU ID found, with its name (names may repeat outside the config). */
  readonly ouNameById = new Map<string, string>();
  readonly accountIds = new Map<string, string>();
  /** Account name → the name of its OU ('Root' at the top), as read. */
  readonly accountParents = new Map<string, string>();
  readonly policyIds = new Map<string, string>();
  /** Target ID → policy names attached there (every SCP, managed or not, FullAWSAccess included). */
  readonly attachmentsByTarget = new Map<string, Set<string>>();
  /** Resource control policies by name, and their attachments per target (RCPFullAWSAccess included): kept apart from SCPs. */
  readonly rcpIds = new Map<string, string>();
  readonly rcpAttachmentsByTarget = new Map<string, Set<string>>();

  /** The root ID, which exists once the organization does. */
  root(): string {
    if (!this.rootId) throw new GroundworkError('APPLY_FAILED', 'the organization root is not known yet', { hint: 're-run apply' });
    return this.rootId;
  }

  /** The ID of a parent: `undefined` means the root. */
  parent(ouName: string | undefined): string {
    if (ouName === undefined) return this.root();
    const id = this.ouIds.get(ouName);
    if (!id) throw new GroundworkError('APPLY_FAILED', `OU "${ouName}" does not exist yet`, { hint: 're-run apply' });
    return id;
  }

  account(name: string): string {
    const id = this.accountIds.get(name);
    if (!id) throw new GroundworkError('APPLY_FAILED', `account "${name}" does not exist yet`, { hint: 're-run apply' });
    return id;
  }

  policy(name: string, ids: ReadonlyMap<string, string> = this.policyIds): string {
    const id = ids.get(name);
    if (!id) throw new GroundworkError('APPLY_FAILED', `policy "${name}" does not exist yet`, { hint: 're-run apply' });
    return id;
  }
}

/** Everything the organization kinds share during one plan/apply. */
export interface OrgContext {
  readonly config: GroundworkConfig;
  readonly clients: ClientFactory;
  readonly registry: OrgRegistry;
  /** Organizations client with SDK retries, for reads and idempotent writes. */
  readonly orgs: OrganizationsClient;
  /** Organizations client without SDK retries, for creates that the engine retries only after checking they did not happen. */
  readonly orgsOnce: OrganizationsClient;
  /** Read concurrency. @default 8 */
  readonly readConcurrency: number;
  /** Interval between CreateAccount status polls. */
  readonly pollIntervalMs: number;
  /**
   * Whether the settings of existing member accounts are read (through their access role) or skipped, for a caller that
   * may assume no role (the pull-request plan role). @default 'read'
   */
  readonly memberSettings: 'read' | 'skip';
  /** Member accounts whose settings this plan did not read (memberSettings 'skip'), filled during the plan. */
  readonly settingsNotRead: Set<string>;
}

/** Builds the shared context for one plan. */
export function createOrgContext(
  config: GroundworkConfig,
  clients: ClientFactory,
  options: { readConcurrency?: number; pollIntervalMs?: number; memberSettings?: 'read' | 'skip' } = {},
): OrgContext {
  // Organizations is a global service homed in us-east-1 (aws partition).
  const region = clients.settings.region.startsWith('us-gov-') ? 'us-gov-west-1' : clients.settings.region.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
  return {
    config,
    clients,
    registry: new OrgRegistry(),
    orgs: clients.create(OrganizationsClient, { region }),
    orgsOnce: clients.create(OrganizationsClient, { region, maxAttempts: 1 }),
    readConcurrency: options.readConcurrency ?? 8,
    pollIntervalMs: options.pollIntervalMs ?? (clients.settings.target === 'sandbox' ? 50 : 5_000),
    memberSettings: options.memberSettings ?? 'read',
    settingsNotRead: new Set(),
  };
}
