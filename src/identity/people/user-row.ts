/** The CSV columns of a users file, in the contract's order. */
export const USER_COLUMNS = ['username', 'email', 'given_name', 'family_name', 'display_name', 'groups'] as const;

/** One valid row, ready to import. */
export interface UserRow {
  readonly username: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
  readonly groups: readonly string[];
}

/** Identity Store limits (see the IdentityStore API reference). */
export const IDENTITY_STORE_LIMITS = { userName: 128, name: 1024, email: 254 } as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Identity Store user names: letters, marks, symbols, numbers and punctuation; no spaces or control characters.
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;

/**
 * Validates one row (fields in USER_COLUMNS order); returns the row or every reason it is rejected. `knownGroups` are
 * the groups an import may manage (declared in the config and existing); `undeclaredGroups` exist outside the config.
 */
export function validateUserRow(
  fields: readonly string[],
  knownGroups: ReadonlySet<string>,
  undeclaredGroups: ReadonlySet<string> = new Set(),
): { row?: UserRow; errors: string[] } {
  const errors: string[] = [];
  if (fields.length !== USER_COLUMNS.length) {
    return { errors: [`has ${fields.length} field(s); expected ${USER_COLUMNS.length} (${USER_COLUMNS.join(',')})`] };
  }
  const [username = '', email = '', givenName = '', familyName = '', displayName = '', groupsField = ''] = fields;
  USER_COLUMNS.forEach((column, i) => {
    const value = fields[i] ?? '';
    if (value !== value.trim()) errors.push(`${column} has leading or trailing spaces`);
  });
  for (const [column, value] of [
    ['username', username],
    ['email', email],
    ['given_name', givenName],
    ['family_name', familyName],
  ] as const) {
    if (value.trim() === '') errors.push(`${column} is required`);
  }
  if (username.trim() !== '') {
    if (username.length > IDENTITY_STORE_LIMITS.userName)
      errors.push(`username has ${username.length} characters; Identity Store allows ${IDENTITY_STORE_LIMITS.userName}`);
    else if (!USERNAME.test(username.trim())) errors.push(`username "${username}" has spaces or characters Identity Store does not accept`);
  }
  if (email.trim() !== '' && (!EMAIL.test(email.trim()) || email.length > IDENTITY_STORE_LIMITS.email))
    errors.push(`email "${email}" is not a valid e-mail address`);
  for (const [column, value] of [
    ['given_name', givenName],
    ['family_name', familyName],
    ['display_name', displayName],
  ] as const) {
    if (value.length > IDENTITY_STORE_LIMITS.name) errors.push(`${column} has ${value.length} characters; Identity Store allows ${IDENTITY_STORE_LIMITS.name}`);
  }
  const groups = groupsField === '' ? [] : groupsField.split(';');
  for (const group of groups) {
    if (group.trim() === '') errors.push('groups has an empty entry (check for ";;" or a trailing ";")');
    else if (group !== group.trim()) errors.push(`group "${group}" has leading or trailing spaces`);
    else if (undeclaredGroups.has(group))
      errors.push(`group "${group}" is not declared in the config; an import manages only declared groups (add it under identityCenter.groups)`);
    else if (!knownGroups.has(group)) errors.push(`group "${group}" does not exist`);
  }
  if (new Set(groups).size !== groups.length) errors.push('groups lists the same group twice');
  if (errors.length > 0) return { errors };
  return {
    row: {
      username,
      email,
      givenName,
      familyName,
      displayName: displayName || `${givenName} ${familyName}`,
      groups: [...groups].sort(),
    },
    errors,
  };
}
