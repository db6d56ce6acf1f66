import type { CallerIdentity } from '../aws/caller.js';
import { describeChangeDetails } from '../engine/change-details.js';
import type { Change, Plan } from '../engine/types.js';

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', move: '→', delete: '-' };

/** The header every plan and apply starts with: where the calls go and as whom. */
export function renderTargetHeader(target: string, endpoint: string | undefined, caller: CallerIdentity): string {
  const where = target === 'sandbox' ? `sandbox emulator at ${endpoint}` : `AWS${endpoint ? ` via ${endpoint}` : ''}`;
  return `Target: ${where}\nCaller: account ${caller.accountId} (${caller.arn})\nOrganization: ${caller.organizationId ?? 'none yet (apply creates it)'}${caller.managementAccountId ? `, management account ${caller.managementAccountId}` : ''}`;
}

/** The human plan: changes grouped by OU with + ~ → -, then what needs attention (!) and what is unmanaged. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  const groups = new Map<string, Change[]>();
  for (const change of plan.changes) groups.set(change.group, [...(groups.get(change.group) ?? []), change]);
  const fixed = ['Organization', 'Root', 'Identity Center'];
  const order = ['Organization', 'Root', ...[...groups.keys()].filter((g) => !fixed.includes(g)), 'Identity Center'];
  for (const group of order) {
    const changes = groups.get(group);
    if (!changes) continue;
    lines.push(fixed.includes(group) ? group : `OU ${group}`);
    for (const change of changes) lines.push(`  ${SYMBOL[change.action]} ${change.kind} ${change.name}${describeChangeDetails(change.details)}`);
  }
  if (plan.attention.length > 0) {
    lines.push('', 'Needs attention:');
    for (const finding of plan.attention) lines.push(`  ! ${finding.message}`);
  }
  if (plan.notEmulated && plan.notEmulated.length > 0) {
    lines.push('', 'Not emulated in the sandbox (on AWS, apply does this):');
    for (const finding of plan.notEmulated) lines.push(`  ? ${finding.kind} ${finding.name}: ${finding.message}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push('', 'Unmanaged (not in the config, left alone):');
    for (const finding of plan.unmanaged) lines.push(`  · ${finding.kind} ${finding.name}`);
  }
  const count = (action: Change['action']) => plan.changes.filter((c) => c.action === action).length;
  lines.push(
    '',
    plan.changes.length === 0
      ? 'No changes. The organization matches the config.'
      : `Plan: ${count('create')} to create, ${count('update')} to update, ${count('move')} to move, ${count('delete')} to delete.`,
  );
  return lines.join('\n');
}

/** The line a plan that skipped member accounts' settings ends with: which, and why the apply still checks them. */
export function settingsNotReadNote(accounts: readonly string[]): string {
  return `Not read: the account settings (S3 Block Public Access, EBS encryption by default, password policy) of ${accounts.length} member account${accounts.length === 1 ? '' : 's'} (${accounts.join(', ')}); this plan assumed no role into them, and apply reads and sets them.`;
}
