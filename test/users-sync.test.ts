import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory } from '../src/aws/client-factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { roleMayCall, type SynthesizedTemplate } from '../src/delivery/trust-policy.js';
import { syncPeople } from '../src/gitops/sync-people.js';
import { privilegedGroups } from '../src/identity/people/privileged-groups.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { SHARED_PATHS } from './helpers/paths.js';
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

/**
 * The people sync as the sync-sso-users action runs it (syncPeople), on the default groundwork.yaml: Operators holds
 * PlatformAdmin (AdministratorAccess), so its memberships are privileged, and so is any change of an existing person.
 */
describe('the people sync: privileged changes wait for an approved run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-privileged-'));
  const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));
  const write = (rows: string[]) => {
    const path = join(dir, `people-${rows.length}-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, `${[header, ...rows].join('\n')}\n`);
    return path;
  };
  const people = async () => {
    const run = await cli(['users', 'list', '--json', ...sandbox.at]);
    return Object.fromEntries(
      (JSON.parse(run.stdout).users as { username: string; email: string; groups: string[] }[]).map((u) => [u.username, { email: u.email, groups: u.groups }]),
    );
  };
  const bootstrap = JSON.parse(readFileSync(join(SHARED_PATHS.root, 'cloudformation/foundation-bootstrap.json'), 'utf8')) as SynthesizedTemplate & {
    Parameters: Record<string, { Default?: string }>;
  };

  it('names Operators, the group holding AdministratorAccess, and no other group of the default config', () => {
    expect([...privilegedGroups(config)]).toEqual(['Operators']);
  });

  it('without approval: creates the person and the other memberships, holds the Operators membership and the e-mail change, each by line', async () => {
    await syncPeople(config, sandbox.emulator.clients(), write([person('fay', 'Developers'), person('gus', 'Developers')]), { allowPrivileged: true });
    const file = write([
      person('fay', 'BackendDevelopers;Developers;Operators'),
      'gus,gus@evil.example,Gus,Person,,Developers',
      person('hal', 'Developers;Operators'),
    ]);
    const summary = await syncPeople(config, sandbox.emulator.clients(), file);
    expect(summary.privileged).toEqual([
      { line: 2, username: 'fay', change: 'add to Operators', applied: false },
      { line: 3, username: 'gus', change: 'change email (gus@example.com → gus@evil.example)', applied: false },
      { line: 4, username: 'hal', change: 'add to Operators', applied: false },
    ]);
    expect(summary).toMatchObject({ created: 1, updated: 1, unchanged: 0, privilegedGroups: ['Operators'] });
    expect(await people()).toMatchObject({
      fay: { groups: ['BackendDevelopers', 'Developers'] },
      gus: { email: 'gus@example.com', groups: ['Developers'] },
      hal: { groups: ['Developers'] },
    });
    // The approved run makes exactly what was held.
    const approved = await syncPeople(config, sandbox.emulator.clients(), file, { allowPrivileged: true });
    expect(approved.privileged.map((c) => [c.username, c.change, c.applied])).toEqual([
      ['fay', 'add to Operators', true],
      ['gus', 'change email (gus@example.com → gus@evil.example)', true],
      ['hal', 'add to Operators', true],
    ]);
    expect(await people()).toMatchObject({
      fay: { groups: ['BackendDevelopers', 'Developers', 'Operators'] },
      gus: { email: 'gus@evil.example', groups: ['Developers'] },
      hal: { groups: ['Developers', 'Operators'] },
    });
  });

  it('without approval, holds the removal of an operator too, and a deactivation out of Operators', async () => {
    const file = write([person('fay', 'BackendDevelopers;Developers'), 'gus,gus@evil.example,Gus,Person,,Developers']);
    const summary = await syncPeople(config, sandbox.emulator.clients(), file, { removeMissing: true, maxRemovals: 10 });
    expect(summary.privileged.filter((c) => !c.applied).map((c) => [c.line, c.username, c.change])).toEqual(
      expect.arrayContaining([
        [2, 'fay', 'remove from Operators'],
        [undefined, 'hal', 'remove from Operators'],
      ]),
    );
    expect(await people()).toMatchObject({ fay: { groups: ['BackendDevelopers', 'Developers', 'Operators'] }, hal: { groups: ['Operators'] } });
  });

  /**
   * moto ignores IAM, so a proxy in front of it answers as IAM would for the sync role: each identity-store write is
   * checked against the synthesized bootstrap template's SyncRole policy (roleMayCall over every resource the action
   * requires), with SyncGroupArns as the runbook sets it.
   */
  async function asTheSyncRole(syncGroupArns: string) {
    const parameters = {
      ...Object.fromEntries(Object.entries(bootstrap.Parameters).map(([name, p]) => [name, p.Default ?? ''])),
      GitHubOwner: 'acme',
      InfraRepository: 'infra',
      SyncGroupArns: syncGroupArns,
    };
    const ctx = { parameters, accountId: '123456789012' };
    const store = (id: string) => `arn:aws:identitystore::123456789012:identitystore/${id}`;
    const resources: Record<string, (b: Record<string, unknown>) => string[]> = {
      CreateUser: (b) => [store(String(b.IdentityStoreId))],
      UpdateUser: (b) => [store(String(b.IdentityStoreId)), `arn:aws:identitystore:::user/${b.UserId}`],
      CreateGroupMembership: (b) => [
        store(String(b.IdentityStoreId)),
        `arn:aws:identitystore:::group/${b.GroupId}`,
        `arn:aws:identitystore:::user/${(b.MemberId as { UserId: string }).UserId}`,
      ],
    };
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        const needs = resources[operation]?.(JSON.parse(body));
        if (!needs || needs.every((r) => roleMayCall(bootstrap, 'SyncRole', `identitystore:${operation}`, r, ctx))) return undefined;
        return {
          status: 400,
          errorType: 'AccessDeniedException',
          message: `User: arn:aws:sts::123456789012:assumed-role/groundwork-foundation-sync/sync is not authorized to perform: identitystore:${operation}`,
        };
      },
    });
    return { proxy, clients: new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: proxy.endpoint }) };
  }

  it('a modified workflow that allows privileged changes with the sync role is refused by its IAM policy: no Operators membership, no e-mail change', async () => {
    const first = await syncPeople(config, sandbox.emulator.clients(), write([person('ida', 'Developers')]));
    const { proxy, clients } = await asTheSyncRole(first.syncGroupArns.join(','));
    try {
      const attack = write([person('ida', 'Developers;Operators')]);
      await expect(syncPeople(config, clients, attack, { allowPrivileged: true })).rejects.toMatchObject({
        code: 'IMPORT_STOPPED',
        message: expect.stringMatching(/not authorized to perform: identitystore:CreateGroupMembership/),
      });
      const takeover = write([person('ida', 'Developers').replace('ida@example.com', 'ida@evil.example')]);
      await expect(syncPeople(config, clients, takeover, { allowPrivileged: true })).rejects.toMatchObject({
        code: 'IMPORT_STOPPED',
        message: expect.stringMatching(/not authorized to perform: identitystore:UpdateUser/),
      });
    } finally {
      await proxy.close();
    }
    expect((await people()).ida).toEqual({ email: 'ida@example.com', groups: ['Developers'] });
  });

  it('a group the sync role may not change (not in SyncGroupArns) is held, not failed, so the approved run makes it', async () => {
    const { syncGroupArns } = await syncPeople(config, sandbox.emulator.clients(), write([person('jo', 'Developers')]));
    // Developers and BackendDevelopers: the value the runbook puts in SyncGroupArns. Here the role has none of them.
    expect(syncGroupArns).toEqual([expect.stringMatching(/^arn:aws:identitystore:::group\/\S+$/), expect.stringMatching(/^arn:aws:identitystore:::group\//)]);
    const { proxy, clients } = await asTheSyncRole('');
    try {
      const summary = await syncPeople(config, clients, write([person('jo', 'BackendDevelopers;Developers')]));
      expect(summary.privileged).toEqual([
        {
          line: 2,
          username: 'jo',
          change: 'add to BackendDevelopers (the role was refused it: the group is not among those the unapproved sync may change)',
          applied: false,
        },
      ]);
    } finally {
      await proxy.close();
    }
    expect((await people()).jo?.groups).toEqual(['Developers']);
  });
});
