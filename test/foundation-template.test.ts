import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleAdmits, roleMayCall, type SynthesizedTemplate } from '../src/delivery/trust-policy.js';
import { FOUNDATION_ROLES } from '../src/infra/templates/foundation-bootstrap-stack.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { runJob, type WorkflowJob } from './helpers/workflow-runner.js';

const caller = parse(readFileSync(join(SHARED_PATHS.root, 'workflows-templates/foundation.yml'), 'utf8')) as { jobs: Record<string, WorkflowJob> };
const bootstrap = JSON.parse(readFileSync(join(SHARED_PATHS.root, 'cloudformation/foundation-bootstrap.json'), 'utf8')) as SynthesizedTemplate & {
  Parameters: Record<string, { Default?: string }>;
};

describe('the infrastructure caller template', () => {
  it("tells apply from people sync by the push's changed files, as its changes job runs in a real repository", async () => {
    const repo = mkdtempSync(join(tmpdir(), 'gw-infra-repo-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ops@example.com');
    git('config', 'user.name', 'Ops');
    const commit = (file: string, text: string) => {
      writeFileSync(join(repo, file), text);
      git('add', file);
      git('commit', '-q', '-m', `change ${file}`);
      return git('rev-parse', 'HEAD');
    };
    const first = commit('groundwork.yaml', 'organization: {}\n');
    const people = commit('people.csv', 'username\n');
    const config = commit('groundwork.yaml', 'organization: { homeRegion: eu-west-1 }\n');
    const changes = (before: string, sha: string) =>
      runJob(
        caller.jobs.changes as WorkflowJob,
        { inputs: {}, github: { sha, event: { before } }, needs: {} },
        { workspace: repo, env: { PATH: process.env.PATH ?? '' } },
      );
    expect((await changes(first, people)).outputs).toEqual({ foundation: 'false', people: 'true' });
    expect((await changes(people, config)).outputs).toEqual({ foundation: 'true', people: 'false' });
    expect((await changes(first, config)).outputs).toEqual({ foundation: 'true', people: 'true' });
    // The first push of a branch has no "before": everything runs.
    expect((await changes('0000000000000000000000000000000000000000', config)).outputs).toEqual({ foundation: 'true', people: 'true' });
  });

  it("names the bootstrap template's roles and its default apply environment", () => {
    expect(FOUNDATION_ROLES).toEqual({
      plan: 'groundwork-foundation-plan',
      deploy: 'groundwork-foundation-deploy',
      sync: 'groundwork-foundation-sync',
      peopleAdmin: 'groundwork-foundation-people-admin',
    });
    expect(bootstrap.Parameters.ApplyEnvironment?.Default).toBe('foundation');
    expect(bootstrap.Parameters.DefaultBranch?.Default).toBe('main');
  });
});

describe('foundation-bootstrap.json: people sync without approval cannot reach an administrator group or take over a user', () => {
  const OPERATORS = 'arn:aws:identitystore:::group/90676b2b12-0a1b2c3d-0000-4000-8000-00000000a001';
  const DEVELOPERS = 'arn:aws:identitystore:::group/90676b2b12-0a1b2c3d-0000-4000-8000-00000000d001';
  const BACKEND = 'arn:aws:identitystore:::group/90676b2b12-0a1b2c3d-0000-4000-8000-00000000d002';
  const STORE = 'arn:aws:identitystore::111111111111:identitystore/d-90676b2b12';
  const USER = 'arn:aws:identitystore:::user/90676b2b12-0a1b2c3d-0000-4000-8000-0000000000e1';
  const MEMBERSHIP = 'arn:aws:identitystore:::membership/90676b2b12-0a1b2c3d-0000-4000-8000-0000000000f1';
  const parameters = (given: Record<string, string> = {}) => ({
    ...Object.fromEntries(Object.entries(bootstrap.Parameters).map(([name, p]) => [name, p.Default ?? ''])),
    GitHubOwner: 'acme',
    InfraRepository: 'infra',
    SyncGroupArns: `${DEVELOPERS},${BACKEND}`,
    ...given,
  });
  const token = (sub: string, ref: string) => ({ aud: 'sts.amazonaws.com', sub, ref });
  const admits = (role: string, claims: Record<string, string>, given: Record<string, string> = {}) =>
    roleAdmits(bootstrap, role, claims, { parameters: parameters(given) });
  /** IAM authorizes an action only when every resource it requires is allowed. */
  const may = (role: string, action: string, resources: string[], given: Record<string, string> = {}) =>
    resources.every((resource) => roleMayCall(bootstrap, role, action, resource, { parameters: parameters(given) }));
  const join = (group: string) => [group, STORE, USER];
  const leave = (group: string) => [group, STORE, USER, MEMBERSHIP];

  it('admits to the people-admin role only a job in the apply environment on the default branch: a plain default-branch token is refused', () => {
    expect(admits('PeopleAdminRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(true);
    // The attack: a workflow edited on main, without the environment (and so without its reviewers).
    expect(admits('PeopleAdminRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/heads/main'))).toBe(false);
    expect(admits('PeopleAdminRole', token('repo:acme/infra:environment:foundation', 'refs/heads/feature'))).toBe(false);
    expect(admits('PeopleAdminRole', token('repo:acme/infra:pull_request', 'refs/pull/7/merge'))).toBe(false);
    expect(admits('PeopleAdminRole', token('repo:acme/infra:environment:staging', 'refs/heads/main'))).toBe(false);
    // The sync role still takes the default branch's pushes and schedules, and not the environment's job.
    expect(admits('SyncRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/heads/main'))).toBe(true);
    expect(admits('SyncRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(false);
  });

  it('PeopleAdminEnvironment moves the people-admin role to its own environment, and only that one', () => {
    const own = { PeopleAdminEnvironment: 'people-admin' };
    expect(admits('PeopleAdminRole', token('repo:acme/infra:environment:people-admin', 'refs/heads/main'), own)).toBe(true);
    expect(admits('PeopleAdminRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'), own)).toBe(false);
    expect(bootstrap.Parameters.PeopleAdminEnvironment?.Default).toBe('');
  });

  it('lets the sync role create users and change memberships of the listed groups only, never update or delete a user', () => {
    expect(may('SyncRole', 'identitystore:CreateUser', ['*'])).toBe(true);
    expect(may('SyncRole', 'identitystore:CreateGroupMembership', join(DEVELOPERS))).toBe(true);
    expect(may('SyncRole', 'identitystore:DeleteGroupMembership', leave(BACKEND))).toBe(true);
    // The attack: putting someone into Operators (PlatformAdmin), or taking an operator out, or changing an e-mail.
    expect(may('SyncRole', 'identitystore:CreateGroupMembership', join(OPERATORS))).toBe(false);
    expect(may('SyncRole', 'identitystore:DeleteGroupMembership', leave(OPERATORS))).toBe(false);
    expect(may('SyncRole', 'identitystore:UpdateUser', [STORE, USER])).toBe(false);
    expect(may('SyncRole', 'identitystore:DeleteUser', [STORE, USER])).toBe(false);
    expect(may('SyncRole', 'sts:AssumeRole', [`arn:aws:iam::111111111111:role/${FOUNDATION_ROLES.peopleAdmin}`])).toBe(false);
  });

  it('with no SyncGroupArns, lets the sync role change no membership at all (a group created later is refused too)', () => {
    expect(bootstrap.Parameters.SyncGroupArns?.Default).toBe('');
    const none = { SyncGroupArns: '' };
    expect(may('SyncRole', 'identitystore:CreateGroupMembership', join(DEVELOPERS), none)).toBe(false);
    expect(may('SyncRole', 'identitystore:DeleteGroupMembership', leave(DEVELOPERS), none)).toBe(false);
    expect(may('SyncRole', 'identitystore:CreateUser', ['*'], none)).toBe(true);
  });

  it('lets the people-admin role make every people change, and assume no role', () => {
    expect(may('PeopleAdminRole', 'identitystore:CreateGroupMembership', join(OPERATORS))).toBe(true);
    expect(may('PeopleAdminRole', 'identitystore:DeleteGroupMembership', leave(OPERATORS))).toBe(true);
    expect(may('PeopleAdminRole', 'identitystore:UpdateUser', [STORE, USER])).toBe(true);
    expect(may('PeopleAdminRole', 'identitystore:DeleteUser', [STORE, USER])).toBe(false);
    expect(may('PeopleAdminRole', 'sts:AssumeRole', [`arn:aws:iam::111111111111:role/${FOUNDATION_ROLES.deploy}`])).toBe(false);
  });

  it('accepts in SyncGroupArns only exact group ARNs, so no wildcard can widen it', () => {
    const pattern = new RegExp((bootstrap.Parameters.SyncGroupArns as { AllowedPattern: string }).AllowedPattern);
    expect(pattern.test(`${DEVELOPERS},${BACKEND}`)).toBe(true);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('arn:aws:identitystore:::group/*')).toBe(false);
    expect(pattern.test(`${DEVELOPERS},*`)).toBe(false);
    expect(pattern.test('90676b2b12-0a1b2c3d-0000-4000-8000-00000000d001')).toBe(false);
  });
});
