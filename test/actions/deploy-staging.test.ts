import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagingRecordName } from '../../src/delivery/staging-record.js';
import { createStagingService } from '../helpers/delivery-fixtures.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${'b'.repeat(64)}`;
const ENV = () => ({
  AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/backend',
  GITHUB_RUN_ID: '4242',
  // The runner always sets it: the commit the staging record names.
  GITHUB_SHA: 'abcdefabcdefabcdefabcdefabcdefabcdef0000',
});

describe('deploy-staging, bundled and run as the runner runs it (Node 24), against the emulator', () => {
  const ecs = () => sandbox.emulator.clients('eu-west-1').create(ECSClient);
  beforeAll(async () => {
    await createStagingService(sandbox.emulator.clients('eu-west-1'));
  });

  it('registers the next revision pinned by digest and tagged with the run, points the service at it, and says the emulator shows no rollout', async () => {
    // The live revision carries a tag of the team's: the next revision keeps it.
    const { services: before } = await ecs().send(new DescribeServicesCommand({ cluster: 'staging', services: ['backend'] }));
    await ecs().send(new TagResourceCommand({ resourceArn: before?.[0]?.taskDefinition, tags: [{ key: 'team', value: 'payments' }] }));
    const run = await runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': IMAGE }, ENV());
    // moto starts no new deployment on UpdateService: the action must fail honestly rather than report a rollout.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::APPLY_FAILED: ECS accepted backend:2 for backend but started no deployment of it');
    expect(run.stdout).toContain('registered backend:2 with');
    const { services } = await ecs().send(new DescribeServicesCommand({ cluster: 'staging', services: ['backend'] }));
    expect(services?.[0]?.taskDefinition).toMatch(/task-definition\/backend:2$/);
    const { taskDefinition, tags } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'backend:2', include: ['TAGS'] }));
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({ name: 'app', image: IMAGE, environment: [{ name: 'LOG_LEVEL', value: 'info' }] });
    expect(tags).toContainEqual({ key: 'groundwork:run-url', value: 'https://github.com/acme/backend/actions/runs/4242' });
    expect(tags).toContainEqual({ key: 'team', value: 'payments' });
  });

  it('fails clearly for a service that does not exist, and for an image that is not pinned by digest', async () => {
    const missing = await runAction('deploy-staging', { cluster: 'staging', service: 'nope', 'image-uri': IMAGE }, ENV());
    expect(missing.stdout).toContain('::error::AWS_RESOURCE_NOT_FOUND: ECS service "nope" in cluster "staging" does not exist');
    const noCluster = await runAction('deploy-staging', { cluster: 'nope', service: 'backend', 'image-uri': IMAGE }, ENV());
    expect(noCluster.stdout).toContain(
      '::error::AWS_RESOURCE_NOT_FOUND: ECS cluster "nope" does not exist in this account and region (fix: set the cluster input',
    );
    expect(noCluster.stdout).not.toMatch(/groundwork plan|--[a-z]/);
    const tag = await runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': 'backend:latest' }, ENV());
    expect(tag.stdout).toContain(
      '::error::USAGE: image "backend:latest" is not REGISTRY/REPOSITORY@sha256:DIGEST (fix: pass the image-uri output of build-and-push',
    );
  });
});

/**
 * Recorded ECS answers around the emulator: moto starts no deployment on UpdateService, so the proxy answers it and the
 * following DescribeServices as ECS does for a rollout that completed; everything else (the service, task definitions,
 * ECR, STS) is the emulator's.
 */
describe('deploy-staging after a completed rollout: E2E without the job credentials, then the staging record', () => {
  const COMMIT = 'abcdefabcdefabcdefabcdefabcdefabcdef0001';
  const DIGEST = `sha256:${'b'.repeat(64)}`;
  const MANIFEST = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
    layers: [],
  });
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  let proxy: FaultProxy;
  let updated: string | undefined;
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: COMMIT, imageManifest: MANIFEST, imageDigest: DIGEST }));
    proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        const deployment = (taskDefinition: string, rolloutState: string, runningCount: number) => ({
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
            json: { service: { serviceName: 'backend', status: 'ACTIVE', taskDefinition: updated, deployments: [deployment(updated, 'IN_PROGRESS', 0)] } },
          };
        }
        if (operation === 'DescribeServices' && updated) {
          const done = { serviceName: 'backend', status: 'ACTIVE', taskDefinition: updated, deployments: [deployment(updated, 'COMPLETED', 1)] };
          updated = undefined;
          return { status: 200, json: { services: [done], failures: [] } };
        }
        return undefined;
      },
    });
  });
  afterAll(async () => proxy?.close());

  const inputs = (extra: Record<string, string> = {}) => ({
    cluster: 'staging',
    service: 'backend',
    'image-uri': `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@${DIGEST}`,
    'base-url': 'http://staging.example.test',
    ...extra,
  });
  const env = (extra: Record<string, string> = {}) => ({ ...ENV(), AWS_ENDPOINT_URL: proxy.endpoint, GITHUB_SHA: COMMIT, ...extra });
  const tagsOf = async (digest: string) =>
    (await ecr().send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageDigest: digest }] }))).imageDetails?.[0]?.imageTags ?? [];
  const ssm = () => sandbox.emulator.clients('eu-west-1').create(SSMClient);
  /** The staging record of a commit in the cicd account's SSM, undefined when there is none. */
  const recordOf = async (commit: string) =>
    ssm()
      .send(new GetParameterCommand({ Name: stagingRecordName('backend', commit) }))
      .then((r) => r.Parameter)
      .catch((error: Error) => {
        if (error.name === 'ParameterNotFound') return undefined;
        throw error;
      });

  it('runs E2E with BASE_URL and without AWS_*, ACTIONS_* or GITHUB_TOKEN, then records the digest in SSM once; a re-run records nothing new', async () => {
    const dump = join(mkdtempSync(join(tmpdir(), 'gw-e2e-')), 'env.txt');
    const secrets = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/_apis/token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-bearer',
      GITHUB_TOKEN: 'ghs_jobtoken',
      TEAM_SETTING: 'kept',
    };
    const run = await runAction('deploy-staging', inputs({ 'e2e-command': `env > ${dump}` }), env(secrets));
    expect(run.stdout).not.toContain('::error::');
    const name = `/groundwork/staging-records/backend/${COMMIT}`;
    expect(run.outputs).toMatchObject({ e2e: 'passed', 'service-url': 'http://staging.example.test', 'staging-record': name });
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toContain('BASE_URL=http://staging.example.test\n');
    expect(seen).toContain('TEAM_SETTING=kept\n');
    expect(seen.split('\n').filter((line) => /^(AWS_|ACTIONS_|GITHUB_TOKEN=|INPUT_|GITHUB_(ENV|OUTPUT|STATE|PATH)=)/.test(line))).toEqual([]);
    for (const secret of ['AKIAEXAMPLEEXAMPLE', 'oidc-request-bearer', 'ghs_jobtoken']) expect(seen).not.toContain(secret);
    // The record is an SSM parameter in the cicd account; the repository gains no tag (the delivery role has no ECR rights).
    const record = await recordOf(COMMIT);
    expect(record).toMatchObject({ Type: 'String', Version: 1 });
    const value = JSON.parse(record?.Value ?? '') as Record<string, string>;
    expect(value).toMatchObject({ digest: DIGEST, imageUri: inputs()['image-uri'], runUrl: 'https://github.com/acme/backend/actions/runs/4242' });
    expect(Math.abs(Date.parse(value.recordedAt ?? '') - Date.now())).toBeLessThan(10 * 60_000);
    expect(await tagsOf(DIGEST)).toEqual([COMMIT]);
    expect(run.summary).toContain(`${name} → ${DIGEST}`);
    const again = await runAction('deploy-staging', inputs(), env());
    expect(again.stdout).not.toContain('::error::');
    expect(again.stdout).toContain(`already recorded: ${name} names ${DIGEST}`);
    expect(await recordOf(COMMIT)).toMatchObject({ Version: 1, Value: record?.Value });
  });

  it('writes no record when E2E fails, so the commit cannot be released', async () => {
    const commit = 'abcdefabcdefabcdefabcdefabcdefabcdef0002';
    const run = await runAction('deploy-staging', inputs({ 'e2e-command': 'exit 4' }), env({ GITHUB_SHA: commit }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::E2E tests failed against http://staging.example.test (exit code 4)');
    expect(run.outputs.e2e).toBe('failed');
    expect(run.outputs['staging-record']).toBeUndefined();
    expect(await recordOf(commit)).toBeUndefined();
  });

  it('refuses, naming both digests, when the record already names another image (someone wrote it first), and leaves it as it was', async () => {
    const commit = 'abcdefabcdefabcdefabcdefabcdefabcdef0003';
    const forged = `sha256:${'f'.repeat(64)}`;
    const forgedValue = JSON.stringify({ digest: forged });
    await ssm().send(new PutParameterCommand({ Name: stagingRecordName('backend', commit), Type: 'String', Value: forgedValue }));
    const run = await runAction('deploy-staging', inputs(), env({ GITHUB_SHA: commit }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error::STAGING_RECORD_MISMATCH: staging now runs backend@${DIGEST} for commit ${commit}, but its record /groundwork/staging-records/backend/${commit} already names ${forged}`,
    );
    expect(await recordOf(commit)).toMatchObject({ Version: 1, Value: forgedValue });
  });
});
