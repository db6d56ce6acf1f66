import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, type CreateRepositoryCommandInput, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../helpers/paths.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const SHA = 'd6cd1e2bd19e03a81132a23b2025920577f84e37';
const FAKE_DOCKER = join(SHARED_PATHS.root, 'test/fixtures/fake-docker');

/**
 * A docker config folder with a docker-container builder selected, as docker/setup-buildx-action leaves the runner
 * (it runs `docker buildx create --driver docker-container --use`): without one, the default `docker` driver refuses the
 * registry cache export.
 */
function builderConfig(): string {
  const config = mkdtempSync(join(tmpdir(), 'gw-docker-config-'));
  const log = join(config, 'setup.jsonl');
  execFileSync(join(FAKE_DOCKER, 'docker'), ['buildx', 'create', '--name', 'builder-test', '--driver', 'docker-container', '--use'], {
    env: { ...process.env, DOCKER_CONFIG: config, FAKE_DOCKER_LOG: log },
  });
  return config;
}
const WITH_BUILDER = builderConfig();

/** The repository as cloudformation/ecr-repository.json creates it: its mutability and exclusion filters, as the API takes them. */
function repositoryFromTemplate(repositoryName: string): CreateRepositoryCommandInput {
  const template = JSON.parse(readFileSync(join(SHARED_PATHS.root, 'cloudformation/ecr-repository.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const properties = Object.values(template.Resources).find((r) => r.Type === 'AWS::ECR::Repository')?.Properties ?? {};
  const filters = (properties.ImageTagMutabilityExclusionFilters ?? []) as {
    ImageTagMutabilityExclusionFilterType: string;
    ImageTagMutabilityExclusionFilterValue: string;
  }[];
  return {
    repositoryName,
    imageTagMutability: properties.ImageTagMutability as CreateRepositoryCommandInput['imageTagMutability'],
    ...(filters.length > 0
      ? {
          imageTagMutabilityExclusionFilters: filters.map((f) => ({
            filterType: f.ImageTagMutabilityExclusionFilterType as 'WILDCARD',
            filter: f.ImageTagMutabilityExclusionFilterValue,
          })),
        }
      : {}),
  };
}

/** A run of the bundled action with the fake docker first on PATH; returns the run and the docker calls it made. */
async function buildAndPush(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const log = join(mkdtempSync(join(tmpdir(), 'gw-docker-')), 'calls.jsonl');
  writeFileSync(log, '');
  const run = await runAction(
    'build-and-push',
    { 'ecr-repository': 'backend', ...inputs },
    {
      PATH: `${FAKE_DOCKER}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
      DOCKER_CONFIG: WITH_BUILDER,
      AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_SESSION_TOKEN: 'example',
      GITHUB_SHA: SHA,
      ...env,
    },
  );
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { args: string[]; passwordLength?: number });
  return { run, calls };
}

describe('build-and-push, bundled and run as the runner runs it (Node 24)', () => {
  beforeAll(async () => {
    const ecr = sandbox.emulator.clients('eu-west-1').create(ECRClient);
    await ecr.send(new CreateRepositoryCommand(repositoryFromTemplate('backend')));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'all-immutable', imageTagMutability: 'IMMUTABLE' }));
    await ecr.send(new CreateRepositoryCommand(repositoryFromTemplate('subfolder')));
  });

  it('logs in with the password on stdin, builds the Dockerfile, pushes the SHA tag, and outputs the image by its ECR digest', async () => {
    const { run, calls } = await buildAndPush({ context: 'service', dockerfile: 'service/Dockerfile', 'build-args': 'NODE_ENV=production\nVERSION=1.2.3' });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    expect(calls[0]).toEqual({ args: ['login', '--username', 'AWS', '--password-stdin', registry], passwordLength: expect.any(Number) });
    expect(calls[0]?.passwordLength).toBeGreaterThan(0);
    expect(calls[1]?.args).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/amd64',
      '--file',
      'service/Dockerfile',
      '--tag',
      `${registry}/backend:${SHA}`,
      '--provenance=false',
      '--build-arg',
      'NODE_ENV=production',
      '--build-arg',
      'VERSION=1.2.3',
      '--cache-from',
      `type=registry,ref=${registry}/backend:buildcache`,
      '--cache-to',
      `type=registry,ref=${registry}/backend:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
      '--push',
      'service',
    ]);
    const ecr = sandbox.emulator.clients('eu-west-1').create(ECRClient);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: SHA }] }));
    const digest = imageDetails?.[0]?.imageDigest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs).toEqual({ 'image-uri': `${registry}/backend@${digest}`, 'image-digest': digest, built: 'true' });
    expect(run.summary).toContain('built and pushed');
  });

  it('builds nothing when the SHA tag exists already, and outputs the same digest', async () => {
    const first = await buildAndPush({});
    const { run, calls } = await buildAndPush({});
    expect(run.code).toBe(0);
    expect(calls).toEqual([]);
    expect(run.outputs).toEqual({ ...first.run.outputs, built: 'false' });
    expect(run.summary).toContain('existed already: not rebuilt');
  });

  it('builds the second commit too: the repository the template makes lets every build rewrite the cache tag, and only it', async () => {
    const second = 'e7de2f3ce20f14b92243b34c3136031a98f95f48';
    const first = await buildAndPush({ 'image-tag': 'f8ef304df31025ca3354c45d4247142b09a06a59' });
    expect(first.run.code).toBe(0);
    const { run } = await buildAndPush({ 'image-tag': second });
    expect(run.stderr).not.toContain('cannot be overwritten');
    expect(run.code).toBe(0);
    expect(run.outputs.built).toBe('true');
    const ecr = sandbox.emulator.clients('eu-west-1').create(ECRClient);
    const cache = await ecr.send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: 'buildcache' }] }));
    expect(cache.imageDetails?.[0]?.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('a repository with every tag immutable refuses the second build’s cache export, as ECR does, and the error says what to change', async () => {
    const first = await buildAndPush({ 'ecr-repository': 'all-immutable', 'image-tag': '1111111111111111111111111111111111111111' });
    expect(first.run.code).toBe(0);
    const { run } = await buildAndPush({ 'ecr-repository': 'all-immutable', 'image-tag': '2222222222222222222222222222222222222222' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tag invalid: The image tag 'buildcache' already exists in the 'all-immutable' repository and cannot be overwritten");
    expect(run.stdout).toMatch(/::error::USAGE: docker buildx build exited with code 1 \(fix: .*IMMUTABLE_WITH_EXCLUSION.*registry-cache: false\)/);
  });

  it('the stand-in overwrites under the template’s exclusion only what ECR would: the exact cache tag, not a tag starting with it, nor a release tag', async () => {
    const ecr = sandbox.emulator.clients('eu-west-1').create(ECRClient);
    await ecr.send(new CreateRepositoryCommand(repositoryFromTemplate('exclusion')));
    const log = join(mkdtempSync(join(tmpdir(), 'gw-docker-')), 'calls.jsonl');
    // A push of REPO:TAG as buildx makes it; each build argument gives another manifest under the same tag.
    const push = (tag: string, build: string) =>
      spawnSync(
        join(FAKE_DOCKER, 'docker'),
        ['buildx', 'build', '--build-arg', `BUILD=${build}`, '--push', '--tag', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/exclusion:${tag}`, '.'],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            FAKE_DOCKER_LOG: log,
            DOCKER_CONFIG: WITH_BUILDER,
            AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
            AWS_REGION: 'eu-west-1',
            AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
            AWS_SECRET_ACCESS_KEY: 'example',
            AWS_SESSION_TOKEN: 'example',
          },
        },
      );
    expect(push('buildcache', '1').status).toBe(0);
    expect(push('buildcache', '2').status).toBe(0);
    for (const tag of ['buildcache-x', 'buildcachev1', 'v1.0.0', `sha-${SHA}`, SHA]) {
      expect(push(tag, '1').status).toBe(0);
      const again = push(tag, '2');
      expect(again.status).toBe(1);
      expect(again.stderr).toContain(`The image tag '${tag}' already exists in the 'exclusion' repository and cannot be overwritten`);
    }
  });

  it('on the default docker driver (no buildx builder set up) the cache export is refused, with the step to add; without the cache it builds', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'gw-docker-config-'));
    const { run } = await buildAndPush({ 'image-tag': '3333333333333333333333333333333333333333' }, { DOCKER_CONFIG: plain });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cache export is not supported for the docker driver');
    expect(run.stdout).toContain('run docker/setup-buildx-action before this step');
    const uncached = await buildAndPush({ 'image-tag': '3333333333333333333333333333333333333333', 'registry-cache': 'false' }, { DOCKER_CONFIG: plain });
    expect(uncached.run.code).toBe(0);
    expect(uncached.calls[1]?.args).not.toContain('--cache-to');
  });

  it('builds the context folder’s own Dockerfile when dockerfile is left empty (context service builds service/Dockerfile)', async () => {
    const { run, calls } = await buildAndPush({ 'ecr-repository': 'subfolder', context: 'service' });
    expect(run.code).toBe(0);
    const args = calls[1]?.args ?? [];
    expect(args[args.indexOf('--file') + 1]).toBe('service/Dockerfile');
    expect(args.at(-1)).toBe('service');
  });

  it('fails with docker’s own exit when the build fails, and pushes nothing', async () => {
    const { run } = await buildAndPush({ 'image-tag': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, { FAKE_DOCKER_FAIL: 'build' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::USAGE: docker buildx build exited with code 1');
    expect(run.outputs).toEqual({});
  });

  it('refuses a tag that is not a commit SHA, and a repository that does not exist, each with its fix', async () => {
    const tag = await buildAndPush({ 'image-tag': 'latest' });
    expect(tag.run.stdout).toContain('::error::USAGE: input image-tag is "latest", which is not a commit SHA');
    const missing = await buildAndPush({ 'ecr-repository': 'nope' });
    expect(missing.run.stdout).toContain('::error::AWS_RESOURCE_NOT_FOUND: the ECR repository "nope" does not exist in this account and region');
  });
});
