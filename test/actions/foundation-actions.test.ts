import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackSetCommand, ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccountToConfig } from '../../src/gitops/vend-account.js';
import { GitHubStandIn } from '../helpers/github-api.js';
import { SHARED_PATHS } from '../helpers/paths.js';
import { runAction } from '../helpers/run-action.js';
import { cli } from '../helpers/run-cli.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const BASE = readFileSync(join(SHARED_PATHS.root, 'groundwork.yaml'), 'utf8');
const HEADER = 'username,email,given_name,family_name,display_name,groups';

/** The infrastructure repository's checkout: groundwork.yaml and the people file, nothing else. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-infra-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Runs a bundled action in a workspace as the job would after assume-role-via-oidc (its session in the environment). */
async function step(name: string, inputs: Record<string, string>, cwd: string, env: Record<string, string> = {}) {
  return runAction(
    name,
    inputs,
    {
      AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_SESSION_TOKEN: 'example',
      GROUNDWORK_POLL_MS: '0',
      ...env,
    },
    { cwd },
  );
}

/** The GitHub event file and environment for a run in `api`'s repository. */
function event(api: GitHubStandIn, name: string, payload: Record<string, unknown>, extra: { sha?: string } = {}): Record<string, string> {
  const path = join(mkdtempSync(join(tmpdir(), 'gw-event-')), 'event.json');
  writeFileSync(path, JSON.stringify({ repository: { default_branch: 'main', name: api.repo, owner: { login: api.owner } }, ...payload }));
  return api.env({ name, payload, ...extra }, path);
}

const orgs = () => sandbox.emulator.clients().create(OrganizationsClient);
async function accountsInOu(name: string): Promise<string[]> {
  const { Roots } = await orgs().send(new ListRootsCommand({}));
  const { OrganizationalUnits } = await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: Roots?.[0]?.Id }));
  const ou = OrganizationalUnits?.find((o) => o.Name === name);
  const { Accounts } = await orgs().send(new ListAccountsForParentCommand({ ParentId: ou?.Id }));
  return (Accounts ?? []).map((a) => a.Name ?? '');
}

beforeAll(async () => {
  const dir = workspace({ 'groundwork.yaml': BASE });
  const run = await cli(['apply', '--yes', '--config', join(dir, 'groundwork.yaml'), ...sandbox.at]);
  expect(run.code, run.stderr).toBe(0);
}, 240_000);

describe('foundation-plan, bundled and run as the runner runs it', () => {
  const api = new GitHubStandIn('acme', 'infra');
  beforeAll(() => api.start());
  afterAll(() => api.close());

  it('keeps one plan comment on the pull request, edited on each push, with the counts in the summary and outputs', async () => {
    const withQa = addAccountToConfig(BASE, 'groundwork.yaml', { name: 'qa-one', organizationalUnit: 'Playground' }).text;
    api.addPull({ head: 'add-qa' }, ['Please review']);
    const pr = { pull_request: { number: 1 }, number: 1 };
    const first = await step('foundation-plan', { 'github-token': 'ghs_plan' }, workspace({ 'groundwork.yaml': withQa }), event(api, 'pull_request', pr));
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ creates: String(first.outputs.creates), attention: '0', deletes: '0' });
    expect(Number(first.outputs.creates)).toBeGreaterThanOrEqual(2);
    const comments = () => api.comments.get(1) ?? [];
    expect(comments()).toHaveLength(2);
    expect(comments()[1]?.body).toMatch(/^<!-- groundwork:plan -->\n<!-- groundwork:plan-digest:[0-9a-f]{16} -->\n### Groundwork plan/);
    expect(comments()[1]?.body).toContain('+ account qa-one  (email: aws+qa-one@example.com, organizationalUnit: Playground)');
    expect(comments()[1]?.body).toMatch(/Not read: the account settings .* of 6 member accounts \(prod, staging, dev, cicd, log-archive, security\)/);
    expect(first.outputs['comment-url']).toBe(comments()[1]?.html_url);
    expect(first.summary).toContain('<th>create</th>');
    expect(first.summary).toContain('+ account qa-one');

    const withTwo = addAccountToConfig(withQa, 'groundwork.yaml', { name: 'qa-two', organizationalUnit: 'Playground' }).text;
    const second = await step('foundation-plan', { 'github-token': 'ghs_plan' }, workspace({ 'groundwork.yaml': withTwo }), event(api, 'pull_request', pr));
    expect(second.code, second.stdout).toBe(0);
    expect(comments()).toHaveLength(2);
    expect(comments()[1]?.body).toContain('+ account qa-two');
    expect(second.outputs.digest).not.toBe(first.outputs.digest);
    const writes = api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([`POST /repos/acme/infra/issues/1/comments`, `PATCH /repos/acme/infra/issues/comments/${comments()[1]?.id}`]);
    expect(api.requests.every((r) => r.authorization === 'token ghs_plan')).toBe(true);
  });

  it('after a merge, says whether the plan is the one reviewed on the pull request', async () => {
    const reviewed = await step('foundation-plan', { comment: 'false' }, workspace({ 'groundwork.yaml': BASE }), event(api, 'push', {}));
    expect(reviewed.code, reviewed.stdout).toBe(0);
    const same = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const other = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    api.addPull({ head: 'same', state: 'closed', merged_at: '2026-11-26T10:00:00Z', merge_commit_sha: same }, [
      `<!-- groundwork:plan -->\n<!-- groundwork:plan-digest:${reviewed.outputs.digest} -->\nplan`,
    ]);
    api.addPull({ head: 'other', state: 'closed', merged_at: '2026-11-26T11:00:00Z', merge_commit_sha: other }, [
      '<!-- groundwork:plan -->\n<!-- groundwork:plan-digest:0123456789abcdef -->\nplan',
    ]);
    const inputs = { comment: 'false', 'compare-with-pull-request': 'true', 'github-token': 'ghs_apply' };
    const equal = await step('foundation-plan', inputs, workspace({ 'groundwork.yaml': BASE }), event(api, 'push', {}, { sha: same }));
    expect(equal.code, equal.stdout).toBe(0);
    expect(equal.outputs).toMatchObject({ drift: 'false', 'reviewed-digest': reviewed.outputs.digest });
    expect(equal.summary).toContain('This plan is the one reviewed on pull request #2');
    const changed = await step('foundation-plan', inputs, workspace({ 'groundwork.yaml': BASE }), event(api, 'push', {}, { sha: other }));
    expect(changed.code, changed.stdout).toBe(0);
    expect(changed.outputs).toMatchObject({ drift: 'true', 'reviewed-digest': '0123456789abcdef' });
    expect(changed.summary).toContain('This plan differs from the one reviewed on pull request #3');
    expect(changed.stdout).toMatch(/::warning::the plan differs from the one reviewed on pull request #3/);
  });

  it('keeps the plan it computed when GitHub refuses the comment (a token without pull-requests: write): the summary has it, the failure is GitHub’s, with the setting to change', async () => {
    api.readOnlyTokens.add('ghs_readonly');
    // A pull request with no plan comment yet: the comment would be created (POST).
    const { number } = api.addPull({ head: 'no-permission' });
    const pr = { pull_request: { number }, number };
    const run = await step('foundation-plan', { 'github-token': 'ghs_readonly' }, workspace({ 'groundwork.yaml': BASE }), event(api, 'pull_request', pr));
    expect(run.code).toBe(1);
    // The plan is in the summary and the outputs, as on success.
    expect(run.summary).toContain('### Groundwork plan');
    expect(run.summary).toContain('<th>create</th>');
    expect(run.outputs.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(run.summary).toContain('The plan comment could not be posted');
    // GitHub's 403 keeps its own code and names the workflow setting, never AWS or a CLI flag.
    const failure = run.stdout.split('\n').find((line) => line.startsWith('::error::GITHUB_')) ?? '';
    expect(failure).toMatch(
      /^::error::GITHUB_ACCESS_DENIED: the plan comment could not be posted \(the plan is in this step's summary\): GitHub answered POST \/repos\/acme\/infra\/issues\/\d+\/comments with HTTP 403: Resource not accessible by integration/,
    );
    expect(api.comments.get(number) ?? []).toEqual([]);
    expect(failure).toContain('pull-requests: write');
    expect(run.stdout).not.toMatch(/AWS_REQUEST_FAILED|calling AWS|--verbose|the command line/);
  });

  it('names the input a required value is missing from, as USAGE, not as an AWS error', async () => {
    const run = await step(
      'vend-account',
      { 'account-name': '', 'organizational-unit': 'Playground', 'github-token': 'ghs_vend' },
      workspace({ 'groundwork.yaml': BASE }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::USAGE: input account-name is required and was not set (fix: set account-name in the step's with: block)");
    expect(run.stdout).not.toMatch(/AWS_|calling AWS|--verbose/);
  });

  it('fails with a clear line, and writes nothing, when the config is broken', async () => {
    const before = api.requests.length;
    const run = await step(
      'foundation-plan',
      { 'github-token': 'ghs_plan' },
      workspace({ 'groundwork.yaml': BASE.replace('organizationalUnit: Stage', 'organizationalUnit: Stag') }),
      event(api, 'pull_request', { pull_request: { number: 1 }, number: 1 }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::groundwork\.yaml:\d+:\d+ organization\.accounts\[0\]\.organizationalUnit: /);
    expect(run.stdout).toMatch(/::error::CONFIG_INVALID: groundwork\.yaml has 1 error/);
    expect(api.requests.length).toBe(before);
  });
});

describe('sync-sso-users, bundled and run as the runner runs it', () => {
  const person = (name: string, groups: string) => `${name},${name}@example.com,${name[0]?.toUpperCase()}${name.slice(1)},Person,,${groups}`;
  const people = (rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

  it('with dry-run: true says what would be imported and rejected, never that rows were imported', async () => {
    const dir = workspace({ 'groundwork.yaml': BASE, 'people.csv': people([person('zed', 'Developers'), 'bad,not-an-email,B,Ad,,Developers']) });
    const run = await step('sync-sso-users', { 'dry-run': 'true' }, dir);
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ created: '1', rejected: '1' });
    expect(run.stdout).toMatch(
      /::error::1 row\(s\) of people\.csv would be rejected \(annotated at their lines\); the valid rows would be imported \(1 to create, 0 to update\)\. Dry run: nothing was changed\./,
    );
    expect(run.stdout).not.toMatch(/were imported|were rejected/);
    expect(run.summary).toContain('Dry run: people from people.csv');
  });

  it('imports the valid rows, annotates each rejected row at its line, and fails the step for them', async () => {
    const dir = workspace({
      'groundwork.yaml': BASE,
      'people.csv': people([person('ann', 'Developers'), 'bad,not-an-email,B,Ad,,Developers', person('bob', 'Operators'), person('cy', 'NoSuchGroup')]),
    });
    const run = await step('sync-sso-users', {}, dir);
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ created: '2', rejected: '2', updated: '0', deactivated: '0', 'privileged-held': '1' });
    expect(run.stdout).toMatch(/^::error title=people\.csv line 4 held for approval,file=people\.csv,line=4::bob: add to Operators waits/m);
    expect(run.stdout).toMatch(/^::error title=people\.csv line 3 rejected,file=people\.csv,line=3::.*e-?mail/m);
    expect(run.stdout).toMatch(/^::error title=people\.csv line 5 rejected,file=people\.csv,line=5::.*NoSuchGroup/m);
    expect(run.stdout).toMatch(/::error::2 row\(s\) of people\.csv were rejected \(annotated at their lines\); the valid rows were imported/);
    expect(run.summary).toContain('<th>created</th>');
    expect(run.summary).toMatch(/<td>3<\/td><td>.*not-an-email|Rejected rows/);
  });

  it('lists people missing from the file and leaves them; with remove-missing, max-removals stops a mass deactivation before any write', async () => {
    const four = workspace({
      'groundwork.yaml': BASE,
      'people.csv': people([person('ann', 'Developers'), person('bob', 'Operators'), person('dee', 'Developers'), person('eve', 'Developers')]),
    });
    // Operators memberships are privileged: this run is the approved one.
    const all = await step('sync-sso-users', { 'allow-privileged': 'true' }, four);
    expect(all.code, all.stdout).toBe(0);
    // bob's Operators membership, held by the run above, is made now.
    expect(all.outputs).toMatchObject({ created: '2', updated: '1', unchanged: '1', missing: '', 'privileged-applied': '1', 'privileged-held': '0' });

    const truncated = workspace({ 'groundwork.yaml': BASE, 'people.csv': people([person('ann', 'Developers')]) });
    const listed = await step('sync-sso-users', {}, truncated);
    expect(listed.code, listed.stdout).toBe(0);
    expect(listed.outputs).toMatchObject({ unchanged: '1', deactivated: '0', missing: 'bob,dee,eve' });
    expect(listed.summary).toContain('left as they are (remove-missing: true deactivates them): bob, dee, eve');

    const stopped = await step('sync-sso-users', { 'remove-missing': 'true', 'max-removals': '2' }, truncated);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(
      /::error::IMPORT_STOPPED: 3 people are in Identity Center but not in people\.csv, more than max-removals \(2\); nothing was changed/,
    );
    expect(stopped.stdout).toMatch(/^::error::would deactivate: bob$/m);
    const list = await cli(['users', 'list', '--json', ...sandbox.at]);
    const groups = Object.fromEntries((JSON.parse(list.stdout).users as { username: string; groups: string[] }[]).map((u) => [u.username, u.groups]));
    expect(groups).toMatchObject({ bob: ['Operators'], dee: ['Developers'], eve: ['Developers'] });
  });
});

describe('sync-sso-users without approval: privileged changes held', () => {
  const person = (name: string, groups: string, email = `${name}@example.com`) =>
    `${name},${email},${name[0]?.toUpperCase()}${name.slice(1)},Person,,${groups}`;
  const people = (rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
  const groupsAndEmails = async () => {
    const list = await cli(['users', 'list', '--json', ...sandbox.at]);
    return Object.fromEntries(
      (JSON.parse(list.stdout).users as { username: string; email: string; groups: string[] }[]).map((u) => [u.username, [u.email, u.groups]]),
    );
  };

  it('refuses to add a member to Operators or change an e-mail, annotating each at its line and naming the environment; makes the rest', async () => {
    const setup = workspace({ 'groundwork.yaml': BASE, 'people.csv': people([person('kim', 'Developers')]) });
    expect((await step('sync-sso-users', {}, setup)).code).toBe(0);
    const dir = workspace({
      'groundwork.yaml': BASE,
      'people.csv': people([person('kim', 'Developers', 'kim@evil.example'), person('lee', 'BackendDevelopers;Operators')]),
    });
    const run = await step('sync-sso-users', {}, dir);
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ created: '1', 'privileged-held': '2', 'privileged-applied': '0' });
    expect(run.outputs['sync-group-arns']).toMatch(/^arn:aws:identitystore:::group\/[^,]+,arn:aws:identitystore:::group\/[^,]+$/);
    expect(run.stdout).toMatch(
      /^::error title=people\.csv line 2 held for approval,file=people\.csv,line=2::kim: change email \(kim@example\.com → kim@evil\.example\) waits for an approved run \(environment foundation\)$/m,
    );
    expect(run.stdout).toMatch(/^::error title=people\.csv line 3 held for approval,file=people\.csv,line=3::lee: add to Operators waits/m);
    expect(run.stdout).toMatch(
      /::error::2 privileged change\(s\) of people\.csv were held .* Run sync-sso-users with allow-privileged: true in a job of the foundation environment/,
    );
    expect(run.summary).toContain("Privileged changes held for the foundation environment's approval");
    expect(await groupsAndEmails()).toMatchObject({ kim: ['kim@example.com', ['Developers']], lee: ['lee@example.com', ['BackendDevelopers']] });

    // In the reusable workflow the held changes are warnings, and the privileged job (allow-privileged) makes them.
    const warned = await step('sync-sso-users', { 'fail-on-privileged': 'false', 'approval-environment': 'people-admin' }, dir);
    expect(warned.code, warned.stdout).toBe(0);
    expect(warned.stdout).toMatch(
      /^::warning title=people\.csv line 3 held for approval,file=people\.csv,line=3::lee: add to Operators waits for an approved run \(environment people-admin\)$/m,
    );
    // moto has no UpdateUser, so the approved run here makes the membership only (the e-mail: test/users-sync.test.ts).
    const membershipOnly = workspace({
      'groundwork.yaml': BASE,
      'people.csv': people([person('kim', 'Developers'), person('lee', 'BackendDevelopers;Operators')]),
    });
    const approved = await step('sync-sso-users', { 'allow-privileged': 'true' }, membershipOnly);
    expect(approved.code, approved.stdout).toBe(0);
    expect(approved.outputs).toMatchObject({ 'privileged-held': '0', 'privileged-applied': '1' });
    expect(approved.summary).toContain('Privileged changes made');
    expect(await groupsAndEmails()).toMatchObject({ kim: ['kim@example.com', ['Developers']], lee: ['lee@example.com', ['BackendDevelopers', 'Operators']] });
  });
});

describe('vend-account, bundled and run as the runner runs it', () => {
  const api = new GitHubStandIn('acme', 'infra', { 'groundwork.yaml': BASE });
  beforeAll(() => api.start());
  afterAll(() => api.close());
  const dispatch = () => event(api, 'workflow_dispatch', { inputs: {} });

  it('mode pull-request: opens one pull request whose config keeps every other byte and whose body has the plan; a second dispatch opens none', async () => {
    const inputs = {
      'account-name': 'analytics',
      'organizational-unit': 'Playground',
      environment: 'dev',
      'monthly-budget': '250',
      'github-token': 'ghs_vend',
    };
    const run = await step('vend-account', inputs, workspace({ 'groundwork.yaml': BASE }), dispatch());
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ changed: 'true', 'pull-request-url': 'https://github.com/acme/infra/pull/1' });
    const sent = api.requests.map((r) => `${r.method} ${r.path}`);
    expect(sent).toEqual([
      'GET /repos/acme/infra/pulls',
      'GET /repos/acme/infra/git/ref/heads/main',
      'POST /repos/acme/infra/git/refs',
      'GET /repos/acme/infra/contents/groundwork.yaml',
      'PUT /repos/acme/infra/contents/groundwork.yaml',
      'POST /repos/acme/infra/pulls',
    ]);
    expect(api.requests[0]?.query).toMatchObject({ head: 'acme:groundwork/vend-analytics', state: 'open' });
    expect(api.requests[2]?.body).toMatchObject({ ref: 'refs/heads/groundwork/vend-analytics' });
    expect(api.requests[3]?.query).toMatchObject({ ref: 'groundwork/vend-analytics' });
    expect(api.requests[4]?.body).toMatchObject({
      branch: 'groundwork/vend-analytics',
      message: 'Vend account analytics in Playground',
      sha: expect.any(String),
    });
    expect(api.requests[5]?.body).toMatchObject({ base: 'main', head: 'groundwork/vend-analytics', title: 'Vend account analytics in Playground' });
    expect(String(api.requests[5]?.body?.body)).toContain('+ account analytics  (email: aws+analytics@example.com, organizationalUnit: Playground)');
    expect(api.requests.every((r) => r.authorization === 'token ghs_vend')).toBe(true);

    // The committed file is the original with the account's lines inserted, and nothing else touched.
    const edited = api.branches.get('groundwork/vend-analytics')?.get('groundwork.yaml') ?? '';
    const inserted = '    - name: analytics\n      organizationalUnit: Playground\n      environment: dev\n      monthlyBudgetUsd: 250\n';
    expect(edited).toContain(inserted);
    expect(edited.replace(inserted, '')).toBe(BASE);
    expect(api.branches.get('main')?.get('groundwork.yaml')).toBe(BASE);

    const again = await step('vend-account', inputs, workspace({ 'groundwork.yaml': BASE }), dispatch());
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs['pull-request-url']).toBe('https://github.com/acme/infra/pull/1');
    expect(api.pulls).toHaveLength(1);
    expect(api.requests.slice(6).map((r) => r.method)).toEqual(['GET']);
  });

  it('refuses a request the config rules reject, naming the input, and writes nothing', async () => {
    const before = api.requests.length;
    const run = await step(
      'vend-account',
      { 'account-name': 'data', 'organizational-unit': 'Sandbox', 'owner-email': 'aws+prod@example.com', 'github-token': 'ghs_vend' },
      workspace({ 'groundwork.yaml': BASE }),
      dispatch(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::input organizational-unit: unknown OU "Sandbox" \(allowed: "Stage", "Playground", "CICD", "Security"\)/);
    expect(run.stdout).toMatch(/::error::input owner-email: e-mail "aws\+prod@example\.com" is already used by organization\.accounts\[0\]/);
    expect(run.stdout).toMatch(
      /::error::CONFIG_INVALID: account "data" cannot be added \(fix: fix the inputs named above and dispatch again; groundwork\.yaml was not changed\)/,
    );
    expect(api.requests.length).toBe(before);
  });

  it('names account-name, the input the person set, when the account name cannot also be the environment name', async () => {
    const run = await step(
      'vend-account',
      { 'account-name': 'QA_Team', 'organizational-unit': 'Playground', 'github-token': 'ghs_vend' },
      workspace({ 'groundwork.yaml': BASE }),
      dispatch(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::input account-name: "QA_Team" is also the environment name when environment is empty, .*set environment to a valid name, such as "qa-team"/,
    );
    expect(run.stdout).not.toContain('input environment');
  });

  it('mode apply: creates exactly one account in its OU with its StackSet instance, commits the config; a second dispatch creates and commits nothing', async () => {
    // The auth baseline as deploy leaves it (its real parameters; a queue named by DomainPrefix stands in for the
    // Cognito pool, which moto cannot create through CloudFormation).
    const parameters = JSON.parse(readFileSync(join(SHARED_PATHS.root, 'cloudformation/auth.json'), 'utf8')).Parameters;
    const cfn = sandbox.emulator.clients().create(CloudFormationClient);
    await cfn.send(
      new CreateStackSetCommand({
        StackSetName: 'groundwork-auth',
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
        TemplateBody: JSON.stringify({
          Parameters: parameters,
          Resources: { Pool: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'DomainPrefix' } } } },
        }),
      }),
    );
    const stageBefore = await accountsInOu('Stage');
    const dir = workspace({ 'groundwork.yaml': BASE });
    const inputs = {
      'account-name': 'qa',
      'organizational-unit': 'Stage',
      environment: 'staging',
      mode: 'apply',
      'auto-deployment-grace-seconds': '0',
      'github-token': 'ghs_vend',
    };
    const run = await step('vend-account', inputs, dir, dispatch());
    expect(run.code, run.stdout).toBe(0);
    expect((await accountsInOu('Stage')).sort()).toEqual([...stageBefore, 'qa'].sort());
    const accountId = run.outputs['account-id'] ?? '';
    expect(accountId).toMatch(/^\d{12}$/);
    expect(run.outputs['sign-in-url']).toMatch(
      new RegExp(`^https://d-[0-9a-z]+\\.awsapps\\.com/start/#/console\\?account_id=${accountId}&role_name=PlatformAdmin$`),
    );
    const { Summaries } = await cfn.send(new ListStackInstancesCommand({ StackSetName: 'groundwork-auth', StackInstanceAccount: accountId }));
    expect(Summaries?.map((s) => [s.Account, s.Region])).toEqual([[accountId, 'us-east-1']]);
    const queue = await sandbox.emulator
      .clients()
      .create(SQSClient, { accountId })
      .send(new GetQueueUrlCommand({ QueueName: `staging-${accountId}` }));
    expect(queue.QueueUrl).toContain(`staging-${accountId}`);
    const committed = api.branches.get('main')?.get('groundwork.yaml') ?? '';
    expect(committed).toBe(addAccountToConfig(BASE, 'groundwork.yaml', { name: 'qa', organizationalUnit: 'Stage', environment: 'staging' }).text);
    expect(readFileSync(join(dir, 'groundwork.yaml'), 'utf8')).toBe(committed);
    expect(run.summary).toContain('groundwork-auth: created');

    const puts = () => api.requests.filter((r) => r.method === 'PUT').length;
    const before = puts();
    const again = await step('vend-account', inputs, dir, dispatch());
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ changed: 'false', 'account-id': accountId });
    expect((await accountsInOu('Stage')).filter((n) => n === 'qa')).toHaveLength(1);
    expect(puts()).toBe(before);
    expect(again.summary).toContain('groundwork-auth: already there');
  });
});

describe('foundation-plan when the organization has drifted from the config', () => {
  it('fails on a finding that needs attention (a managed account left the config), with the finding as an annotation', async () => {
    // The config as the vending test left it (with qa), and an account applied from a branch that never merged.
    const current = addAccountToConfig(BASE, 'groundwork.yaml', { name: 'qa', organizationalUnit: 'Stage', environment: 'staging' }).text;
    const extra = addAccountToConfig(current, 'groundwork.yaml', { name: 'scratchpad', organizationalUnit: 'Playground' }).text;
    const dir = workspace({ 'groundwork.yaml': extra });
    expect((await cli(['apply', '--yes', '--config', join(dir, 'groundwork.yaml'), ...sandbox.at])).code).toBe(0);
    const run = await step('foundation-plan', { comment: 'false' }, workspace({ 'groundwork.yaml': current }), {});
    expect(run.code).toBe(1);
    expect(run.outputs.attention).toBe('1');
    expect(run.stdout).toMatch(/::error title=account scratchpad::account "scratchpad" \(\d{12}\) has left the config; it stays open/);
    expect(run.stdout).toMatch(/::error::the plan has 1 finding\(s\) that need attention/);
    expect(run.summary).toContain('Needs attention (1)');
  });
});
