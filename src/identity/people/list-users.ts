import type { IdentityContext } from '../identity-context.js';
import type { AssignmentState } from '../kinds/assignment-kind.js';
import { readStoredUsers, type StoredUser } from './identity-store-users.js';

/** A person with their groups and what they may do where. */
export interface UserAccess {
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly groups: readonly string[];
  /** Account name → permission set names, through groups and direct assignments. */
  readonly access: Record<string, string[]>;
}

/** Every user with groups and effective access per account, from live memberships and assignments. */
export async function listUsers(ctx: IdentityContext, assignments: readonly AssignmentState[]): Promise<UserAccess[]> {
  return usersWithAccess(await readStoredUsers(ctx), assignments);
}

/** Users as read from the store, with their groups and their access per account through groups and direct assignments. */
export function usersWithAccess(users: ReadonlyMap<string, StoredUser>, assignments: readonly AssignmentState[]): UserAccess[] {
  const byGroup = new Map<string, AssignmentState[]>();
  const byUser = new Map<string, AssignmentState[]>();
  for (const a of assignments) {
    const key = a.principalType === 'GROUP' ? a.principal : (a.principalId ?? '');
    const map = a.principalType === 'GROUP' ? byGroup : byUser;
    map.set(key, [...(map.get(key) ?? []), a]);
  }
  return [...users.values()]
    .map((user) => {
      const groups = [...user.memberships.keys()].sort();
      const access: Record<string, string[]> = {};
      for (const a of [...groups.flatMap((g) => byGroup.get(g) ?? []), ...(byUser.get(user.id) ?? [])]) {
        const sets = access[a.account] ?? [];
        if (!sets.includes(a.permissionSet)) sets.push(a.permissionSet);
        access[a.account] = sets.sort();
      }
      return { username: user.username, email: user.email, displayName: user.displayName, groups, access };
    })
    .sort((a, b) => a.username.localeCompare(b.username));
}
