import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SHARED_PATHS } from './helpers/paths.js';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

// Legacy IAM users attach AWS managed policies, so this emulator loads them.
const sandbox = useTestEmulator({ awsManagedPolicies: true });
beforeAll(async () => {
  const iam = sandbox.emulator.clients().create(IAMClient);
  const inline = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Logs', Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }] });
  await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'logs', PolicyDocument: inline }));
  for (const name of ['alice.smith', 'bob.jones']) {
    await iam.send(new CreateUserCommand({ UserName: name, Tags: [{ Key: 'email', Value: `${name}@corp.example.com` }] }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: name }));
  }
  await iam.send(new CreateUserCommand({ UserName: 'carol' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'deploy-app',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }] }),
    }),
  );
  await iam.send(new CreateUserCommand({ UserName: 'dave' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: Policy?.Arn as string }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'dave',
      PolicyName: 's3',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
    }),
  );
});

describe('groundwork users migrate-iam', () => {
  const out = mkdtempSync(join(tmpdir(), 'gw-migrate-'));

  it('groups users with the same effective policies and proposes a permission set for each, reading only', async () => {
    const run = await cli(['users', 'migrate-iam', '--out', out, '--account', 'dev', '--json', ...sandbox.at]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.users).toBe(4);
    expect(result.profiles).toEqual([
      {
        permissionSet: 'Legacy-devs',
        group: 'Legacy-devs',
        users: ['alice.smith', 'bob.jones'],
        awsManagedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
        customerManagedPolicies: [],
        inlineStatements: 1,
      },
      {
        permissionSet: 'Legacy-ReadOnlyAccess',
        group: 'Legacy-ReadOnlyAccess',
        users: ['carol'],
        awsManagedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        customerManagedPolicies: [],
        inlineStatements: 0,
      },
      {
        permissionSet: 'Legacy-deploy-app',
        group: 'Legacy-deploy-app',
        users: ['dave'],
        awsManagedPolicies: [],
        customerManagedPolicies: ['deploy-app'],
        inlineStatements: 1,
      },
    ]);
    const report = readFileSync(join(out, 'MIGRATION.md'), 'utf8');
    const operations = /read-only calls \(([^)]*)\)/.exec(report)?.[1]?.split(', ') ?? [];
    expect(operations.length).toBeGreaterThan(3);
    for (const operation of operations) expect(operation).toMatch(/^(List|Get)/);
    expect(result.warnings[0]).toMatch(/2 user\(s\) have no e-mail tag.*carol, dave/);
  });

  it('writes a users CSV that imports, so each person gets the access they have today', async () => {
    const csv = readFileSync(join(out, 'users.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('username,email,given_name,family_name,display_name,groups');
    expect(csv).toContain('alice.smith,alice.smith@corp.example.com,Alice,Smith,Alice Smith,Legacy-devs');

    const config = parse(readFileSync(join(SHARED_PATHS.root, 'groundwork.yaml'), 'utf8'));
    const snippet = parse(readFileSync(join(out, 'groundwork.migrated.yaml'), 'utf8'));
    config.identityCenter.permissionSets.push(...snippet.identityCenter.permissionSets);
    config.identityCenter.groups.push(...snippet.identityCenter.groups);
    config.identityCenter.assignments.push(...snippet.identityCenter.assignments);
    const merged = join(out, 'groundwork.yaml');
    writeFileSync(merged, stringify(config));
    expect((await cli(['validate', '--config', merged])).code).toBe(0);
    const apply = await cli(['apply', '--yes', '--config', merged, ...sandbox.at]);
    expect(apply.stderr).not.toMatch(/✗/);
    expect(apply.code).toBe(0);
    const imported = JSON.parse((await cli(['users', 'import', join(out, 'users.csv'), '--json', '--config', merged, ...sandbox.at])).stdout);
    expect(imported).toMatchObject({ created: 4, rejected: [] });
    const list = JSON.parse((await cli(['users', 'list', '--json', '--config', merged, ...sandbox.at])).stdout);
    expect(list.users.find((u: { username: string }) => u.username === 'alice.smith').access).toEqual({ dev: ['Legacy-devs'] });
  });

  it('refuses to overwrite an earlier proposal without --force', async () => {
    const run = await cli(['users', 'migrate-iam', '--out', out, ...sandbox.at]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already exist.*\nhint: choose another --out folder, or pass --force/);
  });
});
