import { elapsedMs } from '../../clock.js';
import { importUsers } from '../../identity/people/import-users.js';
import { listUsers } from '../../identity/people/list-users.js';
import { grant, revoke } from '../../identity/people/membership.js';
import type { CommandContext } from '../context.js';
import { openIdentitySession, readLiveAssignments } from '../identity-session.js';
import { renderTable } from '../render-table.js';

/** `groundwork users import FILE [--dry-run]`: the contract's summary; exit 1 only when the file cannot be read. */
export async function usersImportCommand(
  ctx: CommandContext,
  file: string,
  options: { dryRun?: boolean; removeMissing?: boolean; maxRemovals?: number },
): Promise<void> {
  const session = await openIdentitySession(ctx);
  const started = elapsedMs();
  const summary = await importUsers(session.identity, file, {
    dryRun: options.dryRun,
    removeMissing: options.removeMissing,
    maxRemovals: options.maxRemovals,
    onProgress: (done) => ctx.out.progress(`… ${done} valid row(s) processed`),
  });
  const seconds = (elapsedMs() - started) / 1000;
  ctx.out.result(summary, () => {
    const lines = [
      `${summary.dryRun ? 'Dry run (nothing written): would create' : 'Created'} ${summary.created}, ${summary.dryRun ? 'update' : 'updated'} ${summary.updated}, unchanged ${summary.unchanged}, kept ${summary.kept}, rejected ${summary.rejected.length} (${seconds.toFixed(1)} s)`,
    ];
    for (const r of summary.rejected) lines.push(`  line ${r.line}: ${r.errors.join('; ')}`);
    if (summary.deactivated.length > 0) {
      lines.push(`${summary.dryRun ? 'Would deactivate' : 'Deactivated'} (every group membership removed, the user kept): ${summary.deactivated.join(', ')}`);
    }
    const listed = summary.missing.filter((u) => !summary.deactivated.includes(u));
    if (listed.length > 0) {
      lines.push(
        `Not in the file, left as they are${options.removeMissing ? ' (no managed group membership left)' : ' (--remove-missing deactivates them)'}: ${listed.join(', ')}`,
      );
    }
    if (summary.kept > 0) lines.push(`Kept ${summary.kept} membership(s) in groups the config does not declare (SCIM, console): imports never change those.`);
    if (summary.rejectedFile) lines.push(`Rejected rows, with a reason column, are in ${summary.rejectedFile}: fix them and import that file.`);
    if (summary.recreatedInSandbox.length > 0) {
      lines.push(
        `Sandbox: the emulator has no UpdateUser, so ${summary.recreatedInSandbox.length} changed user(s) were re-created with the new attributes (on AWS they are updated in place).`,
      );
    }
    return lines.join('\n');
  });
}

/** `groundwork users list`: every user, their groups, and their access per account. */
export async function usersListCommand(ctx: CommandContext): Promise<void> {
  const session = await openIdentitySession(ctx);
  const users = await listUsers(session.identity, await readLiveAssignments(session));
  ctx.out.result({ users }, () => {
    if (users.length === 0) return 'No users yet: import some with groundwork users import FILE';
    const rows = [
      ['USER', 'EMAIL', 'GROUPS', 'ACCESS'],
      ...users.map((u) => [
        u.username,
        u.email,
        u.groups.join(', ') || '-',
        Object.entries(u.access)
          .map(([account, sets]) => `${account}: ${sets.join('+')}`)
          .join('; ') || '-',
      ]),
    ];
    return [renderTable(rows), '', `${users.length} user(s)`].join('\n');
  });
}

/** `groundwork users grant USER --group G`. */
export async function usersGrantCommand(ctx: CommandContext, user: string, options: { group: string }): Promise<void> {
  const session = await openIdentitySession(ctx);
  const result = await grant(session.identity, user, options.group);
  ctx.out.result(result, () => (result.changed ? `${result.user} is now in ${result.group}` : `${result.user} was already in ${result.group}`));
}

/** `groundwork users revoke USER --group G`. */
export async function usersRevokeCommand(ctx: CommandContext, user: string, options: { group: string }): Promise<void> {
  const session = await openIdentitySession(ctx);
  const result = await revoke(session.identity, user, options.group);
  ctx.out.result(result, () => (result.changed ? `${result.user} is no longer in ${result.group}` : `${result.user} was not in ${result.group}`));
}
