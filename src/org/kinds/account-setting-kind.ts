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

/** How one account-level setting is read, compared and written. */
export interface AccountSettingSpec<V> {
  readonly kind: string;
  /** Regional settings are managed in every governed region. */
  readonly regional: boolean;
  readonly desired: V;
  read(accountId: string, region: string): Promise<V | undefined>;
  write(accountId: string, region: string): Promise<void>;
  /** The fields that differ, for the plan's details; empty when in line. */
  differences(actual: V | undefined): Record<string, unknown>;
}

/** A resource kind for an account setting that CloudFormation cannot express, applied in every member account through its access role. */
export function accountSettingKind<V>(ctx: OrgContext, spec: AccountSettingSpec<V>): ResourceKind<SettingState<V>, SettingState<V>> {
  const { config, registry } = ctx;
  const regions = spec.regional ? config.organization.governedRegions : [config.organization.homeRegion];
  const identity = (item: SettingState<V>) => (spec.regional ? `${item.account}/${item.region}` : item.account);
  const activeAccounts = () => config.organization.accounts.filter((a) => registry.accountIds.has(a.name));
  return {
    kind: spec.kind,
    dependsOn: ['account'],
    identity,
    desired: () => config.organization.accounts.flatMap((a) => regions.map((region) => ({ account: a.name, region, value: spec.desired }))),
    async read() {
      const cells = activeAccounts().flatMap((a) => regions.map((region) => ({ account: a.name, region })));
      return mapLimit(cells, ctx.readConcurrency * 2, async (cell) => ({ ...cell, value: await spec.read(registry.account(cell.account), cell.region) }));
    },
    requires: (item) => [`account:${item.account}`],
    diff(desired, actual) {
      const differences = spec.differences(actual?.value);
      if (actual && Object.keys(differences).length === 0) return [];
      const group = config.organization.accounts.find((a) => a.name === desired.account)?.organizationalUnit ?? 'Root';
      return [
        {
          action: actual?.value === undefined ? 'create' : 'update',
          details: actual ? differences : { account: desired.account, ...(spec.regional ? { region: desired.region } : {}) },
          group,
          run: async (progress) => {
            await retrying(spec.kind, progress, () => spec.write(registry.account(desired.account), desired.region as string));
          },
        },
      ];
    },
    orphan: () => undefined,
  };
}
