import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../helpers/paths.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const SHA = 'd6cd1e2bd19e03a81132a23b2025920577f84e37';

/** A run of the bundled action with the fake docker first on PATH; returns the run and the docker calls it made. */
async function buildAndPush(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const log = join(mkdtempSync(join(tmpdir(), 'gw-docker-')), 'calls.jsonl');
  writeFileSync(log, '');
  const run = await runAction(
    'build-and-push',
    { 'ecr-repository': 'backend', ...inputs },
    {
      PATH: `${join(SHARED_PATHS.root, 'test/fixtures/fake-docker')}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
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
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
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

  it('fails with docker’s own exit when the build fails, and pushes nothing', async () => {
    const { run } = await buildAndPush({ 'image-tag': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, { FAKE_DOCKER_FAIL: 'build' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::USAGE: docker buildx build exited with code 1');
    expect(run.outputs).toEqual({});
  });

  it('refuses a tag that is not a commit SHA, and a repository that does not exist, each with its fix', async () => {
    const tag = await buildAndPush({ 'image-tag': 'latest' });
    expect(tag.run.stdout).toContain('::error::USAGE: image tag "latest" is not a commit SHA');
    const missing = await buildAndPush({ 'ecr-repository': 'nope' });
    expect(missing.run.stdout).toContain('::error::AWS_RESOURCE_NOT_FOUND: the ECR repository "nope" does not exist in this account and region');
  });
});
