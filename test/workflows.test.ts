import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHARED_PATHS } from './helpers/paths.js';
import { evaluateExpression } from './helpers/workflow-runner.js';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, { required?: boolean; default?: unknown }> } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const root = SHARED_PATHS.root;
const read = (file: string) => parse(readFileSync(join(root, file), 'utf8')) as Workflow;
const workflowFiles = [
  ...readdirSync(join(root, '.github/workflows')).map((f) => `.github/workflows/${f}`),
  ...readdirSync(join(root, 'workflows-templates'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `workflows-templates/${f}`),
];
const actionSpec = (name: string) =>
  parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as { inputs?: Record<string, { required?: boolean; default?: unknown }> };
/** The action folder a step's `uses:` names in this repository, for `$/actions/x`, `./actions/x` and `OWNER/REPO/actions/x@sha`. */
const ownAction = (uses: string) => /^(?:\$\/|\.\/|[\w.-]+\/[\w.-]+\/)actions\/([\w-]+)(?:@[0-9a-f]{40})?$/.exec(uses)?.[1];
/** A `with:` block gives only inputs the action or workflow declares, and every required one. */
function expectInputsFit(declared: Record<string, { required?: boolean }>, given: Record<string, unknown> = {}): void {
  const keys = Object.keys(given);
  expect(keys.filter((key) => !(key in declared))).toEqual([]);
  const required = Object.entries(declared)
    .filter(([, input]) => input.required)
    .map(([key]) => key);
  expect(required.filter((key) => !keys.includes(key))).toEqual([]);
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('every step that uses one of our actions', () => {
  for (const file of workflowFiles) {
    const workflow = read(file);
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        const name = step.uses ? ownAction(step.uses) : undefined;
        if (!name) continue;
        it(`${file} ${jobName}: ${step.uses} exists, gets only inputs it declares and every required one`, () => {
          expect(existsSync(join(root, 'actions', name, 'action.yml'))).toBe(true);
          expectInputsFit(actionSpec(name).inputs ?? {}, step.with);
        });
        if (name === 'assume-role-via-oidc') {
          it(`${file} ${jobName}: may fetch an OIDC token (id-token: write)`, () => {
            expect(job.permissions?.['id-token']).toBe('write');
          });
        }
      }
    }
  }
});

describe('backend-staging (reusable) and the backend caller template', () => {
  const staging = read('.github/workflows/backend-staging.yml');
  const caller = read('workflows-templates/backend-service.yml');
  const callerJob = caller.jobs.staging as Job;

  it('runs test → image → deploy → e2e, so a failing test stops the workflow before any image is built', () => {
    expect(Object.keys(staging.jobs)).toEqual(['test', 'image', 'deploy', 'e2e']);
    expect(list(staging.jobs.image?.needs)).toEqual(['test']);
    expect(list(staging.jobs.deploy?.needs)).toEqual(['image']);
    expect(list(staging.jobs.e2e?.needs)).toEqual(['deploy']);
    // No job overrides the default `if: success()`, which is what makes a failure stop what follows.
    for (const job of Object.values(staging.jobs)) expect(job.if).toBeUndefined();
  });

  it('skips E2E only when no command is configured, and says so in the summary', () => {
    const steps = staging.jobs.e2e?.steps ?? [];
    expect(steps.find((s) => s.run?.includes('E2E skipped: no integration tests configured'))?.if).toBe("inputs.e2e-command == ''");
    const e2e = steps.find((s) => s.run?.includes('E2E_COMMAND'));
    expect(e2e?.if).toBe("inputs.e2e-command != ''");
    expect(e2e?.env?.BASE_URL).toBe('${{ needs.deploy.outputs.service-url }}');
  });

  it('the image job gets the image role; only the deploy job, in the staging environment, gets the delivery role that reaches staging', () => {
    const role = (job: string) => staging.jobs[job]?.steps?.find((s) => s.uses?.endsWith('assume-role-via-oidc'))?.with;
    expect(role('image')?.['role-to-assume']).toBe('${{ inputs.image-role-arn }}');
    expect(role('image')?.['target-account-id']).toBeUndefined();
    expect(role('deploy')?.['role-to-assume']).toBe('${{ inputs.delivery-role-arn }}');
    // deploy-staging chains into staging itself and keeps the cicd session, with which it records the deployed digest.
    expect(role('deploy')?.['target-account-id']).toBeUndefined();
    const deploy = staging.jobs.deploy?.steps?.find((s) => s.uses?.endsWith('deploy-staging'))?.with;
    expect(deploy).toMatchObject({ 'staging-account-id': '${{ inputs.staging-account-id }}', 'deploy-role-name': '${{ inputs.deploy-role-name }}' });
  });

  it('the image job sets up a buildx builder before build-and-push (the default docker driver refuses the registry cache export), pinned by commit SHA', () => {
    const steps = staging.jobs.image?.steps ?? [];
    const setup = steps.findIndex((s) => s.uses?.startsWith('docker/setup-buildx-action@'));
    const build = steps.findIndex((s) => s.uses?.endsWith('/actions/build-and-push'));
    expect(setup).toBeGreaterThanOrEqual(0);
    expect(setup).toBeLessThan(build);
    expect(steps[setup]?.uses).toMatch(/^docker\/setup-buildx-action@[0-9a-f]{40}$/);
    // Its defaults: a docker-container builder, selected for the following steps.
    expect(steps[setup]?.with?.driver ?? 'docker-container').toBe('docker-container');
    expect(steps[setup]?.with?.use ?? true).toBe(true);
    // The version in a comment next to the SHA, for readers and Dependabot.
    expect(readFileSync(join(root, '.github/workflows/backend-staging.yml'), 'utf8')).toMatch(/docker\/setup-buildx-action@[0-9a-f]{40} # v\d+\.\d+\.\d+/);
    // Every workflow that builds an image sets one up.
    for (const file of workflowFiles) {
      for (const job of Object.values(read(file).jobs)) {
        const jobSteps = job.steps ?? [];
        const builds = jobSteps.findIndex((s) => s.uses !== undefined && ownAction(s.uses) === 'build-and-push');
        if (builds >= 0)
          expect({ file, setup: jobSteps.slice(0, builds).some((s) => s.uses?.startsWith('docker/setup-buildx-action@')) }).toEqual({ file, setup: true });
      }
    }
  });

  it('deploys one run at a time per environment, never cancelling one in progress', () => {
    expect(staging.jobs.deploy?.concurrency).toEqual({ group: 'groundwork-deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    expect(staging.jobs.deploy?.environment).toBe('${{ inputs.environment }}');
  });

  it('grants each job least permissions, and the caller grants all that the jobs need (a called workflow cannot raise them)', () => {
    expect(staging.permissions).toEqual({});
    const needed = new Map<string, string>();
    for (const job of Object.values(staging.jobs))
      for (const [scope, level] of Object.entries(job.permissions ?? {})) if (level !== 'none') needed.set(scope, level);
    expect(Object.fromEntries(needed)).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(caller.permissions).toEqual({});
    expect(callerJob.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('the caller deploys pushes to the default branch, main or master, pins the library to a commit SHA, and passes only declared inputs, with every required one', () => {
    expect(caller.on).toEqual({ push: { branches: ['main', 'master'], tags: ['v*'] } });
    // Only the default branch deploys, whichever of the two it is: a repository on main works as one on master.
    expect(callerJob.if).toBe("github.ref_type == 'branch' && github.ref_name == github.event.repository.default_branch");
    for (const [defaultBranch, pushed, runs] of [
      ['main', 'main', 'true'],
      ['master', 'master', 'true'],
      ['main', 'master', 'false'],
    ] as const) {
      const github = { ref_type: 'branch', ref_name: pushed, event: { repository: { default_branch: defaultBranch } } };
      expect({ defaultBranch, pushed, runs: evaluateExpression(callerJob.if as string, { github }) }).toEqual({ defaultBranch, pushed, runs });
    }
    // The release checks the tag is on that same branch.
    expect((caller.jobs.production as Job).with?.['release-branch']).toBe('${{ github.event.repository.default_branch }}');
    expect(callerJob.uses).toMatch(/^[\w.-]+\/[\w.-]+\/\.github\/workflows\/backend-staging\.yml@[0-9a-f]{40}$/);
    expectInputsFit(staging.on.workflow_call?.inputs ?? {}, callerJob.with);
  });
});

describe('backend-release (reusable): every tag on master to production', () => {
  const release = read('.github/workflows/backend-release.yml');
  const caller = read('workflows-templates/backend-service.yml');
  const callerJob = caller.jobs.production as Job;
  const steps = release.jobs.release?.steps ?? [];

  it('runs test → release, with no image job (a release builds nothing), so nothing reaches production unless the tests pass', () => {
    expect(Object.keys(release.jobs)).toEqual(['test', 'release']);
    expect(list(release.jobs.release?.needs)).toEqual(['test']);
    // No job of a tag push builds or pushes an image, and the workflow takes no image role, Dockerfile or context.
    for (const job of Object.values(release.jobs))
      expect(
        (job.steps ?? []).filter(
          (s) => s.uses?.endsWith('build-and-push') || (s.uses?.endsWith('assume-role-via-oidc') && String(s.with?.['role-to-assume']).includes('image-role')),
        ),
      ).toEqual([]);
    for (const input of ['image-role-arn', 'dockerfile', 'context']) expect(release.on.workflow_call?.inputs?.[input]).toBeUndefined();
    for (const job of Object.values(release.jobs)) expect(job.if).toBeUndefined();
  });

  it("releases in the caller's production environment (its reviewers gate it), one release at a time, never cancelling one", () => {
    expect(release.jobs.release?.environment).toBe('${{ inputs.environment }}');
    expect(release.on.workflow_call?.inputs?.environment?.default).toBe('production');
    expect(release.jobs.release?.concurrency).toEqual({ group: 'groundwork-release-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('releases the image staging recorded (bluegreen-release builds nothing) blue/green, with the full history checked out', () => {
    expect(steps[0]?.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
    expect(steps.map((s) => s.uses && ownAction(s.uses)).filter(Boolean)).toEqual(['assume-role-via-oidc', 'bluegreen-release']);
    // Only the release job, in the production environment, assumes a role: the release role, which alone may reach production.
    const assume = steps.find((s) => s.uses?.endsWith('assume-role-via-oidc'));
    expect(assume?.with?.['role-to-assume']).toBe('${{ inputs.release-role-arn }}');
    expect(assume?.with?.['target-account-id']).toBeUndefined();
    expect(release.jobs.test?.steps?.some((s) => s.uses?.endsWith('assume-role-via-oidc'))).toBe(false);
    expect(steps.find((s) => s.uses?.endsWith('bluegreen-release'))?.with?.['production-account-id']).toBe('${{ inputs.production-account-id }}');
  });

  it('grants each job least permissions, within what the caller grants', () => {
    expect(release.permissions).toEqual({});
    for (const job of Object.values(release.jobs)) {
      for (const [scope, level] of Object.entries(job.permissions ?? {})) expect(callerJob.permissions?.[scope]).toBe(level);
    }
  });

  it('the caller releases on tags only, with the same library pin, passing only declared inputs and every required one', () => {
    expect(callerJob.if).toBe("github.ref_type == 'tag'");
    expect(callerJob.uses).toMatch(/^[\w.-]+\/[\w.-]+\/\.github\/workflows\/backend-release\.yml@[0-9a-f]{40}$/);
    expect(callerJob.uses?.split('@')[1]).toBe((caller.jobs.staging as Job).uses?.split('@')[1]);
    expectInputsFit(release.on.workflow_call?.inputs ?? {}, callerJob.with);
  });
});

describe('the backend workflows: which job may reach an environment', () => {
  it('a job without a GitHub environment assumes only the image role; each role that reaches a deploy role is assumed in an environment only', () => {
    for (const file of ['.github/workflows/backend-staging.yml', '.github/workflows/backend-release.yml']) {
      for (const [name, job] of Object.entries(read(file).jobs)) {
        for (const step of (job.steps ?? []).filter((s) => s.uses?.endsWith('assume-role-via-oidc'))) {
          const role = step.with?.['role-to-assume'];
          if (job.environment === undefined) expect({ file, job: name, role }).toEqual({ file, job: name, role: '${{ inputs.image-role-arn }}' });
          else expect({ file, job: name, role }).not.toEqual({ file, job: name, role: '${{ inputs.image-role-arn }}' });
        }
      }
    }
  });
});

/** `write` covers `read`; `none` needs nothing. */
const covers = (granted: string | undefined, needed: string) => needed === 'none' || granted === needed || (granted === 'write' && needed === 'read');
/** The reusable workflow a caller job names, read from this repository. */
const calledWorkflow = (uses: string) => read(`.github/workflows/${/\.github\/workflows\/([\w-]+\.yml)@/.exec(uses)?.[1]}`);

describe('every caller template job', () => {
  for (const file of workflowFiles.filter((f) => f.startsWith('workflows-templates/'))) {
    for (const [jobName, job] of Object.entries(read(file).jobs)) {
      if (!job.uses) continue;
      it(`${file} ${jobName}: grants what every job of ${job.uses.split('@')[0]?.split('/').pop()} needs (a called workflow cannot raise it), pinned to a commit`, () => {
        expect(job.uses).toMatch(/^[\w.-]+\/[\w.-]+\/\.github\/workflows\/[\w-]+\.yml@[0-9a-f]{40}$/);
        const called = calledWorkflow(job.uses as string);
        for (const calledJob of Object.values(called.jobs)) {
          for (const [scope, level] of Object.entries(calledJob.permissions ?? {})) {
            expect({ scope, granted: job.permissions?.[scope] ?? 'none', covers: covers(job.permissions?.[scope], level) }).toMatchObject({
              scope,
              covers: true,
            });
          }
        }
        expectInputsFit(called.on.workflow_call?.inputs ?? {}, job.with);
      });
    }
  }
});

describe('the foundation workflows and the infrastructure caller template', () => {
  const checks = read('.github/workflows/foundation-checks.yml');
  const apply = read('.github/workflows/foundation-apply.yml');
  const vend = read('.github/workflows/foundation-vend.yml');
  const sync = read('.github/workflows/foundation-sync.yml');
  const caller = read('workflows-templates/foundation.yml');
  const own = (job: Job | undefined) =>
    (job?.steps ?? []).map((s) => (s.uses ? (ownAction(s.uses) ?? s.uses.split('@')[0]) : `run: ${s.run?.split(' ').slice(0, 2).join(' ')}`));
  const step = (job: Job | undefined, action: string) => job?.steps?.find((s) => s.uses && ownAction(s.uses) === action);

  it('every job that runs the groundwork CLI sets it up first, from the library at the pinned commit', () => {
    for (const workflow of [checks, apply, vend, sync]) {
      for (const job of Object.values(workflow.jobs)) {
        const steps = job.steps ?? [];
        const first = steps.findIndex((s) => /(^|\s)groundwork /m.test(s.run ?? ''));
        if (first >= 0) expect(steps.slice(0, first).some((s) => s.uses === '$/actions/setup-groundwork')).toBe(true);
      }
    }
  });

  it('checks a pull request: validate with annotations, then a read-only plan as one comment, and synth with cdk-nag, cfn-lint and the templates check', () => {
    expect(Object.keys(checks.on)).toEqual(['workflow_call']);
    expect(own(checks.jobs.validate)).toEqual(['actions/checkout', 'actions/setup-node', 'setup-groundwork', 'run: if [']);
    expect(checks.jobs.validate?.steps?.at(-1)?.run).toContain('groundwork validate --annotations --config "$CONFIG" --people "$PEOPLE"');
    expect(list(checks.jobs.plan?.needs)).toEqual(['validate']);
    expect(own(checks.jobs.plan)).toEqual(['actions/checkout', 'assume-role-via-oidc', 'foundation-plan']);
    expect(step(checks.jobs.plan, 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.plan-role-arn }}');
    expect(step(checks.jobs.plan, 'foundation-plan')?.with).toMatchObject({ 'member-settings': 'skip', comment: 'true' });
    expect(checks.jobs.templates?.steps?.at(-1)?.run).toBe('groundwork synth --check --config "$CONFIG" --out "$RUNNER_TEMP/cdk.out"');
    expect(step(checks.jobs.templates, 'setup-groundwork')?.with).toEqual({ 'install-python-tools': 'true' });
    expect(checks.permissions).toEqual({});
    expect(checks.jobs.validate?.permissions).toEqual({ contents: 'read' });
    expect(checks.jobs.plan?.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    expect(checks.jobs.templates?.permissions).toEqual({ contents: 'read' });
  });

  it("applies on merge in the caller's foundation environment, one at a time and never cancelled, comparing the plan with the reviewed one first", () => {
    expect(apply.jobs.deploy?.environment).toBe('${{ inputs.environment }}');
    expect(apply.on.workflow_call?.inputs?.environment?.default).toBe('foundation');
    expect(apply.jobs.deploy?.concurrency).toEqual({ group: 'groundwork-foundation', 'cancel-in-progress': false });
    expect(own(apply.jobs.deploy)).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'setup-groundwork',
      'assume-role-via-oidc',
      'foundation-plan',
      'run: groundwork deploy',
    ]);
    expect(step(apply.jobs.deploy, 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.deploy-role-arn }}');
    expect(step(apply.jobs.deploy, 'foundation-plan')?.with).toMatchObject({
      comment: 'false',
      'compare-with-pull-request': 'true',
      'member-settings': 'skip',
    });
    expect(apply.jobs.deploy?.steps?.at(-1)?.run).toBe('groundwork deploy --yes --target aws --config "$CONFIG" --summary "$GITHUB_STEP_SUMMARY"');
    // Vending in apply mode shares the concurrency group: two writers of the organization never run at once.
    expect(vend.jobs.apply?.concurrency).toEqual(apply.jobs.deploy?.concurrency);
  });

  it('vends through a pull request with the plan role, or now in the foundation environment with the deploy role', () => {
    expect(vend.jobs['pull-request']?.if).toBe("inputs.mode == 'pull-request'");
    expect(vend.jobs.apply?.if).toBe("inputs.mode == 'apply'");
    expect(step(vend.jobs['pull-request'], 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.plan-role-arn }}');
    expect(step(vend.jobs['pull-request'], 'vend-account')?.with).toMatchObject({
      mode: 'pull-request',
      'github-token': '${{ secrets.PR_TOKEN || github.token }}',
    });
    expect(vend.jobs['pull-request']?.environment).toBeUndefined();
    expect(step(vend.jobs.apply, 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.deploy-role-arn }}');
    expect(step(vend.jobs.apply, 'vend-account')?.with).toMatchObject({ mode: 'apply' });
    expect(vend.jobs.apply?.environment).toBe('${{ inputs.apply-environment }}');
    expect(vend.on.workflow_call?.inputs?.['apply-environment']?.default).toBe('foundation');
  });

  it('syncs people with the sync role, remove-missing off and max-removals capped by default', () => {
    expect(own(sync.jobs.sync)).toEqual(['actions/checkout', 'assume-role-via-oidc', 'sync-sso-users']);
    expect(step(sync.jobs.sync, 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.sync-role-arn }}');
    expect(sync.on.workflow_call?.inputs?.['remove-missing']?.default).toBe(false);
    expect(sync.on.workflow_call?.inputs?.['max-removals']?.default).toBe(5);
  });

  it('makes privileged people changes only in the people-admin environment with the people-admin role, after the sync holds them', () => {
    // The sync job: no environment, the sync role, held changes as warnings and counted for the next job.
    expect(sync.jobs.sync?.environment).toBeUndefined();
    expect(step(sync.jobs.sync, 'sync-sso-users')?.with).toMatchObject({ 'fail-on-privileged': false });
    expect(step(sync.jobs.sync, 'sync-sso-users')?.with?.['allow-privileged']).toBeUndefined();
    expect(sync.jobs.sync?.outputs).toEqual({ 'privileged-held': '${{ steps.sync.outputs.privileged-held }}' });
    // The privileged job: only when changes were held, in the environment, with the people-admin role.
    const privileged = sync.jobs.privileged;
    expect(list(privileged?.needs)).toEqual(['sync']);
    expect(privileged?.if).toBe("needs.sync.outputs.privileged-held != '0' && needs.sync.outputs.privileged-held != ''");
    expect(privileged?.environment).toBe('${{ inputs.people-admin-environment }}');
    expect(sync.on.workflow_call?.inputs?.['people-admin-environment']?.default).toBe('foundation');
    expect(own(privileged)).toEqual(['actions/checkout', 'assume-role-via-oidc', 'sync-sso-users']);
    expect(step(privileged, 'assume-role-via-oidc')?.with?.['role-to-assume']).toBe('${{ inputs.people-admin-role-arn }}');
    expect(step(privileged, 'sync-sso-users')?.with).toMatchObject({ 'allow-privileged': true });
    expect(privileged?.concurrency).toEqual(sync.jobs.sync?.concurrency);
    expect(privileged?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    // No other job of the library's workflows allows privileged people changes.
    for (const workflow of [checks, apply, vend, sync]) {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        if (step(job, 'sync-sso-users')?.with?.['allow-privileged'] !== undefined) expect(name).toBe('privileged');
      }
    }
    expect(caller.jobs.sync?.with?.['people-admin-role-arn']).toMatch(/:role\/groundwork-foundation-people-admin$/);
  });

  it('the caller template: checks on pull requests, apply and sync on pushes to main, sync on a schedule, vending by dispatch, one library pin', () => {
    const paths = ['groundwork.yaml', 'policies/**', 'people.csv'];
    expect(caller.on.pull_request).toEqual({ paths });
    expect(caller.on.push).toEqual({ branches: ['main'], paths });
    expect(caller.on.schedule).toHaveLength(1);
    const dispatch = caller.on.workflow_dispatch?.inputs ?? {};
    expect(Object.keys(dispatch)).toEqual(['account-name', 'organizational-unit', 'environment', 'monthly-budget', 'owner-email', 'mode']);
    expect(caller.jobs.checks?.if).toBe("github.event_name == 'pull_request'");
    expect(caller.jobs.vend?.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(list(caller.jobs.apply?.needs)).toEqual(['changes']);
    expect(list(caller.jobs.sync?.needs)).toEqual(['changes', 'apply']);
    for (const key of Object.keys(dispatch)) expect(caller.jobs.vend?.with?.[key]).toBe(`\${{ inputs.${key} }}`);
    const pins = new Set(Object.values(caller.jobs).flatMap((j) => (j.uses ? [j.uses.split('@')[1]] : [])));
    expect(pins.size).toBe(1);
    // The role ARNs name the bootstrap template's roles.
    expect(caller.jobs.checks?.with?.['plan-role-arn']).toMatch(/:role\/groundwork-foundation-plan$/);
    expect(caller.jobs.apply?.with?.['deploy-role-arn']).toMatch(/:role\/groundwork-foundation-deploy$/);
    expect(caller.jobs.sync?.with?.['sync-role-arn']).toMatch(/:role\/groundwork-foundation-sync$/);
  });
});
