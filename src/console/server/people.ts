import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../../identity/identity-context.js';
import { type AssignmentState, assignmentKind } from '../../identity/kinds/assignment-kind.js';
import { readStoredUsers, type StoredUser } from '../../identity/people/identity-store-users.js';
import { importUsers } from '../../identity/people/import-users.js';
import { type UserAccess, usersWithAccess } from '../../identity/people/list-users.js';
import { createPerson, deactivatePerson } from '../../identity/people/manage-user.js';
import { grant, revoke } from '../../identity/people/membership.js';
import type { ConsoleDeps, GroupView } from './app.js';
import { memo } from './memo.js';

/** Options of {@link peopleOf}. */
export interface PeopleOptions {
  /** Where an uploaded users file is written for the import (and its rejected rows next to it). */
  readonly uploadsDir: string;
  /** How long a read of every user and assignment is served before it is read again in the background. @default 30 s */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Snapshot {
  /** Lower-case user name → the user as stored. */
  readonly stored: ReadonlyMap<string, StoredUser>;
  readonly assignments: readonly AssignmentState[];
  readonly users: readonly UserAccess[];
}

/** The snapshot with one user replaced (or added), their access worked out again from the assignments. */
function withUser(snapshot: Snapshot, user: StoredUser): Snapshot {
  const stored = new Map(snapshot.stored).set(user.username.toLowerCase(), user);
  const [access] = usersWithAccess(new Map([[user.username.toLowerCase(), user]]), snapshot.assignments);
  const users = [...snapshot.users.filter((u) => u.username.toLowerCase() !== user.username.toLowerCase()), ...(access ? [access] : [])].sort((a, b) =>
    a.username.localeCompare(b.username),
  );
  return { ...snapshot, stored, users };
}

/** The user with their memberships changed; membership IDs of groups added here are not known and not needed. */
function withGroups(user: StoredUser, groups: readonly string[]): StoredUser {
  return { ...user, memberships: new Map(groups.map((g) => [g, user.memberships.get(g) ?? ''])) };
}

/**
 * The people routes' domain calls over a prepared Identity Center context: the same functions as `groundwork users`.
 * Reading every user and membership is many calls in a large directory, so the read is kept and refreshed in the
 * background; a change made here is applied to the kept read at once (and recorded by AWS as usual), so the page shows
 * it without reading everything again. Changes made elsewhere show within `ttlMs`.
 */
export function peopleOf(identity: IdentityContext, options: PeopleOptions): ConsoleDeps['people'] {
  const snapshot = memo(
    async (): Promise<Snapshot> => {
      const [stored, assignments] = await Promise.all([readStoredUsers(identity), assignmentKind(identity).read()]);
      return { stored, assignments, users: usersWithAccess(stored, assignments) };
    },
    options.ttlMs ?? 30_000,
    options.now,
  );
  const patchUser = (username: string, change: (user: StoredUser) => StoredUser) =>
    snapshot.update((s) => {
      const user = s.stored.get(username.toLowerCase());
      return user ? withUser(s, change(user)) : s;
    });
  return {
    list: async () => [...(await snapshot()).users],
    groups: async () => {
      const { users, assignments } = await snapshot();
      return [...identity.registry.groupIds.keys()].sort().map((name): GroupView => {
        const access: Record<string, string[]> = {};
        for (const a of assignments) {
          if (a.principalType !== 'GROUP' || a.principal !== name) continue;
          access[a.account] = [...new Set([...(access[a.account] ?? []), a.permissionSet])].sort();
        }
        const members = users.filter((u) => u.groups.includes(name)).map((u) => u.username);
        return { name, memberCount: members.length, members, access };
      });
    },
    grant: async (user, group) => {
      const result = await grant(identity, user, group);
      patchUser(user, (u) => withGroups(u, [...new Set([...u.memberships.keys(), group])]));
      return result;
    },
    revoke: async (user, group) => {
      const result = await revoke(identity, user, group);
      patchUser(user, (u) =>
        withGroups(
          u,
          [...u.memberships.keys()].filter((g) => g !== group),
        ),
      );
      return result;
    },
    create: async (user) => {
      try {
        const created = await createPerson(identity, user);
        snapshot.update((s) =>
          withUser(s, {
            id: created.userId,
            username: created.user,
            email: user.email,
            givenName: user.given_name,
            familyName: user.family_name,
            displayName: user.display_name || `${user.given_name} ${user.family_name}`,
            memberships: new Map(created.groups.map((g) => [g, ''])),
          }),
        );
        return { user: created.user, groups: created.groups };
      } catch (error) {
        // A user created whose memberships failed exists now: read again rather than guess.
        await snapshot.refresh();
        throw error;
      }
    },
    deactivate: async (user) => {
      const result = await deactivatePerson(identity, user);
      patchUser(user, (u) => withGroups(u, []));
      return result;
    },
    importCsv: async (csv) => {
      mkdirSync(options.uploadsDir, { recursive: true });
      const dir = mkdtempSync(join(options.uploadsDir, 'import-'));
      const file = join(dir, 'users.csv');
      writeFileSync(file, csv);
      try {
        const summary = await importUsers(identity, file);
        // The per-row report travels in the answer; the rejected file is not kept on the server.
        return { ...summary, rejectedFile: undefined };
      } catch (error) {
        // The temporary path means nothing to the person who uploaded the file.
        if (error instanceof GroundworkError) throw new GroundworkError(error.code, error.message.replaceAll(file, 'the uploaded file'), error);
        throw error;
      } finally {
        rmSync(dir, { recursive: true, force: true });
        // An import changes many people: read them all again before answering.
        await snapshot.refresh();
      }
    },
  };
}
