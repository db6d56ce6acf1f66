import type { GroundworkConfig } from '../../config/resolved-config.js';
import { readRecords } from '../../csv/records.js';
import { USER_COLUMNS, validateUserRow } from './user-row.js';

/** What an offline check of a people file found: its rows, and every row an import would reject, by line. */
export interface PeopleFileCheck {
  readonly rows: number;
  readonly rejected: readonly { line: number; errors: string[] }[];
}

/**
 * Checks a people CSV against the config alone, without AWS: each row by the import's own rules, with the config's
 * declared groups as the groups it may manage, and a user name or e-mail given twice. What passes here can still
 * meet a conflict in Identity Center itself (an e-mail used by someone not in the file); the import reports those.
 */
export async function checkPeopleFile(file: string, config: GroundworkConfig): Promise<PeopleFileCheck> {
  const declared = new Set(config.identityCenter.groups.map((g) => g.name));
  const seen = { username: new Map<string, number>(), email: new Map<string, number>() };
  const rejected: { line: number; errors: string[] }[] = [];
  let rows = 0;
  for await (const { line, fields } of readRecords(file, USER_COLUMNS, 'examples/users.csv')) {
    rows++;
    const result = validateUserRow(fields, declared);
    const { row } = result;
    // Offline, a group unknown to the config is one it does not declare (the import would not manage it either).
    const errors = result.errors.map((e) => e.replace(/^group "(.*)" does not exist$/, 'group "$1" is not declared in the config (identityCenter.groups)'));
    if (row) {
      for (const key of ['username', 'email'] as const) {
        const value = row[key].toLowerCase();
        const first = seen[key].get(value);
        if (first !== undefined) errors.push(`${key} "${row[key]}" is also on line ${first}`);
        else seen[key].set(value, line);
      }
    }
    if (errors.length > 0) rejected.push({ line, errors });
  }
  return { rows, rejected };
}
