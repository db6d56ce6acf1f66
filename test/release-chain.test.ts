import { type ChildProcess, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { roleAdmits } from '../src/delivery/trust-policy.js';
import { createProduction, createStagingService, EXAMPLE_SERVICE, type ProductionFixture, startExampleService } from './helpers/delivery-fixtures.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { node24 } from './helpers/node24.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { type OidcEndpoint, startOidcEndpoint } from './helpers/run-action.js';
import { useTestEmulator } from './helpers/test-emulator.js';
import { evaluateExpression, interpolate, runJob, type WorkflowContext, type WorkflowJob } from './helpers/workflow-runner.js';

const sandbox = useTestEmulator();
const root = SHARED_PATHS.root;
const PRODUCTION = '444455556666';
const CICD = '123456789012';
const STAGING = '222222222222';

type Workflow = { on: { workflow_call?: { inputs?: Record<string, { default?: unknown }> } }; jobs: Record<string, WorkflowJob & { environment?: string }> };
type CallerJob = { if: string; uses: string; with: Record<string, string> };
const readYaml = <T>(file: string) => parse(readFileSync(join(root, file), 'utf8')) as T;

/** A repository holding only the example service and the caller template, as a backend team would have it. */
function backendRepository(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-backend-repo-'));
  cpSync(EXAMPLE_SERVICE, dir, { recursive: true, filter: (source) => !source.includes('node_modules') });
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  writeFileSync(join(dir, '.github/workflows/groundwork.yml'), readFileSync(join(root, 'workflows-templates/backend-service.yml')));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', 'master');
  git('add', '.');
  git('commit', '-q', '-m', 'the backend service');
  git('tag', 'v1.0.0');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

/** The inputs a called workflow gets: its declared defaults, then what the caller passes. */
function callInputs(workflow: Workflow, given: Record<string, string>): Record<string, string> {
  const declared = workflow.on.workflow_call?.inputs ?? {};
  return { ...Object.fromEntries(Object.entries(declared).map(([key, input]) => [key, input.default === undefined ? '' : String(input.default)])), ...given };
}

/**
 * The whole chain, from the caller template in a repository holding only the example service: the master push's image
 * job (backend-staging.yml) builds the image once; the tag push selects backend-release.yml, whose test and release
 * jobs (no image job: a release builds nothing) run with this library's bundled actions against the emulator (cicd and production accounts), with
 * CodeDeploy's rollout played from recorded answers (moto keeps deployments Created).
 */
describe('a tag on master, from the caller template to production blue/green', () => {
  const caller = readYaml<{ on: unknown; jobs: Record<string, CallerJob> }>('workflows-templates/backend-service.yml');
  let repo: ReturnType<typeof backendRepository>;
  let production: ProductionFixture;
  let proxy: FaultProxy;
  let service: { baseUrl: string; process: ChildProcess };
  const oidc: OidcEndpoint[] = [];
  const log = join(mkdtempSync(join(tmpdir(), 'gw-chain-docker-')), 'calls.jsonl');
  const cd: string[] = [];
  let polls = 0;
  let stagingRollout: string | undefined;
  const rollout = (rolloutState: string, runningCount: number) => ({
    id: 'ecs-svc/1',
    status: 'PRIMARY',
    taskDefinition: stagingRollout,
    desiredCount: 1,
    runningCount,
    pendingCount: 1 - runningCount,
    rolloutState,
  });

  beforeAll(async () => {
    repo = backendRepository();
    writeFileSync(log, '');
    const clients = sandbox.emulator.clients('eu-west-1');
    await clients.create(ECRClient).send(new CreateRepositoryCommand({ repositoryName: 'backend-service', imageTagMutability: 'IMMUTABLE' }));
    production = await createProduction(clients, PRODUCTION);
    await createStagingService(clients, { accountId: STAGING, serviceName: 'backend-service' });
    service = await startExampleService();
    proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        // moto starts no ECS deployment on UpdateService: staging's rollout is answered as ECS answers one that completed.
        if (operation === 'UpdateService') {
          stagingRollout = (JSON.parse(body) as { taskDefinition: string }).taskDefinition;
          return { status: 200, json: { service: { serviceName: 'backend-service', status: 'ACTIVE', deployments: [rollout('IN_PROGRESS', 0)] } } };
        }
        if (operation === 'DescribeServices' && stagingRollout) {
          const services = [{ serviceName: 'backend-service', status: 'ACTIVE', taskDefinition: stagingRollout, deployments: [rollout('COMPLETED', 1)] }];
          stagingRollout = undefined;
          return { status: 200, json: { services, failures: [] } };
        }
        if (['GetDeployment', 'ListDeploymentTargets', 'BatchGetDeploymentTargets', 'ContinueDeployment', 'StopDeployment'].includes(operation))
          cd.push(operation);
        if (operation === 'GetDeployment') {
          polls++;
          const status = polls === 1 ? 'InProgress' : polls === 2 ? 'Ready' : cd.includes('ContinueDeployment') ? 'Succeeded' : 'Ready';
          return { status: 200, json: { deploymentInfo: { status } } };
        }
        if (operation === 'ListDeploymentTargets') return { status: 200, json: { targetIds: ['prod:backend'] } };
        if (operation === 'BatchGetDeploymentTargets') {
          const events = [
            ['Install', 'Succeeded'],
            ['AllowTestTraffic', 'Succeeded'],
            ...(cd.includes('ContinueDeployment') ? [['AllowTraffic', 'Succeeded']] : []),
          ];
          return {
            status: 200,
            json: { deploymentTargets: [{ ecsTarget: { lifecycleEvents: events.map(([lifecycleEventName, status]) => ({ lifecycleEventName, status })) } }] },
          };
        }
        if (operation === 'ContinueDeployment') return { status: 200, json: {} };
        return undefined;
      },
    });
  });
  afterAll(async () => {
    service?.process.kill('SIGTERM');
    await proxy?.close();
    for (const endpoint of oidc) await endpoint.close();
  });

  /** The runner's environment for a push of `ref` at the commit: Node 24 and fake docker on PATH, an OIDC token endpoint. */
  async function runnerEnv(ref: string, claims: Record<string, string>): Promise<Record<string, string>> {
    const endpoint = await startOidcEndpoint(claims);
    oidc.push(endpoint);
    return {
      ...endpoint.env,
      PATH: `${join(root, 'test/fixtures/fake-docker')}:${dirname(node24())}:${process.env.PATH}`,
      HOME: process.env.HOME ?? '/tmp',
      FAKE_DOCKER_LOG: log,
      AWS_ENDPOINT_URL: proxy.endpoint,
      GITHUB_REF: ref,
      GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_REF_NAME: ref.split('/').slice(2).join('/'),
      GITHUB_SHA: repo.sha,
      GITHUB_REPOSITORY: 'acme/backend',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1001',
    };
  }

  /** The caller job a push runs (by its `if:`), with the FILL IN values filled as a team would, from the templates' outputs. */
  function callerJobFor(refType: 'branch' | 'tag', fillIn: Record<string, string>): { workflow: string; uses: string; with: Record<string, string> } {
    // The push event of a repository whose default branch is master: a branch push of master, or a tag push.
    const github = { ref_type: refType, ref_name: refType === 'branch' ? 'master' : 'v1.0.0', event: { repository: { default_branch: 'master' } } };
    const selected = Object.values(caller.jobs).filter((job) => evaluateExpression(job.if, { github }) === 'true');
    expect(selected).toHaveLength(1);
    const job = selected[0] as CallerJob;
    // Filling in changes values the template has, and may add only inputs the workflow declares (checked by workflows.test.ts).
    const given = Object.fromEntries(Object.entries({ ...job.with, ...fillIn }).map(([key, value]) => [key, interpolate(value, { github })]));
    return { workflow: job.uses.replace(/^[^/]+\/[^/]+\//, '').split('@')[0] as string, uses: job.uses, with: given };
  }

  it('the master push builds the image once and staging records the digest it deployed; the tag push tests, builds nothing, finds the record, and releases that image blue/green with the smoke check', async () => {
    const oidcTemplate = JSON.parse(readFileSync(join(root, 'cloudformation/github-oidc.json'), 'utf8'));
    // The template's defaults, and the values this organization gives it.
    const oidcParameters = {
      ...Object.fromEntries(
        Object.entries(oidcTemplate.Parameters as Record<string, { Default?: string }>).flatMap(([key, p]) =>
          p.Default === undefined ? [] : [[key, String(p.Default)]],
        ),
      ),
      GitHubOwner: 'acme',
      GitHubRepository: 'backend',
      ProductionAccountId: PRODUCTION,
      StagingAccountId: '222222222222',
      // The roles pinned to the library at the commit the caller file pins (its uses: names repository and SHA).
      WorkflowRepository: caller.jobs.staging?.uses.split('/').slice(0, 2).join('/') as string,
      WorkflowCommit: caller.jobs.staging?.uses.split('@')[1] as string,
    };
    const roles = { ImageRole: 'groundwork-image', DeliveryRole: 'groundwork-delivery', ReleaseRole: 'groundwork-release' } as const;
    const fillInRoles = {
      'image-role-arn': `arn:aws:iam::${CICD}:role/${roles.ImageRole}`,
      'delivery-role-arn': `arn:aws:iam::${CICD}:role/${roles.DeliveryRole}`,
      'release-role-arn': `arn:aws:iam::${CICD}:role/${roles.ReleaseRole}`,
    };
    /**
     * The role a job's assume step names (its input, as the caller fills it in) is the one role of the cicd template that
     * admits the token the job carries; the other two refuse it.
     */
    const expectRoleOf = (job: WorkflowJob | undefined, inputs: Record<string, string>, claims: Record<string, string>, expected: keyof typeof roles) => {
      const step = job?.steps?.find((s) => s.uses?.endsWith('assume-role-via-oidc'));
      const arn = interpolate(step?.with?.['role-to-assume'], { inputs });
      expect(arn).toBe(`arn:aws:iam::${CICD}:role/${roles[expected]}`);
      const admitted = Object.keys(roles).filter((id) => roleAdmits(oidcTemplate, id, { aud: 'sts.amazonaws.com', ...claims }, { parameters: oidcParameters }));
      expect(admitted).toEqual([expected]);
    };

    // 1. The master push: backend-staging's image job, through the image role, builds and pushes the image.
    const master = callerJobFor('branch', fillInRoles);
    expect(master.workflow).toBe('.github/workflows/backend-staging.yml');
    // GitHub names the called workflow at the caller's pin in job_workflow_ref.
    const masterClaims = { sub: 'repo:acme/backend:ref:refs/heads/master', ref: 'refs/heads/master', job_workflow_ref: master.uses };
    const staging = readYaml<Workflow>(master.workflow);
    const stagingInputs = callInputs(staging, master.with);
    expectRoleOf(staging.jobs.image, stagingInputs, masterClaims, 'ImageRole');
    // Its deploy job runs in the staging environment: that token names the environment, and only it gets the delivery role.
    expect(interpolate(staging.jobs.deploy?.environment, { inputs: stagingInputs })).toBe('staging');
    const stagingDeploy = { sub: 'repo:acme/backend:environment:staging', ref: 'refs/heads/master', environment: 'staging', job_workflow_ref: master.uses };
    expectRoleOf(staging.jobs.deploy, stagingInputs, stagingDeploy, 'DeliveryRole');
    const stagingImage = await runJob(
      staging.jobs.image as WorkflowJob,
      { inputs: callInputs(staging, master.with), github: {}, needs: {} },
      { workspace: repo.dir, env: await runnerEnv('refs/heads/master', masterClaims) },
    );
    expect(stagingImage.outputs['image-uri']).toMatch(/\/backend-service@sha256:[0-9a-f]{64}$/);
    const builds = () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"buildx","build"')).length;
    expect(builds()).toBe(1);
    // Its deploy job deploys that digest to staging (chaining into staging's deploy role) and records it in the cicd
    // account's SSM with the delivery session: the record the release of this commit requires.
    const stagingDeployed = await runJob(
      staging.jobs.deploy as WorkflowJob,
      { inputs: stagingInputs, github: {}, needs: { image: stagingImage } },
      { workspace: repo.dir, env: await runnerEnv('refs/heads/master', stagingDeploy) },
    );
    const deployStep = stagingDeployed.steps.find((s) => s.name.endsWith('deploy-staging'))?.action;
    expect(deployStep?.stdout).not.toContain('::error::');
    expect(deployStep?.stdout).toContain(`chained into arn:aws:sts::${STAGING}:assumed-role/groundwork-deploy/`);
    expect(deployStep?.outputs['staging-record']).toBe(`/groundwork/staging-records/backend-service/${repo.sha}`);
    const { Parameter: recorded } = await sandbox.emulator
      .clients('eu-west-1')
      .create(SSMClient)
      .send(new GetParameterCommand({ Name: `/groundwork/staging-records/backend-service/${repo.sha}` }));
    expect(JSON.parse(recorded?.Value ?? '{}')).toMatchObject({ digest: stagingImage.outputs['image-uri']?.split('@')[1] });

    // 2. The tag push: backend-release's test → release, through the release role, which only tags may assume. The
    // production job names no image role: no job of a tag push may push an image.
    const tag = callerJobFor('tag', {
      'release-role-arn': fillInRoles['release-role-arn'],
      'production-account-id': PRODUCTION,
      // The emulator has no ECS service deployments: the chain runs the CodeDeploy strategy (ECS's is tested on recorded answers).
      'release-strategy': 'codedeploy',
      cluster: '',
      service: '',
      'codedeploy-application': production.application,
      'codedeploy-deployment-group': production.group,
      'smoke-command': 'npm run test:e2e',
      // The test listener of a real ALB serves the new tasks; here the example service runs on this machine.
      'smoke-url': service.baseUrl,
    });
    expect(tag.workflow).toBe('.github/workflows/backend-release.yml');
    // A job of the tag push without an environment carries the tag in sub; the release job runs in the production
    // environment, so its token's sub names the environment and its ref claim the tag (GitHub puts one or the other in
    // sub, never both).
    const tagClaims = { sub: 'repo:acme/backend:ref:refs/tags/v1.0.0', ref: 'refs/tags/v1.0.0', job_workflow_ref: tag.uses };
    const releaseClaims = { sub: 'repo:acme/backend:environment:production', ref: 'refs/tags/v1.0.0', environment: 'production', job_workflow_ref: tag.uses };
    const release = readYaml<Workflow>(tag.workflow);
    expect(Object.keys(release.jobs)).toEqual(['test', 'release']);
    expect(tag.with['image-role-arn']).toBeUndefined();
    expectRoleOf(release.jobs.release, callInputs(release, tag.with), releaseClaims, 'ReleaseRole');
    // The release job's environment is the input, whose default the caller keeps: the environment the token names.
    expect(interpolate(release.jobs.release?.environment, { inputs: callInputs(release, tag.with) })).toBe(releaseClaims.environment);
    // The attack: a pushed workflow that runs a job without the environment carries the tag in sub, and gets no role
    // at all (with the image role it could pre-push an image under a reviewed commit's SHA tag before that commit's
    // image job); a master push's job without the staging environment carries the branch, and gets the image role at
    // most. Neither reaches a role that reaches an environment.
    for (const [claims, refused] of [
      [tagClaims, ['ImageRole', 'DeliveryRole', 'ReleaseRole']],
      [masterClaims, ['DeliveryRole', 'ReleaseRole']],
    ] as const) {
      for (const role of refused) {
        expect({
          role,
          sub: claims.sub,
          admitted: roleAdmits(oidcTemplate, role, { aud: 'sts.amazonaws.com', ...claims }, { parameters: oidcParameters }),
        }).toEqual({
          role,
          sub: claims.sub,
          admitted: false,
        });
      }
    }
    const context = (needs: WorkflowContext['needs']): WorkflowContext => ({ inputs: callInputs(release, tag.with), github: {}, needs });
    const env = await runnerEnv('refs/tags/v1.0.0', tagClaims);
    const releaseEnv = await runnerEnv('refs/tags/v1.0.0', releaseClaims);

    const test = await runJob(release.jobs.test as WorkflowJob, context({}), { workspace: repo.dir, env });
    expect(test.steps.at(-1)?.output).toMatch(/ℹ pass 7\nℹ fail 0/);
    const shipped = await runJob(release.jobs.release as WorkflowJob, context({ test }), {
      workspace: repo.dir,
      env: releaseEnv,
      // The recorded CodeDeploy answers move on with each poll: poll every second, not every 15.
      timing: { 'bluegreen-release': { 'poll-seconds': '1' } },
    });

    // The digest that the master run built is the digest production gets, and nothing was built again.
    expect(builds()).toBe(1);
    expect(shipped.outputs['image-uri']).toBe(stagingImage.outputs['image-uri']);
    const digest = stagingImage.outputs['image-uri']?.split('@')[1];
    const { imageDetails } = await sandbox.emulator
      .clients('eu-west-1')
      .create(ECRClient)
      .send(new DescribeImagesCommand({ repositoryName: 'backend-service', imageIds: [{ imageTag: 'v1.0.0' }] }));
    expect(imageDetails?.[0]?.imageDigest).toBe(digest);
    const action = shipped.steps.find((s) => s.name.endsWith('bluegreen-release'))?.action;
    expect(action?.stdout).toContain(`${repo.sha.slice(0, 12)} is on master`);
    expect(action?.stdout).toContain(`chained into arn:aws:sts::${PRODUCTION}:assumed-role/groundwork-deploy/`);
    // The service's own E2E tests ran as the smoke check before production traffic moved, and passed.
    expect(action?.stdout).toMatch(/ℹ pass 2\nℹ fail 0/);
    expect(action?.stdout).toContain('the smoke check passed');
    expect(cd).toContain('ContinueDeployment');
    expect(cd).not.toContain('StopDeployment');
    expect(action?.stdout).toContain(`the image staging ran for ${repo.sha.slice(0, 12)}, now also tagged v1.0.0`);
    expect(action?.outputs).toMatchObject({ status: 'Succeeded', version: 'v1.0.0' });
    expect(shipped.outputs['deployment-id']).toBe(action?.outputs['deployment-id']);
  }, 180_000);
});
