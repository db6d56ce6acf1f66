import type { BaselinePlan, BaselineResult } from '../deploy/deploy.js';
import type { PreflightCheck } from '../deploy/preflight.js';
import { renderTable } from './render-table.js';

const MARK: Record<PreflightCheck['status'], string> = { pass: '✓', fail: '✗', 'fixed-by-deploy': '→', 'not-emulated': '–' };

/** The preflight checks, one line each, with the fix under a failed one. */
export function renderPreflight(checks: readonly PreflightCheck[]): string {
  return [
    'Preflight (read-only):',
    ...checks.flatMap((c) => [
      `  ${MARK[c.status]} ${c.title}: ${c.detail}${c.status === 'not-emulated' ? ' (not emulated)' : ''}`,
      ...(c.status === 'fail' && c.fix ? [`      fix: ${c.fix}`] : []),
    ]),
  ].join('\n');
}

/** Account ID → name, for output that names accounts. */
export type AccountNames = (id: string) => string;

const STACKSET_ROLE = 'AWSServiceRoleForCloudFormationStackSetsOrgMember';

/** Every step after the organization, in order, with account, region, role, what and whether it changes anything. */
export function renderBaselinePlan(plan: BaselinePlan, name: AccountNames): string {
  const rows: string[][] = [];
  const logArchive = plan.stackSets.filter((s) => s.spec.name === 'groundwork-log-archive');
  const others = plan.stackSets.filter((s) => s.spec.name !== 'groundwork-log-archive');
  const stackSetRows = (sets: typeof plan.stackSets) => {
    for (const s of sets) {
      const change =
        s.action === 'create'
          ? `create${s.pending ? ' (after the organization step)' : ''}`
          : s.action === 'update'
            ? `update: ${s.changes.join('; ')}`
            : s.missing.length > 0
              ? 'add instances'
              : 'no change';
      const accounts = (s.spec.accountIds ?? []).map(name).join(', ');
      rows.push([`StackSet ${s.spec.name}`, accounts, s.spec.regions.join(','), STACKSET_ROLE, change]);
      for (const m of s.missing) if (s.action !== 'create') rows.push(['  + instance', name(m.account), m.region, STACKSET_ROLE, 'create']);
      for (const f of s.failed) rows.push(['  ! instance', name(f.account), f.region, STACKSET_ROLE, `last operation failed: ${f.reason}`]);
      for (const e of s.extra)
        rows.push(['  ? instance', name(e.account), e.region, STACKSET_ROLE, `outside the targets (${e.status}); reported, not deleted`]);
      if (s.notEmulated.length > 0) rows.push(['  not emulated', '', '', '', s.notEmulated.join(', ')]);
    }
  };
  stackSetRows(logArchive);
  const mgmtRole = (account: string, region: string) => `cdk-hnb659fds-cfn-exec-role-${account}-${region}`;
  rows.push([
    'CDK bootstrap (CDKToolkit)',
    name(plan.bootstrap.account),
    plan.bootstrap.region,
    'caller',
    !plan.bootstrap.needed
      ? 'no change'
      : plan.bootstrap.existing
        ? 'update (adds the permissions boundary)'
        : 'create (trusts only this account, within the permissions boundary)',
  ]);
  for (const s of plan.stacks) {
    rows.push([`Stack ${s.stackName}`, name(s.account), s.region, mgmtRole(s.account, s.region), s.change === 'none' ? 'no change' : s.change]);
    for (const r of s.resources.slice(0, 12)) rows.push([`  ${r}`, '', '', '', '']);
    if (s.notEmulated.length > 0) rows.push(['  not emulated', '', '', '', s.notEmulated.join(', ')]);
    if (s.resources.length > 12) rows.push([`  … ${s.resources.length - 12} more`, '', '', '', '']);
  }
  stackSetRows(others);
  for (const b of plan.blocked) rows.push([`StackSet ${b.name}`, '', '', '', `not yet: ${b.reason}`]);
  return renderTable([['step', 'account', 'region', 'role', 'change'], ...rows]);
}

/** The StackSet differences grouped by account: what each account would receive. */
export function renderByAccount(plan: BaselinePlan, name: AccountNames): string {
  const byAccount = new Map<string, string[]>();
  const add = (account: string, line: string) => byAccount.set(account, [...(byAccount.get(account) ?? []), line]);
  for (const s of plan.stackSets) {
    for (const account of s.spec.accountIds ?? []) {
      const missing = s.missing.some((m) => m.account === account);
      if (s.action === 'update') add(account, `~ ${s.spec.name}: ${s.changes.join('; ')}`);
      else if (missing) add(account, `+ ${s.spec.name}${s.notEmulated.length > 0 ? ` (not emulated: ${s.notEmulated.join(', ')})` : ''}`);
    }
    for (const e of s.extra) add(e.account, `? ${s.spec.name}: instance outside the targets (${e.status}), kept`);
  }
  for (const s of plan.stacks)
    if (s.change !== 'none') add(s.account, `${s.change === 'create' ? '+' : '~'} stack ${s.stackName} (${s.resources.length} resource change(s))`);
  if (byAccount.size === 0) return 'No account would change.';
  return [...byAccount]
    .sort(([a], [b]) => name(a).localeCompare(name(b)))
    .map(([account, lines]) => [`${name(account)} (${account}):`, ...lines.map((l) => `  ${l}`)].join('\n'))
    .join('\n');
}

/** What a deploy did. */
export function renderBaselineResult(result: BaselineResult): string {
  const lines = [
    ...result.stackSets.map((s) => `✓ StackSet ${s.name}: ${s.action === 'unchanged' ? '' : `${s.action}d; `}${s.instancesAdded} instance(s) added`),
    ...result.stacks.map((s) => `✓ stack ${s}`),
    ...result.failed.map((f) => `✗ ${f.name}: ${f.message}`),
    ...result.skipped.map((s) => `– ${s.name}: skipped (${s.because})`),
  ];
  return lines.length > 0 ? lines.join('\n') : '✓ baselines and management stacks: nothing to change';
}
