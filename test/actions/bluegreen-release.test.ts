import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { recordStagingDeployment, stagingRecordName } from '../../src/delivery/staging-record.js';
import { createProduction, type ProductionFixture } from '../helpers/delivery-fixtures.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { SHARED_PATHS } from '../helpers/paths.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const PRODUCTION = '444455556666';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
  layers: [],
});

/** A real git repository: master with one commit (tagged v1.0.0), and a feature branch commit (tagged v9.9.9). */
function gitRepository(): { dir: string; onMaster: string; onFeature: string; unbuilt: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-release-git-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', 'master');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  git('add', '.');
  git('commit', '-q', '-m', 'release me');
  const onMaster = git('rev-parse', 'HEAD');
  git('tag', 'v1.0.0');
  git('checkout', '-q', '-b', 'experiment');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nLABEL x=1\n');
  git('commit', '-q', '-am', 'not released');
  const onFeature = git('rev-parse', 'HEAD');
  git('checkout', '-q', 'master');
  // A later master commit that part 1 never built (its image missing, as when the staging run failed before the image job).
  writeFileSync(join(dir, 'README.md'), 'later\n');
  git('add', '.');
  git('commit', '-q', '-m', 'hotfix, never built');
  const unbuilt = git('rev-parse', 'HEAD');
  return { dir, onMaster, onFeature, unbuilt };
}

/**
 * Recorded CodeDeploy answers: moto keeps every deployment Created and has no StopDeployment or ContinueDeployment, so
 * the proxy plays the sequences a real blue/green deployment answers, and forwards everything else to the emulator.
 */
interface Script {
  /** Answers in order (the last one repeats), or a function of the StopDeployment calls so far. */
  GetDeployment: unknown[] | ((stops: number) => unknown);
  BatchGetDeploymentTargets?: unknown[];
}
const deployment = (status: string, extra: Record<string, unknown> = {}) => ({ deploymentInfo: { status, ...extra } });
const lifecycle = (...events: [string, string][]) => ({
  deploymentTargets: [{ ecsTarget: { lifecycleEvents: events.map(([lifecycleEventName, status]) => ({ lifecycleEventName, status })) } }],
});

describe('bluegreen-release, bundled and run as the runner runs it (Node 24), against the emulator and recorded CodeDeploy answers', () => {
  let repo: ReturnType<typeof gitRepository>;
  let production: ProductionFixture;
  let proxy: FaultProxy;
  let script: Script = { GetDeployment: [] };
  const calls: { operation: string; body: string }[] = [];
  const log = join(mkdtempSync(join(tmpdir(), 'gw-release-docker-')), 'calls.jsonl');
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  const next = (list: unknown[] | undefined) => (list && list.length > 1 ? list.shift() : list?.[0]);

  beforeAll(async () => {
    repo = gitRepository();
    writeFileSync(log, '');
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    // The image part 1 built for this commit, and deploy-staging's record that staging ran it.
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: repo.onMaster, imageManifest: MANIFEST, imageDigest: DIGEST }));
    const ssm = sandbox.emulator.clients('eu-west-1').create(SSMClient);
    await recordStagingDeployment(ssm, { repositoryName: 'backend', digest: DIGEST }, repo.onMaster, { clock: fixedClock('2026-03-01T10:00:00Z') });
    production = await createProduction(sandbox.emulator.clients('eu-west-1'), PRODUCTION);
    proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        calls.push({ operation, body });
        if (operation === 'GetDeployment') {
          const answers = script.GetDeployment;
          const stops = calls.filter((c) => c.operation === 'StopDeployment').length;
          return { status: 200, json: typeof answers === 'function' ? answers(stops) : next(answers) };
        }
        if (operation === 'ListDeploymentTargets') return { status: 200, json: { targetIds: ['prod:backend'] } };
        if (operation === 'BatchGetDeploymentTargets') return { status: 200, json: next(script.BatchGetDeploymentTargets) ?? lifecycle() };
        if (operation === 'ContinueDeployment') return { status: 200, json: {} };
        if (operation === 'StopDeployment') return { status: 200, json: { status: 'Pending', statusMessage: 'Stopping' } };
        return undefined;
      },
    });
  });
  afterAll(async () => proxy?.close());
  beforeEach(() => {
    calls.length = 0;
  });

  const inputs = (extra: Record<string, string> = {}) => ({
    'ecr-repository': 'backend',
    // The emulator has no ECS service deployments: the CodeDeploy strategy (ECS's: src/delivery/ecs-bluegreen.test.ts).
    strategy: 'codedeploy',
    'codedeploy-application': production.application,
    'codedeploy-deployment-group': production.group,
    'production-account-id': PRODUCTION,
    'working-directory': repo.dir,
    'poll-seconds': '1',
    ...extra,
  });
  const env = (extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_REF_NAME: 'v1.0.0',
    GITHUB_SHA: repo.onMaster,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/backend',
    GITHUB_RUN_ID: '77',
    PATH: `${join(SHARED_PATHS.root, 'test/fixtures/fake-docker')}:${process.env.PATH}`,
    FAKE_DOCKER_LOG: log,
    ...extra,
  });
  const called = (operation: string) => calls.filter((c) => c.operation === operation).map((c) => JSON.parse(c.body) as Record<string, unknown>);

  it('releases the tag: the same digest gets the version tag, nothing is built, the smoke check runs at the test listener, and it succeeds', async () => {
    script = {
      GetDeployment: [
        deployment('InProgress'),
        deployment('Ready'),
        deployment('InProgress', { blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: 5 } } }),
        deployment('Succeeded'),
      ],
      BatchGetDeploymentTargets: [
        lifecycle(['Install', 'InProgress']),
        lifecycle(['Install', 'Succeeded'], ['AllowTestTraffic', 'Succeeded']),
        lifecycle(['AllowTraffic', 'Succeeded'], ['AfterAllowTraffic', 'Succeeded']),
        lifecycle(['AllowTraffic', 'Succeeded'], ['AfterAllowTraffic', 'Succeeded']),
      ],
    };
    const smokeLog = join(repo.dir, 'smoke.txt');
    const smokeEnv = join(repo.dir, 'smoke-env.txt');
    // The job's step holds the cicd credentials, the runner's OIDC token endpoint and a GitHub token: none reaches the smoke command.
    const jobSecrets = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/_apis/token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-bearer',
      ACTIONS_RUNTIME_TOKEN: 'runtime-bearer',
      GITHUB_TOKEN: 'ghs_jobtoken',
      TEAM_SETTING: 'kept',
    };
    const run = await runAction(
      'bluegreen-release',
      inputs({ 'smoke-command': `echo "$BASE_URL" > ${smokeLog}; env > ${smokeEnv}; echo '::save-state name=settled::true'` }),
      env(jobSecrets),
    );
    expect(run.stdout).not.toContain('::error::');
    // The smoke command's output cannot issue workflow commands (a save-state would keep the post step from cleaning up).
    const forged = run.stdout.indexOf('\n::save-state name=settled::true\n');
    const stop = /::stop-commands::([0-9a-f-]{36})\n/.exec(run.stdout.slice(0, forged + 1));
    expect(forged).toBeGreaterThan(0);
    expect(stop).not.toBeNull();
    expect(run.stdout.indexOf(`::${stop?.[1]}::`)).toBeGreaterThan(forged);
    expect(run.code).toBe(0);
    // One digest for the SHA tag and the version tag, and no docker call at all.
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: repo.onMaster }, { imageTag: 'v1.0.0' }] }),
    );
    expect(new Set(imageDetails?.map((d) => d.imageDigest))).toEqual(new Set([DIGEST]));
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(run.outputs).toMatchObject({ status: 'Succeeded', 'image-digest': DIGEST, version: 'v1.0.0' });
    expect(run.outputs['image-uri']).toMatch(new RegExp(`/backend@${DIGEST}$`));
    // The smoke command got the test listener (port 9000 of the production load balancer).
    expect(readFileSync(smokeLog, 'utf8').trim()).toBe(`http://${production.loadBalancerDns}:9000`);
    // The smoke command ran with BASE_URL and the team's settings, and without the job's credentials and tokens.
    const seen = readFileSync(smokeEnv, 'utf8');
    expect(seen).toContain(`BASE_URL=http://${production.loadBalancerDns}:9000\n`);
    expect(seen).toContain('TEAM_SETTING=kept\n');
    expect(seen).toContain(`GITHUB_SHA=${repo.onMaster}\n`);
    expect(seen.split('\n').filter((line) => /^(AWS_|ACTIONS_|GITHUB_TOKEN=|INPUT_|STATE_|GITHUB_(ENV|OUTPUT|STATE|PATH)=)/.test(line))).toEqual([]);
    for (const secret of ['AKIAEXAMPLEEXAMPLE', 'oidc-request-bearer', 'runtime-bearer', 'ghs_jobtoken']) expect(seen).not.toContain(secret);
    expect(called('ContinueDeployment')).toEqual([{ deploymentId: run.outputs['deployment-id'], deploymentWaitType: 'READY_WAIT' }]);
    expect(called('StopDeployment')).toEqual([]);
    // The deployment was created in production (the emulator keeps it) with the AppSpec pinning the new revision by digest.
    const prod = sandbox.emulator.clients('eu-west-1');
    const { deploymentInfo } = await prod
      .create(CodeDeployClient, { accountId: PRODUCTION })
      .send(new GetDeploymentCommand({ deploymentId: run.outputs['deployment-id'] as string }));
    const appSpec = JSON.parse(deploymentInfo?.revision?.appSpecContent?.content ?? '{}');
    const taskDefinitionArn = appSpec.Resources[0].TargetService.Properties.TaskDefinition as string;
    expect(taskDefinitionArn).toContain(`:${PRODUCTION}:task-definition/backend:`);
    expect(appSpec.Resources[0].TargetService.Properties.LoadBalancerInfo).toEqual({ ContainerName: 'app', ContainerPort: 8080 });
    const { taskDefinition } = await prod
      .create(ECSClient, { accountId: PRODUCTION })
      .send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(run.outputs['image-uri']);
    expect(run.stdout).toContain('Install (new tasks provisioned): Succeeded');
    expect(run.stdout).toContain('the smoke check passed');
    expect(run.stdout).toContain('bake for 5 min');
    expect(run.summary).toContain('the image staging ran, not rebuilt');
    expect(run.state).toMatchObject({ 'deployment-id': run.outputs['deployment-id'], settled: 'true' });
  });

  it('refuses a commit staging never ran, and one whose image is not the digest staging recorded, before any deployment; nothing is built', async () => {
    script = { GetDeployment: [deployment('Succeeded')] };
    const release = () =>
      runAction('bluegreen-release', inputs(), env({ GITHUB_SHA: repo.unbuilt, GITHUB_REF_NAME: 'v1.1.0', GITHUB_REF: 'refs/tags/v1.1.0' }));
    const noImage = await release();
    expect(noImage.code).toBe(1);
    expect(noImage.stdout).toContain(`::error::STAGING_RECORD_MISSING: no image exists for commit ${repo.unbuilt} in backend, so staging never ran it`);
    // An image exists for the commit (pushed by an image job), but staging never recorded it: a team that deployed before the record.
    const pushed = `sha256:${'d'.repeat(64)}`;
    await ecr().send(
      new PutImageCommand({ repositoryName: 'backend', imageTag: repo.unbuilt, imageManifest: MANIFEST.replace('1469', '1471'), imageDigest: pushed }),
    );
    const unrecorded = await release();
    expect(unrecorded.stdout).toContain(
      `::error::STAGING_RECORD_MISSING: commit ${repo.unbuilt} has no staging record: the cicd account has no parameter /groundwork/staging-records/backend/${repo.unbuilt}, so staging never ran its image ${pushed}`,
    );
    expect(unrecorded.stdout).toContain('deploy this commit to staging with backend-staging');
    // Staging ran another image for the commit than the one its SHA tag names now.
    const ran = `sha256:${'e'.repeat(64)}`;
    await sandbox.emulator
      .clients('eu-west-1')
      .create(SSMClient)
      .send(new PutParameterCommand({ Name: stagingRecordName('backend', repo.unbuilt), Type: 'String', Value: JSON.stringify({ digest: ran }) }));
    const mismatch = await release();
    expect(mismatch.stdout).toContain(
      `::error::STAGING_RECORD_MISMATCH: commit ${repo.unbuilt}: staging ran ${ran} (record /groundwork/staging-records/backend/${repo.unbuilt}), but the commit's image is ${pushed}`,
    );
    expect(readFileSync(log, 'utf8')).toBe('');
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageDigest: pushed }] }));
    expect(imageDetails?.[0]?.imageTags).toEqual([repo.unbuilt]);
    expect(calls.filter((c) => c.operation === 'CreateDeployment' || c.operation === 'RegisterTaskDefinition')).toEqual([]);
  });

  it('refuses, before deploying anything, a smoke command with a deployment group that does not stop at Ready; the input to accept it releases with a warning', async () => {
    script = { GetDeployment: [deployment('InProgress'), deployment('Succeeded')] };
    const smokeLog = join(repo.dir, 'ungated-smoke.txt');
    const ungated = inputs({ 'codedeploy-deployment-group': production.ungatedGroup, 'smoke-command': `echo ran > ${smokeLog}` });
    const refused = await runAction('bluegreen-release', ungated, env());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `::error::USAGE: the deployment group ${production.application}/${production.ungatedGroup} has deployment ready option CONTINUE_DEPLOYMENT: CodeDeploy shifts production traffic as soon as the new tasks run, without stopping at Ready, so the smoke check cannot run before production traffic; nothing was deployed (fix: set the group's deployment ready option to STOP_DEPLOYMENT with a wait time`,
    );
    expect(refused.stdout).toContain('or set allow-release-without-smoke-gate: true to release without a smoke gate)');
    const changes = calls.map((c) => c.operation).filter((op) => ['PutImage', 'RegisterTaskDefinition', 'CreateDeployment'].includes(op));
    expect(changes).toEqual([]);

    const accepted = await runAction('bluegreen-release', { ...ungated, 'allow-release-without-smoke-gate': 'true' }, env());
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(
      `::warning::the deployment group ${production.application}/${production.ungatedGroup} has deployment ready option CONTINUE_DEPLOYMENT`,
    );
    expect(accepted.stdout).toContain('releasing WITHOUT the smoke check, as allow-release-without-smoke-gate says');
    expect(accepted.summary).toContain('Smoke check not run:');
    expect(() => readFileSync(smokeLog)).toThrow();
    expect(accepted.outputs.status).toBe('Succeeded');

    const bad = await runAction('bluegreen-release', { ...ungated, 'allow-release-without-smoke-gate': 'yes' }, env());
    expect(bad.stdout).toContain('::error::USAGE: input allow-release-without-smoke-gate is "yes"; use true or false');
  });

  it('takes ECS’s own blue/green by default: names the cluster or service input left empty, refuses an unknown strategy, and refuses the emulator’s CODE_DEPLOY service naming the strategy input, before deploying anything', async () => {
    const ecsDefault = { ...inputs(), strategy: '' };
    const noCluster = await runAction('bluegreen-release', ecsDefault, env());
    expect(noCluster.code).toBe(1);
    expect(noCluster.stdout).toContain(
      '::error::USAGE: input cluster is empty; strategy ecs releases one ECS service (fix: set cluster to the ClusterName output',
    );
    const unknown = await runAction('bluegreen-release', { ...inputs(), strategy: 'lambda' }, env());
    expect(unknown.stdout).toContain('::error::USAGE: input strategy is "lambda"; use ecs (ECS\'s own blue/green) or codedeploy (CodeDeploy for ECS)');
    const codeDeployService = await runAction('bluegreen-release', { ...ecsDefault, cluster: 'prod', service: 'backend' }, env());
    expect(codeDeployService.code).toBe(1);
    expect(codeDeployService.stdout).toContain(
      '::error::USAGE: ECS service "backend" uses the CODE_DEPLOY deployment controller, not ECS\'s own blue/green (fix: set the input strategy to codedeploy',
    );
    const changes = calls.map((c) => c.operation).filter((op) => ['PutImage', 'RegisterTaskDefinition', 'UpdateService', 'CreateDeployment'].includes(op));
    expect(changes).toEqual([]);
  });

  it('names the alarm when CodeDeploy rolled back on it', async () => {
    script = {
      GetDeployment: [
        deployment('InProgress'),
        deployment('Stopped', {
          errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated: backend-prod-green-5xx (ALARM)' },
          rollbackInfo: { rollbackMessage: 'Automatic rollback triggered by alarm backend-prod-green-5xx' },
        }),
      ],
    };
    const run = await runAction('bluegreen-release', inputs(), env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::APPLY_FAILED: the release failed and CodeDeploy rolled back: ALARM_ACTIVE: One or more alarms have been activated: backend-prod-green-5xx',
    );
    expect(run.outputs.status).toBe('RolledBack');
  });

  it('stops the deployment with rollback when the smoke check at the test listener fails', async () => {
    script = { GetDeployment: [deployment('Ready'), deployment('InProgress'), deployment('Stopped')] };
    const run = await runAction('bluegreen-release', inputs({ 'smoke-command': 'exit 3' }), env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::APPLY_FAILED: the release was stopped and rolled back: the smoke check at the test listener failed');
    expect(called('StopDeployment')).toEqual([{ deploymentId: run.outputs['deployment-id'], autoRollbackEnabled: true }]);
    expect(called('ContinueDeployment')).toEqual([]);
  });

  it('stops the deployment with rollback on its own timeout', async () => {
    script = { GetDeployment: [...Array.from({ length: 8 }, () => deployment('InProgress')), deployment('Stopped')] };
    const run = await runAction('bluegreen-release', inputs({ 'wait-for-minutes': '0.1' }), env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::APPLY_FAILED: the release was stopped and rolled back: no result within 6 s');
    expect(called('StopDeployment')).toHaveLength(1);
  }, 120_000);

  it('stops the deployment with rollback when the job is cancelled (SIGTERM), and the post step waits for the rollback to finish', async () => {
    // CodeDeploy takes a while to roll back: still InProgress for 12 polls after the stop, longer than the step's grace.
    let polledAfterStop = 0;
    script = { GetDeployment: (stops) => (stops > 0 && ++polledAfterStop > 12 ? deployment('Stopped') : deployment('InProgress')) };
    let sent = false;
    const run = await runAction('bluegreen-release', inputs(), env(), {
      onStdout: (text, child) => {
        if (!sent && /deployment \S+ started/.test(text)) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('received SIGTERM: stopping the deployment with rollback');
    expect(run.stdout).toContain('::error::APPLY_FAILED: the release was stopped and CodeDeploy is rolling it back: the job was cancelled');
    expect(run.outputs.status).toBe('RollingBack');
    expect(called('StopDeployment')).toEqual([{ deploymentId: run.outputs['deployment-id'], autoRollbackEnabled: true }]);
    expect(run.state.settled).toBeUndefined();
    // The runner runs the post step even for a cancelled job: it waits until the rollback is done.
    const post = await runAction('bluegreen-release', inputs(), env(), { post: run.state });
    expect(post.stdout).toContain(
      `::error::deployment ${run.outputs['deployment-id']} was stopped with rollback after the release step ended early; it is Stopped`,
    );
  }, 60_000);

  it('has nothing to do in the post step after a release that settled', async () => {
    const post = await runAction('bluegreen-release', inputs(), env(), { post: { isPost: 'true', 'deployment-id': 'd-DONE', settled: 'true' } });
    expect(post.code).toBe(0);
    expect(calls).toEqual([]);
  });

  it('in the post step, stops a deployment that the killed main step left running', async () => {
    script = { GetDeployment: [deployment('InProgress'), deployment('InProgress'), deployment('Stopped')] };
    const post = await runAction('bluegreen-release', inputs(), env(), { post: { isPost: 'true', 'deployment-id': 'd-LEFTRUNNING' } });
    expect(post.code).toBe(1);
    expect(post.stdout).toContain('the release step ended while deployment d-LEFTRUNNING was InProgress: stopping it with rollback');
    expect(post.stdout).toContain('::error::deployment d-LEFTRUNNING was stopped with rollback after the release step ended early; it is Stopped');
    expect(called('StopDeployment')).toEqual([{ deploymentId: 'd-LEFTRUNNING', autoRollbackEnabled: true }]);
  });

  it('refuses a tag whose commit is not on master, naming the commit and its branch, before touching AWS', async () => {
    const run = await runAction('bluegreen-release', inputs(), env({ GITHUB_SHA: repo.onFeature, GITHUB_REF_NAME: 'v9.9.9', GITHUB_REF: 'refs/tags/v9.9.9' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::USAGE: commit ${repo.onFeature.slice(0, 12)} is not on master; it is on experiment`);
    expect(calls).toEqual([]);
  });

  it('refuses a run that is not for a tag', async () => {
    const run = await runAction('bluegreen-release', inputs(), env({ GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'master', GITHUB_REF: 'refs/heads/master' }));
    expect(run.stdout).toContain('::error::USAGE: no version to release: this run is for refs/heads/master, not a tag');
  });
});
