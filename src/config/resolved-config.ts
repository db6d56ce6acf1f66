import type { ParsedConfig } from './schema.js';

/** An account after defaults: e-mail, environment and budget filled in. */
export interface ResolvedAccount {
  readonly name: string;
  readonly organizationalUnit: string;
  readonly environment: string;
  readonly email: string;
  readonly monthlyBudgetUsd: number;
  /** The account's previous name, when the config renames it. */
  readonly renamedFrom?: string;
  /** The user confirmed this is a new account, not a rename. */
  readonly createNew?: boolean;
}

/** An SCP after its document has been read and minified. */
export interface ResolvedServiceControlPolicy {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  /** Minified JSON, exactly as sent to AWS. */
  readonly content: string;
  readonly targets: { readonly root: boolean; readonly organizationalUnits: readonly string[]; readonly accounts: readonly string[] };
  /**
   * Set on the Playground guard's policy: it is attached by that account's budget action, never by `apply`,
   * which creates it unattached and leaves its attachments alone.
   */
  readonly attachedByBudgetActionOf?: string;
}

/** A resource control policy after its document has been built or read and minified. */
export interface ResolvedResourceControlPolicy {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  /** Minified JSON; `{{organizationId}}` stands for the organization ID until plan time. */
  readonly content: string;
  readonly targets: { readonly root: boolean; readonly organizationalUnits: readonly string[]; readonly accounts: readonly string[] };
  /** Where the policy comes from in the config, for error positions. */
  readonly source: readonly (string | number)[];
}

/** The security block after defaults: the administrator account resolved and every RCP built. */
export interface ResolvedSecurity extends Omit<ParsedConfig['security'], 'administratorAccount'> {
  /**
   * The member account registered as delegated administrator of the security services; undefined when none is declared
   * (the management account administers them).
   */
  readonly administratorAccount: string | undefined;
  /** Every resource control policy: Groundwork's data perimeter (when on) and the config's own. */
  readonly resourceControlPolicyDocuments: readonly ResolvedResourceControlPolicy[];
}

/** Name of the SCP the Playground guard's budget action attaches. */
export const DENY_NEW_SPEND_POLICY = 'groundwork-deny-new-spend';

/** The config after all three loading steps; what every layer consumes. */
export interface GroundworkConfig extends Omit<ParsedConfig, 'organization' | 'serviceControlPolicies' | 'security'> {
  /** Absolute path of the file it was loaded from. */
  readonly sourceFile: string;
  readonly organization: Omit<ParsedConfig['organization'], 'accounts' | 'managementAccount'> & {
    readonly managementAccount: ResolvedAccount;
    readonly accounts: readonly ResolvedAccount[];
  };
  readonly serviceControlPolicies: readonly ResolvedServiceControlPolicy[];
  readonly security: ResolvedSecurity;
}

/** Every account the config names, management first. */
export function allAccounts(config: GroundworkConfig): readonly ResolvedAccount[] {
  return [config.organization.managementAccount, ...config.organization.accounts];
}
