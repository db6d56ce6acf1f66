import type { ClientOptions } from '../../aws/client-factory.js';
import { mapLimit } from '../../engine/concurrency.js';
import { retrying } from '../../engine/retry.js';
import type { ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';

/** One account setting in one account (and region, for regional settings). */
export interface SettingState<V> {
  readonly account: string;
  readonly region?: string;
  /** Undefined when the setting has never been set. */
  readonly value?: V;
}

/** The account a setting is read or written in: a member through its access role, or the management account as the caller. */
export interface SettingTarget {
  readonly accountId: string;
  /** True for the management account: Groundwork runs there, so no role is assumed. */
  readonly isCaller: boolean;
}

/** Client options for a setting's account; writes get SDK retries off, because the engine retries them (one retry layer). */
export function settingClientOptions(target: SettingTarget, region: string, write: boolean): ClientOptions {
  return { ...(target.isCaller ? {} : { accountId: target.accountId }), region, ...(write ? { maxAttempts: 1 } : {}) };
}

/** How one account-level setting is read, compared and written. */
export interface AccountSettingSpec<V> {
  readonly kind: string;
  /** Regional settings are managed in every governed region. */
  readonly regional: boolean;
  readonly desired: V;
  read(target: SettingTarget, region: string): Promise<V | undefined>;
  write(target: SettingTarget, region: string): Promise<void>;
  /** The fields that differ, for the plan's details; empty when in line. */
  differences(actual: V | undefined): Record<string, unknown>;
}

/**
 * A resource kind for an account setting that CloudFormation cannot express, applied in every member account through its
 * access role, and in the management account as the caller (SCPs never apply there, so its own baseline matters most).
 */
export function accountSettingKind<V>(ctx: OrgContext, spec: AccountSettingSpec<V>): ResourceKind<SettingState<V>, SettingState<V>> {
  const { config, registry } = ctx;
  const management = config.organization.managementAccount.name;
  const regions = spec.regional ? config.organization.governedRegions : [config.organization.homeRegion];
  const identity = (item: SettingState<V>) => (spec.regional ? `${item.account}/${item.region}` : item.account);
  // A caller that may assume no role skips existing members (and says so); accounts still to be created are planned.
  const skipped = (name: string) => ctx.memberSettings === 'skip' && name !== management && registry.accountIds.has(name);
  const names = () =>
    [management, ...config.organization.accounts.map((a) => a.name)].filter((name) => {
      if (!skipped(name)) return true;
      ctx.settingsNotRead.add(name);
      return false;
    });
  const targetOf = (name: string): SettingTarget | undefined => {
    if (name === management) return registry.managementAccountId ? { accountId: registry.managementAccountId, isCaller: true } : undefined;
    const accountId = registry.accountIds.get(name);
    return accountId ? { accountId, isCaller: false } : undefined;
  };
  return {
    kind: spec.kind,
    dependsOn: ['account'],
    identity,
    desired: () => names().flatMap((account) => regions.map((region) => ({ account, region, value: spec.desired }))),
    async read() {
      const cells = names()
        .filter((name) => targetOf(name))
        .flatMap((account) => regions.map((region) => ({ account, region })));
      return mapLimit(cells, ctx.readConcurrency * 2, async (cell) => ({
        ...cell,
        value: await spec.read(targetOf(cell.account) as SettingTarget, cell.region),
      }));
    },
    requires: (item) => (item.account === management ? ['organization:*'] : [`account:${item.account}`]),
    diff(desired, actual) {
      const differences = spec.differences(actual?.value);
      if (actual && Object.keys(differences).length === 0) return [];
      const group =
        desired.account === management ? 'Root' : (config.organization.accounts.find((a) => a.name === desired.account)?.organizationalUnit ?? 'Root');
      return [
        {
          action: actual?.value === undefined ? 'create' : 'update',
          details: actual ? differences : { account: desired.account, ...(spec.regional ? { region: desired.region } : {}) },
          group,
          run: async (progress) => {
            const target = targetOf(desired.account);
            if (!target) registry.account(desired.account);
            await retrying(spec.kind, progress, () => spec.write(target as SettingTarget, desired.region as string));
          },
        },
      ];
    },
    orphan: () => undefined,
  };
}
