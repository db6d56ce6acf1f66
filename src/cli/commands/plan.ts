import { planToJson } from '../../engine/plan.js';
import type { CommandContext } from '../context.js';
import { openOrgSession, planOrganization } from '../org-session.js';
import { renderPlan, settingsNotReadNote } from '../render-plan.js';

/** `groundwork plan [--detailed-exitcode]`: the diff; exit 2 with --detailed-exitcode when there are changes. */
export async function planCommand(ctx: CommandContext, options: { detailedExitcode?: boolean; skipMemberSettings?: boolean }): Promise<number> {
  const session = await openOrgSession(ctx, { memberSettings: options.skipMemberSettings ? 'skip' : 'read' });
  if (!ctx.out.json) ctx.out.progress(`${session.header}\n`);
  ctx.out.progress('Reading the organization…');
  const plan = await planOrganization(session);
  const notRead = [...session.org.settingsNotRead];
  ctx.out.result({ ...planToJson(plan), caller: session.caller, ...(options.skipMemberSettings ? { settingsNotRead: notRead } : {}) }, () =>
    [renderPlan(plan), ...(notRead.length > 0 ? [settingsNotReadNote(notRead)] : [])].join('\n'),
  );
  return options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
}
