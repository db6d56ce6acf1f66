import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

/** People as the sync workflow would find them in the infrastructure repository's CSV. */
const header = 'username,email,given_name,family_name,display_name,groups';
const person = (name: string, groups: string) => `${name},${name}@example.com,${name[0]?.toUpperCase()}${name.slice(1)},Person,,${groups}`;

describe('users import --remove-missing (the people sync): people absent from the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-sync-'));
  const file = (name: string, rows: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${[header, ...rows].join('\n')}\n`);
    return path;
  };
  const importFile = async (path: string, ...flags: string[]) => cli(['users', 'import', path, '--json', ...flags, ...sandbox.at]);
  const groupsOf = async () => {
    const run = await cli(['users', 'list', '--json', ...sandbox.at]);
    return Object.fromEntries((JSON.parse(run.stdout).users as { username: string; groups: string[] }[]).map((u) => [u.username, u.groups]));
  };

  beforeAll(async () => {
    expect((await cli(['apply', '--yes', ...sandbox.at])).code).toBe(0);
    const all = await importFile(
      file('all.csv', [person('ann', 'Developers'), person('bob', 'Developers'), person('cy', 'Operators'), person('dee', 'Developers')]),
    );
    expect(JSON.parse(all.stdout)).toMatchObject({ created: 4 });
  }, 240_000);

  it('lists them and changes nothing by default', async () => {
    const run = await importFile(file('two.csv', [person('ann', 'Developers'), person('bob', 'Developers')]));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ unchanged: 2, missing: ['cy', 'dee'], deactivated: [] });
    expect(await groupsOf()).toMatchObject({ cy: ['Operators'], dee: ['Developers'] });
  });

  it('refuses, changing nothing, when more would be deactivated than max-removals allows (a truncated file)', async () => {
    const truncated = file('truncated.csv', [person('ann', 'Developers')]);
    const run = await importFile(truncated, '--remove-missing', '--max-removals', '2');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatchObject({
      code: 'IMPORT_STOPPED',
      message: expect.stringMatching(/^3 people are in Identity Center but not in .*truncated\.csv, more than max-removals \(2\); nothing was changed$/),
      details: ['would deactivate: bob', 'would deactivate: cy', 'would deactivate: dee'],
    });
    expect(await groupsOf()).toMatchObject({ bob: ['Developers'], cy: ['Operators'], dee: ['Developers'] });
  });

  it('with --remove-missing, deactivates them within the cap: memberships removed, the people kept', async () => {
    const run = await importFile(file('three.csv', [person('ann', 'Developers'), person('bob', 'Developers')]), '--remove-missing', '--max-removals', '2');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ missing: ['cy', 'dee'], deactivated: ['cy', 'dee'] });
    const groups = await groupsOf();
    expect(groups).toMatchObject({ ann: ['Developers'], bob: ['Developers'], cy: [], dee: [] });
    // Already without managed memberships: listed, not counted against the cap again.
    const again = await importFile(file('four.csv', [person('ann', 'Developers'), person('bob', 'Developers')]), '--remove-missing', '--max-removals', '0');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ missing: ['cy', 'dee'], deactivated: [] });
  });
});
