import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GroundworkError } from '../../errors.js';
import type { IdentityContext } from '../../identity/identity-context.js';
import { type AssignmentState, assignmentKind } from '../../identity/kinds/assignment-kind.js';
import { importUsers } from '../../identity/people/import-users.js';
import { listUsers, type UserAccess } from '../../identity/people/list-users.js';
import { createPerson, deactivatePerson } from '../../identity/people/manage-user.js';
import { grant, revoke } from '../../identity/people/membership.js';
import type { ConsoleDeps, GroupView } from './app.js';
import { memo } from './memo.js';

/** Options of {@link peopleOf}. */
export interface PeopleOptions {
  /** Where an uploaded users file is written for the import (and its rejected rows next to it). */
  readonly uploadsDir: string;
  /** How long a read of every user and assignment is reused; any change made here drops it. @default 30 s */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Snapshot {
  readonly users: UserAccess[];
  readonly assignments: readonly AssignmentState[];
}

/**
 * The people routes' domain calls over a prepared Identity Center context: the same functions as `groundwork users`.
 * Listing every user and membership is many calls in a large directory, so the read is kept for `ttlMs` and dropped
 * by every change made through the console (a change made elsewhere shows within `ttlMs`).
 */
export function peopleOf(identity: IdentityContext, options: PeopleOptions): ConsoleDeps['people'] {
  const snapshot = memo(
    async (): Promise<Snapshot> => {
      const assignments = await assignmentKind(identity).read();
      return { users: await listUsers(identity, assignments), assignments };
    },
    options.ttlMs ?? 30_000,
    options.now,
  );
  const changing = async <T>(change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } finally {
      snapshot.clear();
    }
  };
  return {
    list: async () => (await snapshot()).users,
    groups: async () => {
      const { users, assignments } = await snapshot();
      return [...identity.registry.groupIds.keys()].sort().map((name): GroupView => {
        const access: Record<string, string[]> = {};
        for (const a of assignments) {
          if (a.principalType !== 'GROUP' || a.principal !== name) continue;
          access[a.account] = [...new Set([...(access[a.account] ?? []), a.permissionSet])].sort();
        }
        return { name, members: users.filter((u) => u.groups.includes(name)).map((u) => u.username), access };
      });
    },
    grant: (user, group) => changing(() => grant(identity, user, group)),
    revoke: (user, group) => changing(() => revoke(identity, user, group)),
    create: (user) => changing(() => createPerson(identity, user)),
    deactivate: (user) => changing(() => deactivatePerson(identity, user)),
    importCsv: (csv) =>
      changing(async () => {
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
        }
      }),
  };
}
