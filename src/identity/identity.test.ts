import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  paginateListGroupMemberships,
  paginateListGroups,
  paginateListUsers,
} from '@aws-sdk/client-identitystore';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  CreateAccountAssignmentCommand,
  DescribePermissionSetCommand,
  ListInstancesCommand,
  paginateListAccountAssignments,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyFoundation, configWith, planFoundation, summary } from '../../test/helpers/org.js';
import { cli } from '../../test/helpers/run-cli.js';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';
import { applyPlan } from '../engine/apply.js';

const sandbox = useTestEmulator();
beforeEach(() => sandbox.emulator.reset());

const sso = () => sandbox.emulator.clients().create(SSOAdminClient);
const store = () => sandbox.emulator.clients().create(IdentitystoreClient);

async function instance() {
  const { Instances } = await sso().send(new ListInstancesCommand({}));
  return { instanceArn: Instances?.[0]?.InstanceArn as string, identityStoreId: Instances?.[0]?.IdentityStoreId as string };
}

async function accountIds(): Promise<Map<string, string>> {
  const { Accounts } = await sandbox.emulator.clients().create(OrganizationsClient).send(new ListAccountsCommand({}));
  return new Map((Accounts ?? []).map((a) => [a.Name === 'master' ? 'management' : (a.Name as string), a.Id as string]));
}

/** Every group assignment as "group · set · account". */
async function liveAssignments(): Promise<string[]> {
  const { instanceArn, identityStoreId } = await instance();
  const groups = new Map<string, string>();
  for await (const page of paginateListGroups({ client: store() }, { IdentityStoreId: identityStoreId }))
    for (const g of page.Groups ?? []) groups.set(g.GroupId as string, g.DisplayName as string);
  const sets = new Map<string, string>();
  for await (const page of paginateListPermissionSets({ client: sso() }, { InstanceArn: instanceArn })) {
    for (const arn of page.PermissionSets ?? [])
      sets.set(arn, (await sso().send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))).PermissionSet?.Name as string);
  }
  const out: string[] = [];
  for (const [name, id] of await accountIds()) {
    for (const [arn, setName] of sets) {
      for await (const page of paginateListAccountAssignments({ client: sso() }, { InstanceArn: instanceArn, AccountId: id, PermissionSetArn: arn })) {
        for (const a of page.AccountAssignments ?? []) out.push(`${groups.get(a.PrincipalId as string) ?? a.PrincipalId} · ${setName} · ${name}`);
      }
    }
  }
  return out.sort();
}

function csvFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-users-')), 'users.csv');
  writeFileSync(file, text);
  return file;
}

describe('Identity Center through plan/apply', () => {
  it('creates the four permission sets with their policies and session lengths', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const { instanceArn } = await instance();
    const found: Record<string, { hours: string; policies: string[] }> = {};
    for await (const page of paginateListPermissionSets({ client: sso() }, { InstanceArn: instanceArn })) {
      for (const arn of page.PermissionSets ?? []) {
        const { PermissionSet } = await sso().send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
        const policies: string[] = [];
        for await (const p of paginateListManagedPoliciesInPermissionSet({ client: sso() }, { InstanceArn: instanceArn, PermissionSetArn: arn })) {
          policies.push(...(p.AttachedManagedPolicies ?? []).map((m) => m.Name as string));
        }
        found[PermissionSet?.Name as string] = { hours: PermissionSet?.SessionDuration as string, policies };
      }
    }
    expect(found).toEqual({
      PlatformAdmin: { hours: 'PT4H', policies: ['AdministratorAccess'] },
      Developer: { hours: 'PT8H', policies: ['PowerUserAccess'] },
      ReadOnly: { hours: 'PT8H', policies: ['ReadOnlyAccess'] },
      Billing: { hours: 'PT4H', policies: ['Billing'] },
    });
  });

  it('creates the three groups and assigns them on the right accounts', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const names: string[] = [];
    for await (const page of paginateListGroups({ client: store() }, { IdentityStoreId: (await instance()).identityStoreId }))
      names.push(...(page.Groups ?? []).map((g) => g.DisplayName as string));
    expect(names.sort()).toEqual(['BackendDevelopers', 'Developers', 'Operators']);
    expect(await liveAssignments()).toEqual(
      [
        ...['management', 'prod', 'staging', 'dev', 'cicd', 'log-archive', 'security'].map((a) => `Operators · PlatformAdmin · ${a}`),
        'Operators · Billing · management',
        'Developers · Developer · dev',
        'Developers · ReadOnly · staging',
        'Developers · ReadOnly · cicd',
        'BackendDevelopers · Developer · dev',
        'BackendDevelopers · ReadOnly · staging',
        'BackendDevelopers · ReadOnly · prod',
        'BackendDevelopers · ReadOnly · cicd',
      ].sort(),
    );
  });

  it('applies twice to an empty plan', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    expect(summary(await planFoundation(configWith(), sandbox.emulator.clients()))).toEqual([]);
  });

  it('expands an OU target at plan time, so a new account in the OU is covered on the next apply', async () => {
    const withOu = (extra: boolean) =>
      configWith((raw) => {
        raw.identityCenter.assignments.push({ group: 'Developers', permissionSet: 'ReadOnly', organizationalUnits: ['Stage'] });
        if (extra) raw.organization.accounts.push({ name: 'qa', organizationalUnit: 'Stage' });
      });
    await applyFoundation(withOu(false), sandbox.emulator.clients());
    expect(await liveAssignments()).toContain('Developers · ReadOnly · prod');
    const plan = await planFoundation(withOu(true), sandbox.emulator.clients());
    expect(summary(plan).filter((l) => l.includes('assignment'))).toEqual([
      'create assignment:Operators · PlatformAdmin · qa',
      'create assignment:Developers · ReadOnly · qa',
    ]);
    await applyPlan(plan);
    expect(await liveAssignments()).toContain('Developers · ReadOnly · qa');
  });

  it('removes a group assignment that leaves the config, and updates a changed permission set in place', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const changed = configWith((raw) => {
      raw.identityCenter.assignments = raw.identityCenter.assignments.filter((a: { group: string }) => a.group !== 'Developers' || true);
      raw.identityCenter.assignments.find(
        (a: { group: string; permissionSet: string }) => a.group === 'Developers' && a.permissionSet === 'ReadOnly',
      ).accounts = ['staging'];
      raw.identityCenter.permissionSets.find((p: { name: string }) => p.name === 'ReadOnly').sessionDurationHours = 2;
    });
    const plan = await planFoundation(changed, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['update permission-set:ReadOnly', 'delete assignment:Developers · ReadOnly · cicd']);
    expect(plan.changes[0]?.details).toMatchObject({ sessionDurationHours: { from: 8, to: 2 }, reprovision: true });
    await applyPlan(plan);
    expect(await liveAssignments()).not.toContain('Developers · ReadOnly · cicd');
    expect(summary(await planFoundation(changed, sandbox.emulator.clients()))).toEqual([]);
  });

  it('never reverts an assignment made to a single user, and lists it as unmanaged', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const import1 = await cli([
      'users',
      'import',
      csvFile('username,email,given_name,family_name,display_name,groups\nzoe,zoe@example.com,Zoe,Z,,\n'),
      ...sandbox.at,
    ]);
    expect(import1.code).toBe(0);
    const { instanceArn, identityStoreId } = await instance();
    let userId = '';
    for await (const page of paginateListUsers({ client: store() }, { IdentityStoreId: identityStoreId }))
      userId = page.Users?.find((u) => u.UserName === 'zoe')?.UserId ?? userId;
    const plan0 = await planFoundation(configWith(), sandbox.emulator.clients());
    expect(plan0.changes).toEqual([]);
    const sets: string[] = [];
    for await (const page of paginateListPermissionSets({ client: sso() }, { InstanceArn: instanceArn })) sets.push(...(page.PermissionSets ?? []));
    await sso().send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instanceArn,
        TargetId: (await accountIds()).get('prod'),
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: sets[0],
        PrincipalType: 'USER',
        PrincipalId: userId,
      }),
    );
    const plan = await planFoundation(configWith(), sandbox.emulator.clients());
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged.map((f) => f.message)).toEqual([expect.stringMatching(/direct assignment of user .* in prod; never reverted/)]);
  });
});

describe('groundwork users import', () => {
  const header = 'username,email,given_name,family_name,display_name,groups\n';

  it('imports exactly the valid rows, reports each bad row by line, and keeps the bad rows in FILE.rejected.csv', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const file = csvFile(
      `\uFEFF${header}` +
        'ana,ana@example.com,Ana,García,"García, Ana",Operators;Developers\n' +
        'bad-email,nope,Bad,Email,,Developers\n' +
        '"multi",multi@example.com,Multi,"Line\nName",,Developers\n' +
        'ANA,ana2@example.com,Ana,Again,,\n' +
        'ghost,ghost@example.com,Ghost,Group,,Nobody\n' +
        ' spaced,spaced@example.com,S,P,,\n' +
        'ben,ben@example.com,Ben,O,,BackendDevelopers\n',
    );
    const run = await cli(['users', 'import', file, '--json', ...sandbox.at]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect({ created: result.created, updated: result.updated, unchanged: result.unchanged }).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(result.rejected).toEqual([
      { line: 3, errors: ['email "nope" is not a valid e-mail address'] },
      { line: 6, errors: ['username "ANA" already appears on line 2 (user names are case-insensitive)'] },
      { line: 7, errors: ['group "Nobody" does not exist'] },
      { line: 8, errors: ['username has leading or trailing spaces'] },
    ]);
    const rejected = readFileSync(`${file}.rejected.csv`, 'utf8');
    expect(rejected.split('\n')[0]).toBe('username,email,given_name,family_name,display_name,groups,reason');
    expect(rejected).toContain('bad-email,nope,Bad,Email,,Developers,"email ""nope"" is not a valid e-mail address"');

    const list = JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout);
    const ana = list.users.find((u: { username: string }) => u.username === 'ana');
    expect(ana).toMatchObject({ displayName: 'García, Ana', groups: ['Developers', 'Operators'] });
    expect(ana.access.dev).toEqual(['Developer', 'PlatformAdmin']);
    expect(list.users.find((u: { username: string }) => u.username === 'multi')).toBeDefined();

    const again = JSON.parse((await cli(['users', 'import', file, '--json', ...sandbox.at])).stdout);
    expect({ created: again.created, updated: again.updated, unchanged: again.unchanged }).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it('makes group memberships match the row, and updates changed attributes', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    await cli(['users', 'import', csvFile(`${header}ana,ana@example.com,Ana,G,,Operators;Developers\n`), ...sandbox.at]);
    const run = await cli(['users', 'import', csvFile(`${header}ana,ana@new.example.com,Ana,G,,Developers\n`), '--json', ...sandbox.at]);
    expect(JSON.parse(run.stdout)).toMatchObject({ created: 0, updated: 1, unchanged: 0, recreatedInSandbox: ['ana'] });
    const list = JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout);
    expect(list.users).toEqual([expect.objectContaining({ username: 'ana', email: 'ana@new.example.com', groups: ['Developers'] })]);
  });

  it('leaves memberships of groups outside the config alone, counts them as kept, and refuses rows naming such a group', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    await cli(['users', 'import', csvFile(`${header}ana,ana@example.com,Ana,G,,Operators;Developers\n`), ...sandbox.at]);
    // A group made outside Groundwork (SCIM or the console), with ana added by hand.
    const { identityStoreId } = await instance();
    const { GroupId } = await store().send(new CreateGroupCommand({ IdentityStoreId: identityStoreId, DisplayName: 'ScimEngineers' }));
    const { UserId } = await store().send(
      new GetUserIdCommand({
        IdentityStoreId: identityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'ana' } },
      }),
    );
    await store().send(new CreateGroupMembershipCommand({ IdentityStoreId: identityStoreId, GroupId, MemberId: { UserId: UserId as string } }));

    // The row drops Operators and changes the e-mail (the sandbox re-creates the user): ScimEngineers must survive both.
    const run = await cli([
      'users',
      'import',
      csvFile(`${header}ana,ana@new.example.com,Ana,G,,Developers\nben,ben@example.com,Ben,O,,ScimEngineers\n`),
      '--json',
      ...sandbox.at,
    ]);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ created: 0, updated: 1, kept: 1 });
    expect(result.rejected).toEqual([
      {
        line: 3,
        errors: ['group "ScimEngineers" is not declared in the config; an import manages only declared groups (add it under identityCenter.groups)'],
      },
    ]);
    const list = JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout);
    expect(list.users).toEqual([expect.objectContaining({ username: 'ana', groups: ['Developers', 'ScimEngineers'] })]);

    const text = await cli(['users', 'import', csvFile(`${header}ana,ana@new.example.com,Ana,G,,Developers\n`), ...sandbox.at]);
    expect(text.stdout).toMatch(/unchanged 1, kept 1, rejected 0/);
    expect(text.stdout).toMatch(/Kept 1 membership\(s\) in groups the config does not declare/);
  });

  it('writes nothing with --dry-run', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const file = csvFile(`${header}ana,ana@example.com,Ana,G,,Operators\nbad,bad,B,B,,\n`);
    const run = JSON.parse((await cli(['users', 'import', file, '--dry-run', '--json', ...sandbox.at])).stdout);
    expect(run).toMatchObject({ created: 1, dryRun: true });
    expect(existsSync(`${file}.rejected.csv`)).toBe(false);
    expect(JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout).users).toEqual([]);
  });

  it('refuses a file with the wrong header, naming what is missing', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const run = await cli(['users', 'import', csvFile('user,email\nx,y\n'), ...sandbox.at]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:1: the header must be username,email,given_name,family_name,display_name,groups\n {2}missing: username, given_name/);
  });

  it('refuses a file that does not exist', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    const run = await cli(['users', 'import', '/nonexistent/users.csv', ...sandbox.at]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: users file not found: \/nonexistent\/users\.csv/);
  });
});

describe('groundwork users grant and revoke', () => {
  it('adds and removes a group membership, and says when nothing changed', async () => {
    await applyFoundation(configWith(), sandbox.emulator.clients());
    await cli(['users', 'import', csvFile('username,email,given_name,family_name,display_name,groups\nana,ana@example.com,Ana,G,,\n'), ...sandbox.at]);
    expect((await cli(['users', 'grant', 'ana', '--group', 'Operators', ...sandbox.at])).stdout).toMatch(/ana is now in Operators/);
    expect((await cli(['users', 'grant', 'ana', '--group', 'Operators', ...sandbox.at])).stdout).toMatch(/ana was already in Operators/);
    const { identityStoreId } = await instance();
    let members = 0;
    for await (const page of paginateListGroups({ client: store() }, { IdentityStoreId: identityStoreId })) {
      const ops = page.Groups?.find((g) => g.DisplayName === 'Operators');
      if (ops)
        for await (const m of paginateListGroupMemberships({ client: store() }, { IdentityStoreId: identityStoreId, GroupId: ops.GroupId }))
          members += m.GroupMemberships?.length ?? 0;
    }
    expect(members).toBe(1);
    expect((await cli(['users', 'revoke', 'ana', '--group', 'Operators', ...sandbox.at])).stdout).toMatch(/ana is no longer in Operators/);
    const unknown = await cli(['users', 'grant', 'ana', '--group', 'Operatorz', ...sandbox.at]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/group "Operatorz" does not exist\nhint: did you mean "Operators"\?/);
  });
});
