import { toGroundworkError } from '../../aws/aws-error.js';
import { elapsedMs } from '../../clock.js';
import { applyPlan } from '../../engine/apply.js';
import { planToJson } from '../../engine/plan.js';
import { GroundworkError } from '../../errors.js';
import { closableAccounts, closeAccounts, closeQuota } from '../../org/kinds/account-kind.js';
import { type CommandContext, resolveTarget } from '../context.js';
import { openOrgSession, planOrganization } from '../org-session.js';
import { ask } from '../prompt.js';
import { renderPlan } from '../render-plan.js';
import { progressPrinter } from '../render-progress.js';

/** Skipped changes named in the error; --json lists every one. */
const SKIPPED_LISTED = 30;

/** Options of `groundwork apply`. */
export interface ApplyOptions {
  readonly yes?: boolean;
  readonly allowClose?: boolean;
  /** Account names typed back, for closing without a terminal. */
  readonly close?: string[];
}

/** `groundwork apply [--yes] [--allow-close]`: shows the plan, asks, and executes it in dependency order. */
export async function applyCommand(ctx: CommandContext, options: ApplyOptions): Promise<void> {
  const { out } = ctx;
  const session = await openOrgSession(ctx);
  out.progress(`${session.header}\n`);
  out.progress('Reading the organization…');
  const plan = await planOrganization(session);
  if (!out.json) out.progress(renderPlan(plan));

  if (plan.changes.length > 0 && !options.yes) {
    const answer = await ask(
      `\nApply ${plan.changes.length} change(s) to ${resolveTarget(ctx) === 'aws' ? `AWS organization ${session.caller.organizationId ?? '(new)'}` : 'the sandbox'}? Type "yes": `,
    );
    if (answer === undefined)
      throw new GroundworkError('APPLY_ABORTED', 'apply needs confirmation, and there is no terminal to ask on', {
        hint: 'pass --yes to apply without asking',
      });
    if (answer.trim() !== 'yes')
      throw new GroundworkError('APPLY_ABORTED', 'apply cancelled; nothing was changed', { hint: 'type "yes" to apply, or pass --yes' });
  }

  const started = elapsedMs();
  const result = await applyPlan(plan, { emit: progressPrinter(out, plan.changes.length) });
  let closed: string[] = [];
  if (options.allowClose && result.failed.length === 0) closed = await closeRequested(ctx, session, options);

  const summary = {
    ...planToJson(plan),
    applied: result.done.length,
    failed: result.failed.map((f) => {
      const error = toGroundworkError(f.error);
      return { kind: f.change.kind, name: f.change.name, code: error.code, error: error.message };
    }),
    skipped: result.skipped.map((c) => ({ kind: c.kind, name: c.name, because: result.skippedBecause.get(c.id) })),
    closed,
    seconds: Math.round((elapsedMs() - started) / 100) / 10,
  };
  if (result.failed.length > 0) {
    throw new GroundworkError(
      'APPLY_FAILED',
      `${result.failed.length} change(s) failed and ${result.skipped.length} were skipped; ${result.done.length} were applied`,
      {
        details: [
          ...summary.failed.map((f) => `failed: ${f.kind} ${f.name}: ${f.error}`),
          ...summary.skipped.slice(0, SKIPPED_LISTED).map((s) => `skipped: ${s.kind} ${s.name} (${s.because})`),
          ...(summary.skipped.length > SKIPPED_LISTED ? [`… and ${summary.skipped.length - SKIPPED_LISTED} more skipped (--json lists them all)`] : []),
        ],
        hint: 'fix the cause and run apply again; it continues from where it stopped',
      },
    );
  }
  out.result(summary, () =>
    plan.changes.length === 0 && closed.length === 0
      ? 'Nothing to do: the organization matches the config.'
      : `Applied ${result.done.length} change(s) in ${summary.seconds} s.${closed.length > 0 ? ` Closed: ${closed.join(', ')}.` : ''}`,
  );
}

async function closeRequested(ctx: CommandContext, session: Awaited<ReturnType<typeof openOrgSession>>, options: ApplyOptions): Promise<string[]> {
  const closable = await closableAccounts(session.org);
  if (closable.length === 0) {
    ctx.out.progress('--allow-close: no account created by Groundwork has left the config; nothing to close.');
    return [];
  }
  const names = closable.map((c) => c.name).sort();
  ctx.out.progress(
    [
      '',
      `These accounts were created by Groundwork and are no longer in the config: ${names.join(', ')}.`,
      'Closing an account suspends it for 90 days, after which AWS deletes it for good.',
      `AWS lets an organization close at most 10% of its member accounts (at least 10, at most 1,000) in a rolling 30 days; today that is ${closeQuota(session.config.organization.accounts.length + closable.length)}.`,
    ].join('\n'),
  );
  const typed = options.close ?? (await ask('Type the names of the accounts to close, separated by spaces: '))?.split(/[\s,]+/).filter(Boolean);
  if (typed === undefined) {
    throw new GroundworkError('CLOSE_REFUSED', 'closing accounts needs their names typed back, and there is no terminal to ask on', {
      hint: `pass --close ${names.join(',')} to confirm by name`,
    });
  }
  if (typed.length === 0) return [];
  await closeAccounts(session.org, typed, (m) => ctx.out.progress(m));
  return typed;
}
