import { createHash } from 'node:crypto';
import { assertManagementCaller, type CallerIdentity, describeCaller } from '../aws/caller.js';
import type { ClientFactory } from '../aws/client-factory.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { describeChangeDetails } from '../engine/change-details.js';
import { buildPlan } from '../engine/plan.js';
import type { Change, Plan } from '../engine/types.js';
import { createFoundationContexts, foundationKinds } from '../foundation/foundation-kinds.js';

/** A plan as a reviewer sees it: what it found, as whom, and which member accounts' settings it could not read. */
export interface ReviewedPlan {
  readonly plan: Plan;
  readonly caller: CallerIdentity;
  readonly settingsNotRead: readonly string[];
}

/** The plan's numbers, for the job summary and the action's outputs. */
export interface PlanCounts {
  readonly create: number;
  readonly update: number;
  readonly move: number;
  readonly delete: number;
  readonly attention: number;
  readonly unmanaged: number;
}

/** A GitHub comment holds at most 65,536 characters; the plan is cut well before, and says where the rest is. */
const MAX_MARKDOWN = 60_000;

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', move: '→', delete: '-' };

/**
 * Plans the whole foundation (organization graph and Identity Center) as the management account, for review: with
 * `memberSettings: 'skip'` no role is assumed into member accounts, which is all a read-only plan role may do.
 */
export async function planForReview(
  config: GroundworkConfig,
  clients: ClientFactory,
  options: { memberSettings?: 'read' | 'skip' } = {},
): Promise<ReviewedPlan> {
  const caller = await describeCaller(clients);
  assertManagementCaller(caller);
  const contexts = createFoundationContexts(config, clients, { memberSettings: options.memberSettings ?? 'skip' });
  const plan = await buildPlan(foundationKinds(contexts));
  return { plan, caller, settingsNotRead: [...contexts.org.settingsNotRead] };
}

/** Counts of changes by action, and of findings. */
export function planCounts(plan: Plan): PlanCounts {
  const count = (action: Change['action']) => plan.changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    move: count('move'),
    delete: count('delete'),
    attention: plan.attention.length,
    unmanaged: plan.unmanaged.length,
  };
}

/**
 * A short fingerprint of what the plan would do (changes and findings, in a stable order, without IDs AWS assigns), so
 * the plan at merge can be compared with the one reviewed on the pull request.
 */
export function planDigest(plan: Plan): string {
  const lines = [
    ...plan.changes.map((c) => `change ${c.action} ${c.kind} ${c.name} ${stableJson(withoutIds(c.details))}`),
    ...plan.attention.map((f) => `attention ${f.kind} ${f.name} ${f.message}`),
  ].sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** The hidden line a plan comment carries its digest in. */
export function digestMarker(digest: string): string {
  return `<!-- groundwork:plan-digest:${digest} -->`;
}

/** The digest a plan comment carries, if any. */
export function digestIn(body: string): string | undefined {
  return /<!-- groundwork:plan-digest:([0-9a-f]{16}) -->/.exec(body)?.[1];
}

/** The plan in Markdown for a pull-request comment and a job summary: counts, changes by group, findings, digest. */
export function planMarkdown(reviewed: ReviewedPlan, context: { configFile: string; commit?: string }): string {
  const { plan, caller, settingsNotRead } = reviewed;
  const counts = planCounts(plan);
  const digest = planDigest(plan);
  const head = [
    digestMarker(digest),
    '### Groundwork plan',
    '',
    plan.changes.length === 0
      ? '**No changes.** The organization matches the config.'
      : `**Plan: ${counts.create} to create, ${counts.update} to update, ${counts.move} to move, ${counts.delete} to delete.**`,
    '',
    `\`${context.configFile}\`${context.commit ? ` at ${context.commit.slice(0, 7)}` : ''}, read as account ${caller.accountId}${caller.organizationId ? ` (organization ${caller.organizationId})` : ''}.`,
  ];
  const body: string[] = [];
  if (plan.attention.length > 0) {
    body.push('', `#### Needs attention (${plan.attention.length}): the check fails until these are resolved`, '');
    for (const f of plan.attention) body.push(`- ${escapeMarkdown(f.message)}`);
  }
  if (plan.changes.length > 0) {
    const groups = new Map<string, Change[]>();
    for (const change of plan.changes) groups.set(change.group, [...(groups.get(change.group) ?? []), change]);
    const lines: string[] = [];
    for (const [group, changes] of groups) {
      lines.push(['Organization', 'Root', 'Identity Center'].includes(group) ? group : `OU ${group}`);
      for (const change of changes) lines.push(`${SYMBOL[change.action]} ${change.kind} ${change.name}${describeChangeDetails(change.details)}`);
    }
    body.push('', '```diff', ...fenced(lines), '```');
  }
  if (settingsNotRead.length > 0) {
    body.push(
      '',
      `Not read: the account settings (S3 Block Public Access, EBS encryption by default, password policy) of ${settingsNotRead.length} member account${settingsNotRead.length === 1 ? '' : 's'} (${settingsNotRead.join(', ')}). The plan role may assume no role into them; apply reads and sets them.`,
    );
  }
  if (plan.unmanaged.length > 0) {
    body.push('', `<details><summary>Unmanaged, left alone (${plan.unmanaged.length})</summary>`, '');
    for (const f of plan.unmanaged) body.push(`- ${f.kind} ${escapeMarkdown(f.name)}`);
    body.push('', '</details>');
  }
  const foot = ['', `<sub>plan digest \`${digest}\`: apply on merge compares its own plan with this one.</sub>`];
  let text = [...head, ...body, ...foot].join('\n');
  if (text.length > MAX_MARKDOWN) {
    const kept: string[] = [];
    let size = head.join('\n').length + 400;
    for (const line of body) {
      if (size + line.length + 1 > MAX_MARKDOWN) break;
      kept.push(line);
      size += line.length + 1;
    }
    const open = kept.filter((l) => l.startsWith('```')).length % 2 === 1;
    text = [
      ...head,
      ...kept,
      ...(open ? ['```'] : []),
      '',
      `… cut here: the plan has ${body.length - kept.length} more lines than a comment holds; the job summary has all of it.`,
      ...foot,
    ].join('\n');
  }
  return text;
}

/** Lines inside a fence cannot close it. */
function fenced(lines: readonly string[]): string[] {
  return lines.map((l) => l.replaceAll('```', "'''"));
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'id')
        .map(([k, v]) => [k, withoutIds(v)]),
    );
  return value;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
