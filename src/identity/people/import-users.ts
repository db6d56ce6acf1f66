import { existsSync } from 'node:fs';
import { isError } from '../../aws/aws-error.js';
import { importBatch, readRecords, writeRejected } from '../../csv/records.js';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../identity-context.js';
import { addMembership, attributeChanges, createUser, readStoredUsers, removeMembership, type StoredUser, updateUser } from './identity-store-users.js';
import { USER_COLUMNS, type UserRow, validateUserRow } from './user-row.js';

/** The contract's summary: `{"created","updated","unchanged","rejected":[{"line","errors"}]}`, plus where rejects went. */
export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  /** Memberships in groups the config does not declare (SCIM, console): never added or removed by an import. */
  kept: number;
  readonly rejected: { line: number; errors: string[] }[];
  rejectedFile?: string;
  readonly dryRun: boolean;
  /** Users the sandbox had to re-create because the emulator has no UpdateUser. */
  readonly recreatedInSandbox: string[];
  /** People in Identity Center who are not in the file (user names), listed whether or not they are deactivated. */
  readonly missing: string[];
  /** Of those, the ones deactivated (every group membership removed; the user kept), with removeMissing. */
  readonly deactivated: string[];
  /** With `privileged`: the privileged changes of this run, each applied or held for an approved run. */
  readonly privileged: PrivilegedChange[];
}

/**
 * A change only an approved run may make: a membership of a group holding an administrator permission set, a change
 * of an existing user's attributes (the e-mail is how an account is taken over; the names go with it, in the one
 * UpdateUser call IAM cannot tell apart), or a membership the role itself was refused.
 */
export interface PrivilegedChange {
  /** Line of the file; absent for a deactivation (the person is not in the file). */
  readonly line?: number;
  readonly username: string;
  /** What the change is, for people: `add to Operators`, `change email (a@x → b@x)`. */
  readonly change: string;
  /** Made by this run (or, in a dry run, would be); otherwise held for a run allowed privileged changes. */
  readonly applied: boolean;
}

/** Which changes are privileged, and whether this run may make them. */
export interface PrivilegedPolicy {
  /** Groups whose memberships (added or removed) are privileged. */
  readonly groups: ReadonlySet<string>;
  /** Make privileged changes too (the approved run); otherwise hold them and make the others. */
  readonly allow: boolean;
}

/** Options of {@link importUsers}. */
export interface ImportOptions {
  readonly dryRun?: boolean;
  /** Rows imported at a time; memory stays flat as the file grows. @default 200 */
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly onProgress?: (done: number) => void;
  /** Deactivate people who are in Identity Center but not in the file (remove their memberships; never delete them). @default false */
  readonly removeMissing?: boolean;
  /** With removeMissing: refuse, before writing anything, when more people than this would be deactivated (a truncated file must not empty the directory). @default 5 */
  readonly maxRemovals?: number;
  /**
   * Tell privileged changes apart (the people sync). Without it every change is made: the CLI and the console act with
   * the operator's own credentials. @default undefined
   */
  readonly privileged?: PrivilegedPolicy;
}

/** The user names of a file, lower-cased, read before any write (bad rows count: a person on a bad row is not missing). */
async function usernamesIn(file: string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const { fields } of readRecords(file, USER_COLUMNS, 'examples/users.csv')) {
    const name = (fields[0] ?? '').trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}

/**
 * Imports users from a CSV file into Identity Center: every row is validated, bad rows are reported by line (and written to
 * FILE.rejected.csv with a reason), valid rows are created, updated or left unchanged, and group memberships match the row.
 */
export async function importUsers(ctx: IdentityContext, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  if (!existsSync(file)) throw new GroundworkError('USAGE', `users file not found: ${file}`, { hint: 'pass the path of a CSV file' });
  const declared = new Set(ctx.config.identityCenter.groups.map((g) => g.name));
  const existing = [...ctx.registry.groupIds.keys()];
  const knownGroups = new Set(existing.filter((g) => declared.has(g)));
  const undeclaredGroups = new Set(existing.filter((g) => !declared.has(g)));
  const stored = await readStoredUsers(ctx);
  const inFile = await usernamesIn(file);
  const missingUsers = [...stored.values()].filter((u) => !inFile.has(u.username.toLowerCase())).sort((a, b) => a.username.localeCompare(b.username));
  // Only memberships of declared groups are Groundwork's to remove; a person with none of those is already inactive here.
  const toDeactivate = options.removeMissing ? missingUsers.filter((u) => [...u.memberships.keys()].some((g) => knownGroups.has(g))) : [];
  const maxRemovals = options.maxRemovals ?? 5;
  if (toDeactivate.length > maxRemovals) {
    throw new GroundworkError(
      'IMPORT_STOPPED',
      `${toDeactivate.length} people are in Identity Center but not in ${file}, more than max-removals (${maxRemovals}); nothing was changed`,
      {
        details: toDeactivate.slice(0, 20).map((u) => `would deactivate: ${u.username}`),
        hint: 'check that the file is complete; if these people really left, raise max-removals for this run',
      },
    );
  }
  const summary: ImportSummary = {
    created: 0,
    updated: 0,
    unchanged: 0,
    kept: 0,
    rejected: [],
    dryRun: options.dryRun ?? false,
    recreatedInSandbox: [],
    missing: missingUsers.map((u) => u.username),
    deactivated: [],
    privileged: [],
  };
  const rejectedRows: string[][] = [];
  const seen = new Map<string, number>();
  const batchSize = options.batchSize ?? 200;
  let batch: { row: UserRow; line: number }[] = [];
  let done = 0;

  const flush = async () => {
    await importBatch(
      batch,
      options.concurrency ?? 8,
      ({ row, line }) => importRow(ctx, { row, line, existing: stored.get(row.username.toLowerCase()) }, knownGroups, options.privileged, summary),
      summary,
    );
    done += batch.length;
    options.onProgress?.(done);
    batch = [];
  };

  for await (const { line, fields } of readRecords(file, USER_COLUMNS, 'examples/users.csv')) {
    const { row, errors } = validateUserRow(fields, knownGroups, undeclaredGroups);
    const username = (fields[0] ?? '').trim().toLowerCase();
    const first = username ? seen.get(username) : undefined;
    if (first !== undefined) errors.push(`username "${fields[0]}" already appears on line ${first} (user names are case-insensitive)`);
    else if (username) seen.set(username, line);
    if (!row || errors.length > 0) {
      summary.rejected.push({ line, errors });
      rejectedRows.push([...fields, errors.join('; ')]);
      continue;
    }
    batch.push({ row, line });
    if (batch.length >= batchSize) await flush();
  }
  await flush();

  if (rejectedRows.length > 0 && !summary.dryRun) summary.rejectedFile = writeRejected(file, USER_COLUMNS, rejectedRows);
  for (const user of toDeactivate) {
    const writer = changeWriter({ username: user.username }, options.privileged, summary);
    for (const [group, membershipId] of user.memberships) {
      if (knownGroups.has(group)) await writer.membership(group, `remove from ${group}`, () => removeMembership(ctx, membershipId));
    }
    summary.deactivated.push(user.username);
  }
  // Rows are imported concurrently: report the privileged changes in the file's order, deactivations last.
  summary.privileged.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return summary;
}

/**
 * Makes or holds each change of one person: a privileged change is held unless the run allows it, and, when privileged
 * changes are told apart, a membership the role is refused (AccessDenied: its IAM policy excludes the group) is held too,
 * so the approved run makes it. Counts what was applied and held.
 */
function changeWriter(who: { username: string; line?: number }, policy: PrivilegedPolicy | undefined, summary: ImportSummary) {
  const counts = { applied: 0, held: 0 };
  const record = (change: string, applied: boolean) => {
    summary.privileged.push({ ...(who.line === undefined ? {} : { line: who.line }), username: who.username, change, applied });
    counts[applied ? 'applied' : 'held']++;
  };
  const make = async (privileged: boolean, change: string, write: () => Promise<unknown>) => {
    if (privileged && policy && !policy.allow) return record(change, false);
    if (!summary.dryRun) {
      try {
        await write();
      } catch (error) {
        if (!(policy && !policy.allow && isError(error, 'AccessDeniedException'))) throw error;
        return record(`${change} (the role was refused it: the group is not among those the unapproved sync may change)`, false);
      }
    }
    if (privileged && policy) record(change, true);
    else counts.applied++;
  };
  return {
    counts,
    membership: (group: string, change: string, write: () => Promise<unknown>) => make(policy?.groups.has(group) ?? false, change, write),
    attributes: (change: string, write: () => Promise<unknown>) => make(true, change, write),
  };
}

/** The attribute changes of a row, as people read them: the e-mail with its old and new value. */
function describeAttributes(attributes: readonly string[], row: UserRow, existing: StoredUser): string {
  const email = attributes.includes('email') ? [`email (${existing.email} → ${row.email})`] : [];
  return `change ${[...email, ...attributes.filter((a) => a !== 'email')].join(', ')}`;
}

async function importRow(
  ctx: IdentityContext,
  { row, line, existing }: { row: UserRow; line: number; existing: StoredUser | undefined },
  managedGroups: ReadonlySet<string>,
  policy: PrivilegedPolicy | undefined,
  summary: ImportSummary,
): Promise<void> {
  const writer = changeWriter({ username: row.username, line }, policy, summary);
  if (!existing) {
    const userId = summary.dryRun ? '' : await createUser(ctx, row);
    for (const group of row.groups) await writer.membership(group, `add to ${group}`, () => addMembership(ctx, userId, group));
    summary.created++;
    return;
  }
  const attributes = attributeChanges(row, existing);
  // Only memberships of declared groups follow the row; the others (SCIM, console) stay as they are.
  const current = [...existing.memberships.keys()].filter((g) => managedGroups.has(g));
  const kept = [...existing.memberships.keys()].filter((g) => !managedGroups.has(g));
  summary.kept += kept.length;
  const toAdd = row.groups.filter((g) => !existing.memberships.has(g));
  const toRemove = current.filter((g) => !row.groups.includes(g));
  if (attributes.length === 0 && toAdd.length === 0 && toRemove.length === 0) {
    summary.unchanged++;
    return;
  }
  let userId = existing.id;
  let recreated = false;
  if (attributes.length > 0) {
    await writer.attributes(describeAttributes(attributes, row, existing), async () => {
      const result = await updateUser(ctx, existing, row);
      userId = result.userId;
      recreated = result.outcome === 'recreated';
    });
  }
  if (recreated) {
    // Deleting the user removed every membership: restore the row's and the kept ones.
    summary.recreatedInSandbox.push(row.username);
    for (const group of [...row.groups, ...kept]) await addMembership(ctx, userId, group);
  } else {
    for (const group of toAdd) await writer.membership(group, `add to ${group}`, () => addMembership(ctx, userId, group));
    for (const group of toRemove)
      await writer.membership(group, `remove from ${group}`, () => removeMembership(ctx, existing.memberships.get(group) as string));
  }
  // A person whose every change waits for an approved run is neither updated nor unchanged: the held changes say so.
  if (writer.counts.applied > 0) summary.updated++;
}
