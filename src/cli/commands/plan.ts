import { planToJson } from '../../engine/plan.js';
import type { CommandContext } from '../context.js';
import { openOrgSession, planOrganization } from '../org-session.js';
import { renderPlan } from '../render-plan.js';

/** `groundwork plan [--detailed-exitcode]`: the diff; exit 2 with --detailed-exitcode when there are changes. */
export async function planCommand(ctx: CommandContext, options: { detailedExitcode?: boolean }): Promise<number> {
  const session = await openOrgSession(ctx);
  if (!ctx.out.json) ctx.out.progress(`${session.header}\n`);
  ctx.out.progress('Reading the organization…');
  const plan = await planOrganization(session);
  ctx.out.result({ ...planToJson(plan), caller: session.caller }, () => renderPlan(plan));
  return options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
}
