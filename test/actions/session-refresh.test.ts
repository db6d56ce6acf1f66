import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { recordStagingDeployment, stagingRecordName } from '../../src/delivery/staging-record.js';
import { createProduction, createStagingService, type ProductionFixture } from '../helpers/delivery-fixtures.js';
import { type ExpiringSessions, startExpiringSessions } from '../helpers/expiring-sessions.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type OidcEndpoint, runAction, startOidcEndpoint } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

/**
 * Sessions that expire within a wait, on a stand-in whose sessions really expire (test/helpers/expiring-sessions.ts:
 * moto never refuses an expired credential): a session of 3,600 s lasts 6 s here, so a wait of a dozen polls outlives
 * two of them. The actions run as the runner runs them, after assume-role-via-oidc, with the runner's OIDC endpoint.
 */
const sandbox = useTestEmulator();
const PRODUCTION = '444455556666';
const STAGING = '555566667777';
const RELEASE_ROLE = 'arn:aws:iam::123456789012:role/groundwork-release';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
  layers: [],
});
/** 3,600 s → 6 s (900 s, STS's shortest, → 1.5 s). */
const MS_PER_SESSION_SECOND = 6000 / 3600;
/** Polls of one second that outlive two sessions. */
const LONG_WAIT_POLLS = 14;

function gitRepository(): { dir: string; commit: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-refresh-git-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', 'master');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  git('add', '.');
  git('commit', '-q', '-m', 'release me');
  return { dir, commit: git('rev-parse', 'HEAD') };
}

describe('sessions that outlive their hour: bluegreen-release, its post step and deploy-staging assume their roles again with a fresh OIDC token', () => {
  let repo: ReturnType<typeof gitRepository>;
  let production: ProductionFixture;
  let recorded: FaultProxy;
  let sts: ExpiringSessions;
  let oidc: OidcEndpoint;
  const calls: string[] = [];
  /** GetDeployment answers: InProgress for `polls` polls, then Ready until ContinueDeployment, then Succeeded (or Stopped after a stop). */
  let plan = { polls: 0 };
  let updated: string | undefined;

  beforeAll(async () => {
    repo = gitRepository();
    const clients = sandbox.emulator.clients('eu-west-1');
    await clients.create(ECRClient).send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    await clients
      .create(ECRClient)
      .send(new PutImageCommand({ repositoryName: 'backend', imageTag: repo.commit, imageManifest: MANIFEST, imageDigest: DIGEST }));
    await recordStagingDeployment(clients.create(SSMClient), { repositoryName: 'backend', digest: DIGEST }, repo.commit, {
      clock: fixedClock('2026-03-01T10:00:00Z'),
    });
    production = await createProduction(clients, PRODUCTION);
    await createStagingService(clients, { accountId: STAGING });
    // Recorded CodeDeploy and ECS rollout answers (moto keeps deployments Created and starts no ECS deployment), in their API shapes.
    recorded = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        calls.push(operation);
        const count = (name: string) => calls.filter((c) => c === name).length;
        if (operation === 'GetDeployment') {
          const status =
            count('StopDeployment') > 0
              ? 'Stopped'
              : count('ContinueDeployment') > 0
                ? 'Succeeded'
                : count('GetDeployment') > plan.polls
                  ? 'Ready'
                  : 'InProgress';
          return { status: 200, json: { deploymentInfo: { deploymentId: 'd-REFRESH', status } } };
        }
        if (operation === 'ListDeploymentTargets') return { status: 200, json: { targetIds: ['prod:backend'] } };
        if (operation === 'BatchGetDeploymentTargets') return { status: 200, json: { deploymentTargets: [] } };
        if (operation === 'ContinueDeployment') return { status: 200, json: {} };
        if (operation === 'StopDeployment') return { status: 200, json: { status: 'Pending', statusMessage: 'Stopping' } };
        const rollout = (taskDefinition: string, rolloutState: string, runningCount: number) => ({
          id: 'ecs-svc/1',
          status: 'PRIMARY',
          taskDefinition,
          desiredCount: 1,
          runningCount,
          pendingCount: 1 - runningCount,
          rolloutState,
        });
        if (operation === 'UpdateService') {
          updated = (JSON.parse(body) as { taskDefinition: string }).taskDefinition;
          return {
            status: 200,
            json: { service: { serviceName: 'backend', status: 'ACTIVE', taskDefinition: updated, deployments: [rollout(updated, 'IN_PROGRESS', 0)] } },
          };
        }
        if (operation === 'DescribeServices' && updated) {
          const done = { serviceName: 'backend', status: 'ACTIVE', taskDefinition: updated, deployments: [rollout(updated, 'COMPLETED', 1)] };
          updated = undefined;
          return { status: 200, json: { services: [done], failures: [] } };
        }
        return undefined;
      },
    });
    sts = await startExpiringSessions({ target: recorded.endpoint, msPerSessionSecond: MS_PER_SESSION_SECOND });
    oidc = await startOidcEndpoint({
      sub: 'repo:acme/backend:environment:production',
      repository: 'acme/backend',
      ref: 'refs/tags/v1.0.0',
      environment: 'production',
    });
  });
  afterAll(async () => {
    await sts?.close();
    await recorded?.close();
    await oidc?.close();
  });

  /** The job's first step: the OIDC session the following steps get in their environment (3,600 s: 6 s here). */
  const assumeRole = async () => {
    const run = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': RELEASE_ROLE, 'aws-region': 'eu-west-1' },
      { ...oidc.env, AWS_ENDPOINT_URL: sts.endpoint },
    );
    expect(run.stdout).not.toContain('::error::');
    expect(run.exported).toMatchObject({ GROUNDWORK_OIDC_ROLE_ARN: RELEASE_ROLE, GROUNDWORK_OIDC_DURATION_SECONDS: '3600' });
    return run.exported;
  };
  const releaseEnv = (exported: Record<string, string>) => ({
    ...exported,
    ...oidc.env,
    AWS_ENDPOINT_URL: sts.endpoint,
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_REF_TYPE: 'tag',
    GITHUB_REF_NAME: 'v1.0.0',
    GITHUB_SHA: repo.commit,
  });
  const releaseInputs = (extra: Record<string, string> = {}) => ({
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
  const issuedSince = (from: number, action: string) => sts.issued.slice(from).filter((s) => s.action === action).length;

  it('a release whose wait outlives two sessions succeeds: its cicd and production sessions are assumed again, no call is refused', async () => {
    const exported = await assumeRole();
    const before = sts.issued.length;
    calls.length = 0;
    plan = { polls: LONG_WAIT_POLLS };
    const run = await runAction('bluegreen-release', releaseInputs({ 'smoke-command': 'true' }), releaseEnv(exported));
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('Succeeded');
    expect(run.stdout).toContain('the smoke check passed');
    expect(sts.refused).toEqual([]);
    // More than one production session and more than one fresh OIDC exchange within the one run.
    expect(issuedSince(before, 'AssumeRole')).toBeGreaterThan(1);
    expect(issuedSince(before, 'AssumeRoleWithWebIdentity')).toBeGreaterThan(1);
    expect(sts.issued.every((s) => s.durationSeconds <= 3600)).toBe(true);
    for (const session of sts.issued.slice(before)) expect(run.stdout).toContain(`::add-mask::${session.accessKeyId}`);
  }, 120_000);

  it('a stop after the sessions expired (failed smoke check) goes through, and so does the post step with the expired session in its environment', async () => {
    const exported = await assumeRole();
    calls.length = 0;
    plan = { polls: LONG_WAIT_POLLS };
    const run = await runAction('bluegreen-release', releaseInputs({ 'smoke-command': 'exit 3' }), releaseEnv(exported));
    expect(run.stdout).toContain('::error::APPLY_FAILED: the release was stopped and rolled back: the smoke check at the test listener failed');
    expect(calls.filter((c) => c === 'StopDeployment')).toHaveLength(1);
    expect(sts.refused).toEqual([]);

    // The post step of a killed main step, long after the exported session ended (it is refused when used as it is).
    calls.length = 0;
    plan = { polls: LONG_WAIT_POLLS };
    const post = await runAction('bluegreen-release', releaseInputs(), releaseEnv(exported), { post: { isPost: 'true', 'deployment-id': 'd-LEFTRUNNING' } });
    expect(post.stdout).toContain('the release step ended while deployment d-LEFTRUNNING was InProgress: stopping it with rollback');
    expect(post.stdout).toContain('::error::deployment d-LEFTRUNNING was stopped with rollback after the release step ended early; it is Stopped');
    expect(calls.filter((c) => c === 'StopDeployment')).toHaveLength(1);
    expect(sts.refused).toEqual([]);

    // The stand-in does refuse that exported session now: what every step without the refresh would meet.
    const stale = await runAction(
      'bluegreen-release',
      releaseInputs(),
      { ...releaseEnv(exported), GROUNDWORK_OIDC_ROLE_ARN: '' },
      {
        post: { isPost: 'true', 'deployment-id': 'd-LEFTRUNNING' },
      },
    );
    expect(stale.stdout).toContain('The security token included in the request is expired');
    sts.refused.length = 0;
  }, 120_000);

  it('deploy-staging writes its staging record with a fresh cicd session after E2E that outlived the first one', async () => {
    const exported = await assumeRole();
    const before = sts.issued.length;
    const run = await runAction(
      'deploy-staging',
      {
        cluster: 'staging',
        service: 'backend',
        'image-uri': `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@${DIGEST}`,
        'staging-account-id': STAGING,
        'base-url': 'http://staging.example.test',
        'e2e-command': 'sleep 8',
      },
      { ...exported, ...oidc.env, AWS_ENDPOINT_URL: sts.endpoint, GITHUB_SHA: 'abcdefabcdefabcdefabcdefabcdefabcdef0042' },
    );
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs.e2e).toBe('passed');
    expect(sts.refused).toEqual([]);
    expect(issuedSince(before, 'AssumeRoleWithWebIdentity')).toBeGreaterThan(1);
    const { Parameter } = await sandbox.emulator
      .clients('eu-west-1')
      .create(SSMClient)
      .send(new GetParameterCommand({ Name: stagingRecordName('backend', 'abcdefabcdefabcdefabcdefabcdefabcdef0042') }));
    expect(JSON.parse(Parameter?.Value ?? '{}')).toMatchObject({ digest: DIGEST });
  }, 120_000);

  it('assume-role-via-oidc refuses role-duration-seconds above 3,600 with target-account-id, before any call; the stand-in refuses it as STS does', async () => {
    const before = sts.issued.length;
    const run = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': RELEASE_ROLE, 'aws-region': 'eu-west-1', 'target-account-id': PRODUCTION, 'role-duration-seconds': '7200' },
      { ...oidc.env, AWS_ENDPOINT_URL: sts.endpoint },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::USAGE: input role-duration-seconds is "7200", but with target-account-id the exported session is chained (assumed with the OIDC session), and AWS limits a chained session to 3600 s',
    );
    expect(sts.issued.length).toBe(before);
    expect(run.exported).toEqual({});
    // Without the target, 7,200 s is the OIDC hop's own length, which STS allows (up to the role's maximum).
    const single = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': RELEASE_ROLE, 'aws-region': 'eu-west-1', 'role-duration-seconds': '7200' },
      { ...oidc.env, AWS_ENDPOINT_URL: sts.endpoint },
    );
    expect(single.code).toBe(0);
  });
});
