import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleAdmits } from '../src/delivery/trust-policy.js';
import { addAccountToConfig } from '../src/gitops/vend-account.js';
import { GitHubStandIn } from './helpers/github-api.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { type OidcEndpoint, startOidcEndpoint } from './helpers/run-action.js';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';
import { evaluateExpression, interpolate, runJob, type WorkflowJob } from './helpers/workflow-runner.js';

const sandbox = useTestEmulator();
const root = SHARED_PATHS.root;
const MANAGEMENT = '123456789012';
const BASE = readFileSync(join(root, 'groundwork.yaml'), 'utf8');
const PEOPLE = 'username,email,given_name,family_name,display_name,groups\nann,ann@example.com,Ann,Ops,,Operators\n';

type Workflow = { on: { workflow_call?: { inputs?: Record<string, { default?: unknown }> } }; jobs: Record<string, WorkflowJob & { environment?: string }> };
type CallerJob = { if?: string; uses?: string; with?: Record<string, unknown> };
const readYaml = <T>(file: string) => parse(readFileSync(join(root, file), 'utf8')) as T;
const bootstrap = JSON.parse(readFileSync(join(root, 'cloudformation/foundation-bootstrap.json'), 'utf8'));
const bootstrapParameters = {
  GitHubOwner: 'acme',
  InfraRepository: 'infra',
  DefaultBranch: 'main',
  ApplyEnvironment: 'foundation',
  CreateOidcProvider: 'true',
  ...Object.fromEntries(
    Object.entries(bootstrap.Parameters as Record<string, { Default?: string }>)
      .filter(([name]) => !['GitHubOwner', 'InfraRepository'].includes(name))
      .map(([name, p]) => [name, p.Default ?? '']),
  ),
};

/** The inputs a called workflow gets: its declared defaults, then what the caller passes. */
function callInputs(workflow: Workflow, given: Record<string, string>): Record<string, string> {
  const declared = workflow.on.workflow_call?.inputs ?? {};
  return { ...Object.fromEntries(Object.entries(declared).map(([key, input]) => [key, input.default === undefined ? '' : String(input.default)])), ...given };
}

/**
 * The infrastructure template in a repository holding only groundwork.yaml and people.csv, event by event: each job of
 * the reusable workflow the template selects runs with this library's bundled actions and CLI (setup-groundwork from
 * this checkout), OIDC tokens from a local endpoint for the roles of the bootstrap template (their trusts checked for
 * each token), AWS on the emulator and GitHub's API on a local stand-in.
 */
describe('the infrastructure repository, from the caller template', () => {
  const caller = readYaml<{ jobs: Record<string, CallerJob> }>('workflows-templates/foundation.yml');
  const api = new GitHubStandIn('acme', 'infra', { 'groundwork.yaml': BASE, 'people.csv': PEOPLE });
  const oidc: OidcEndpoint[] = [];
  const repo = mkdtempSync(join(tmpdir(), 'gw-infra-repo-'));
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'ops',
    GIT_AUTHOR_EMAIL: 'ops@example.com',
    GIT_COMMITTER_NAME: 'ops',
    GIT_COMMITTER_EMAIL: 'ops@example.com',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: gitEnv }).trim();
  const commit = (file: string, text: string) => {
    writeFileSync(join(repo, file), text);
    git('add', file);
    git('commit', '-q', '-m', `change ${file}`);
    return git('rev-parse', 'HEAD');
  };
  let first = '';

  beforeAll(async () => {
    await api.start();
    writeFileSync(join(repo, 'groundwork.yaml'), BASE);
    writeFileSync(join(repo, 'people.csv'), PEOPLE);
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'the foundation as first deployed');
    first = git('rev-parse', 'HEAD');
    // The first deploy happened from a laptop (docs/runbooks/first-deploy.md): the organization exists.
    expect((await cli(['apply', '--yes', ...sandbox.at])).code).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await api.close();
    for (const endpoint of oidc) await endpoint.close();
  });

  /** The runner's environment for one job: its token's claims (checked against the role's trust), the event, the emulator. */
  async function runner(role: string, claims: Record<string, string>, event: { name: string; payload: Record<string, unknown>; sha?: string }) {
    expect({ role, admitted: roleAdmits(bootstrap, role, { aud: 'sts.amazonaws.com', ...claims }, { parameters: bootstrapParameters }) }).toEqual({
      role,
      admitted: true,
    });
    const endpoint = await startOidcEndpoint(claims);
    oidc.push(endpoint);
    const eventPath = join(mkdtempSync(join(tmpdir(), 'gw-event-')), 'event.json');
    writeFileSync(eventPath, JSON.stringify({ repository: { default_branch: 'main' }, ...event.payload }));
    return {
      ...endpoint.env,
      ...api.env(event, eventPath),
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'gw-runner-temp-')),
      AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
      // The pinned Python tools are those of the test venv: setup-groundwork installs nothing new.
      GROUNDWORK_EMULATOR_VENV: SHARED_PATHS.venv,
    };
  }

  /** A caller job with its FILL IN values filled from the bootstrap template's outputs, and the workflow it calls. */
  function selected(name: string, eventName: string, inputs: Record<string, string> = {}): { workflow: Workflow; inputs: Record<string, string> } {
    const job = caller.jobs[name] as CallerJob;
    const fill: Record<string, string> = {
      'aws-region': 'us-east-1',
      'plan-role-arn': `arn:aws:iam::${MANAGEMENT}:role/groundwork-foundation-plan`,
      'deploy-role-arn': `arn:aws:iam::${MANAGEMENT}:role/groundwork-foundation-deploy`,
      'sync-role-arn': `arn:aws:iam::${MANAGEMENT}:role/groundwork-foundation-sync`,
      'people-admin-role-arn': `arn:aws:iam::${MANAGEMENT}:role/groundwork-foundation-people-admin`,
    };
    const given = Object.fromEntries(
      Object.entries(job.with ?? {}).map(([key, value]) => [key, fill[key] ?? interpolate(value, { inputs, github: { event_name: eventName } })]),
    );
    const workflow = readYaml<Workflow>(`.github/workflows/${/\.github\/workflows\/([\w-]+\.yml)@/.exec(job.uses ?? '')?.[1]}`);
    return { workflow, inputs: callInputs(workflow, given) };
  }
  /** The caller jobs an event selects by an `if:` on the event alone. */
  const jobsFor = (eventName: string) =>
    Object.entries(caller.jobs)
      .filter(([, job]) => job.if && !job.if.includes('needs.') && evaluateExpression(job.if, { github: { event_name: eventName } }) === 'true')
      .map(([name]) => name);

  it('a pull request: validate, the read-only plan as one comment, and synth --check; a broken config fails with annotations', async () => {
    git('checkout', '-q', '-b', 'add-qa');
    const sha = commit(
      'groundwork.yaml',
      addAccountToConfig(BASE, 'groundwork.yaml', { name: 'qa', organizationalUnit: 'Stage', environment: 'staging' }).text,
    );
    api.addPull({ head: 'add-qa' });
    expect(jobsFor('pull_request')).toEqual(['checks']);
    const { workflow, inputs } = selected('checks', 'pull_request');
    const event = { name: 'pull_request', payload: { number: 1, pull_request: { number: 1 } }, sha };
    const env = await runner('PlanRole', { sub: 'repo:acme/infra:pull_request', ref: 'refs/pull/1/merge' }, event);
    const context = { inputs, github: {}, needs: {} };

    const validate = await runJob(workflow.jobs.validate as WorkflowJob, context, { workspace: repo, env });
    expect(validate.steps.at(-1)?.output).toMatch(/^groundwork\.yaml is valid: 4 OUs, 7 accounts.*\npeople\.csv is valid: 1 people\n/);
    const plan = await runJob(workflow.jobs.plan as WorkflowJob, context, { workspace: repo, env });
    expect(plan.outputs.digest).toMatch(/^[0-9a-f]{16}$/);
    const comments = api.comments.get(1) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('+ account qa  (email: aws+qa@example.com, organizationalUnit: Stage)');
    expect(comments[0]?.body).toContain(`<!-- groundwork:plan-digest:${plan.outputs.digest} -->`);
    const templates = await runJob(workflow.jobs.templates as WorkflowJob, context, { workspace: repo, env });
    expect(templates.steps.at(-1)?.output).toMatch(/✓ 6 committed template\(s\) current; cfn-lint: no errors/);

    // A config error fails the check with an annotation at its line and column.
    writeFileSync(
      join(repo, 'groundwork.yaml'),
      readFileSync(join(repo, 'groundwork.yaml'), 'utf8').replace('organizationalUnit: Playground', 'organizationalUnit: Playgrond'),
    );
    const broken = await runJob(workflow.jobs.validate as WorkflowJob, context, { workspace: repo, env, stopAtFailedRun: true });
    expect(broken.steps.at(-1)?.exitCode).toBe(1);
    expect(broken.steps.at(-1)?.output).toMatch(/^::error file=groundwork\.yaml,line=\d+,col=\d+,title=organization\.accounts\[2\]\.organizationalUnit::/m);
    git('checkout', '-q', '--', 'groundwork.yaml');
  }, 300_000);

  it('the merge: apply in the foundation environment finds the plan is the reviewed one, then runs deploy on AWS with the deploy role', async () => {
    git('checkout', '-q', 'main');
    git('merge', '-q', '--no-ff', '-m', 'Merge pull request #1', 'add-qa');
    const sha = git('rev-parse', 'HEAD');
    Object.assign(api.pulls[0] ?? {}, { state: 'closed', merged_at: '2026-11-26T12:00:00Z', merge_commit_sha: sha });
    api.branches.get('main')?.set('groundwork.yaml', readFileSync(join(repo, 'groundwork.yaml'), 'utf8'));
    const changes = await runJob(
      caller.jobs.changes as WorkflowJob,
      { inputs: {}, github: { sha, event: { before: first } }, needs: {} },
      { workspace: repo, env: { PATH: process.env.PATH ?? '' } },
    );
    expect(changes.outputs).toEqual({ foundation: 'true', people: 'false' });
    expect(evaluateExpression(caller.jobs.apply?.if ?? '', { needs: { changes } })).toBe('true');

    expect(jobsFor('push')).toEqual(['changes']);
    const { workflow, inputs } = selected('apply', 'push');
    const job = workflow.jobs.deploy as WorkflowJob & { environment?: string };
    // The job runs in the environment its token names, on main: the deploy role admits exactly that.
    const environment = interpolate(job.environment, { inputs });
    expect(environment).toBe('foundation');
    const env = await runner(
      'DeployRole',
      { sub: `repo:acme/infra:environment:${environment}`, ref: 'refs/heads/main', environment },
      { name: 'push', payload: {}, sha },
    );
    const run = await runJob(job, { inputs, github: {}, needs: {} }, { workspace: repo, env, stopAtFailedRun: true });
    const plan = run.steps.find((s) => s.name.endsWith('foundation-plan'))?.action;
    expect(plan?.outputs).toMatchObject({ drift: 'false', creates: expect.any(String) });
    expect(plan?.summary).toContain('This plan is the one reviewed on pull request #1');
    // The deploy step runs as the workflow has it (`--target aws`, the deploy role's session, the summary file) and
    // stops at the preflight: moto has no Service Quotas API, so two quota checks cannot be answered. The deploy
    // itself is tested against the sandbox in deploy.test.ts.
    const deploy = run.steps.at(-1);
    expect(deploy?.name).toMatch(/^groundwork deploy --yes --target aws/);
    expect(deploy?.output).toMatch(new RegExp(`Caller: account ${MANAGEMENT} \\(arn:aws:sts::${MANAGEMENT}:assumed-role/groundwork-foundation-deploy/`));
    expect(deploy?.output).toMatch(/error: 2 preflight check\(s\) failed; nothing was changed/);
    expect(deploy?.output).toMatch(/Accounts in the organization \(quota\): could not check/);
  }, 300_000);

  it('a push of people.csv: sync with the sync role, a rejected row annotated at its line, the Operators membership held', async () => {
    const before = git('rev-parse', 'HEAD');
    const sha = commit('people.csv', `${PEOPLE}bo,bo@example.com,Bo,Dev,,Developers\nbad,not-an-email,B,Ad,,Developers\n`);
    const changes = await runJob(
      caller.jobs.changes as WorkflowJob,
      { inputs: {}, github: { sha, event: { before } }, needs: {} },
      { workspace: repo, env: { PATH: process.env.PATH ?? '' } },
    );
    expect(changes.outputs).toEqual({ foundation: 'false', people: 'true' });
    const { workflow, inputs } = selected('sync', 'push');
    const env = await runner('SyncRole', { sub: 'repo:acme/infra:ref:refs/heads/main', ref: 'refs/heads/main' }, { name: 'push', payload: {}, sha });
    await expect(runJob(workflow.jobs.sync as WorkflowJob, { inputs, github: {}, needs: {} }, { workspace: repo, env })).rejects.toThrow(
      /::error title=people\.csv line 4 rejected,file=people\.csv,line=4::/,
    );
    const list = await cli(['users', 'list', '--json', ...sandbox.at]);
    const users = (JSON.parse(list.stdout).users as { username: string; groups: string[] }[]).map((u) => [u.username, u.groups]);
    // ann's Operators membership is privileged: the sync job (no environment) held it.
    expect(users).toEqual(
      expect.arrayContaining([
        ['ann', []],
        ['bo', ['Developers']],
      ]),
    );
  }, 120_000);

  it('the held changes: the sync job refuses Operators and an e-mail change; only the people-admin job in the foundation environment makes them', async () => {
    const before = git('rev-parse', 'HEAD');
    const sha = commit('people.csv', `${PEOPLE}bo,bo@evil.example,Bo,Dev,,Developers\n`);
    expect(
      (
        await runJob(
          caller.jobs.changes as WorkflowJob,
          { inputs: {}, github: { sha, event: { before } }, needs: {} },
          { workspace: repo, env: { PATH: process.env.PATH ?? '' } },
        )
      ).outputs,
    ).toMatchObject({ people: 'true' });
    const { workflow, inputs } = selected('sync', 'push');
    const pushEnv = await runner('SyncRole', { sub: 'repo:acme/infra:ref:refs/heads/main', ref: 'refs/heads/main' }, { name: 'push', payload: {}, sha });
    const sync = await runJob(workflow.jobs.sync as WorkflowJob, { inputs, github: {}, needs: {} }, { workspace: repo, env: pushEnv });
    // ann into Operators and bo's new e-mail, held as warnings at their lines; the job passes and says how many.
    expect(sync.outputs).toEqual({ 'privileged-held': '2' });
    const syncStep = sync.steps.find((s) => s.name.endsWith('sync-sso-users'));
    expect(syncStep?.action?.stdout).toMatch(
      /^::warning title=people\.csv line 2 held for approval,file=people\.csv,line=2::ann: add to Operators waits for an approved run \(environment foundation\)$/m,
    );
    expect(syncStep?.action?.stdout).toMatch(
      /^::warning title=people\.csv line 3 held for approval,file=people\.csv,line=3::bo: change email \(bo@example\.com → bo@evil\.example\)/m,
    );
    let users = JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout).users as { username: string; email: string; groups: string[] }[];
    expect(users.find((u) => u.username === 'ann')?.groups).toEqual([]);
    expect(users.find((u) => u.username === 'bo')?.email).toBe('bo@example.com');

    // The attack: a workflow edited on main runs the privileged step without the environment: its token is refused.
    const people = workflow.jobs.privileged as WorkflowJob & { environment?: string; needs?: string };
    expect(
      roleAdmits(
        bootstrap,
        'PeopleAdminRole',
        { aud: 'sts.amazonaws.com', sub: 'repo:acme/infra:ref:refs/heads/main', ref: 'refs/heads/main' },
        { parameters: bootstrapParameters },
      ),
    ).toBe(false);
    // The privileged job runs because changes were held, in the environment its token names, with the people-admin role.
    expect(evaluateExpression(people.if ?? '', { needs: { sync } })).toBe('true');
    const environment = interpolate(people.environment, { inputs });
    expect(environment).toBe('foundation');
    const approvedEnv = await runner(
      'PeopleAdminRole',
      { sub: `repo:acme/infra:environment:${environment}`, ref: 'refs/heads/main', environment },
      { name: 'push', payload: {}, sha },
    );
    // moto has no UpdateUser (the e-mail is made on AWS; test/users-sync.test.ts shows it in the sandbox): here the file
    // the reviewers approve is the membership alone.
    commit('people.csv', `${PEOPLE}bo,bo@example.com,Bo,Dev,,Developers\n`);
    const approved = await runJob(people, { inputs, github: {}, needs: { sync } }, { workspace: repo, env: approvedEnv });
    expect(approved.steps.find((s) => s.name.endsWith('sync-sso-users'))?.action?.outputs).toMatchObject({ 'privileged-applied': '1', 'privileged-held': '0' });
    users = JSON.parse((await cli(['users', 'list', '--json', ...sandbox.at])).stdout).users;
    expect(users.find((u) => u.username === 'ann')?.groups).toEqual(['Operators']);
  }, 180_000);

  it('a dispatch: vending opens a pull request with the plan through the plan role', async () => {
    const dispatch = {
      'account-name': 'data',
      'organizational-unit': 'Playground',
      environment: '',
      'monthly-budget': '400',
      'owner-email': '',
      mode: 'pull-request',
    };
    expect(jobsFor('workflow_dispatch')).toEqual(['vend']);
    const { workflow, inputs } = selected('vend', 'workflow_dispatch', dispatch);
    expect(inputs).toMatchObject({ 'account-name': 'data', 'monthly-budget': '400', mode: 'pull-request' });
    const job = workflow.jobs['pull-request'] as WorkflowJob;
    expect(evaluateExpression(job.if ?? '', { inputs })).toBe('true');
    expect(evaluateExpression(workflow.jobs.apply?.if ?? '', { inputs })).toBe('false');
    const env = await runner(
      'PlanRole',
      { sub: 'repo:acme/infra:ref:refs/heads/main', ref: 'refs/heads/main' },
      { name: 'workflow_dispatch', payload: { inputs: dispatch } },
    );
    const run = await runJob(job, { inputs, github: { token: 'ghs_job' }, needs: {} }, { workspace: repo, env });
    expect(run.outputs['pull-request-url']).toBe('https://github.com/acme/infra/pull/2');
    const pr = api.pulls[1];
    expect(pr).toMatchObject({ head: 'groundwork/vend-data', base: 'main', title: 'Vend account data in Playground' });
    expect(pr?.body).toContain('+ account data  (email: aws+data@example.com, organizationalUnit: Playground)');
    expect(api.branches.get('groundwork/vend-data')?.get('groundwork.yaml')).toContain(
      '    - name: data\n      organizationalUnit: Playground\n      monthlyBudgetUsd: 400\n',
    );
  }, 120_000);
});
