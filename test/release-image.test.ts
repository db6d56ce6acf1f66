import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireOnBranch } from '../src/delivery/git-branch.js';
import { promoteImage } from '../src/delivery/release-image.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const SHA = 'aaaabbbbccccddddeeeeffff0000111122223333';
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
  layers: [],
});

describe('promoting the image of a commit to a release (no rebuild)', () => {
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    // moto computes no real digest from a manifest (every manifest without layers gets the same): pass one, as a push would.
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: SHA, imageManifest: MANIFEST, imageDigest: `sha256:${'a'.repeat(64)}` }));
  });

  it('tags the very manifest the SHA names, so the version and the SHA have one digest', async () => {
    const promoted = await promoteImage(ecr(), 'backend', SHA, 'v1.0.0');
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: SHA }, { imageTag: 'v1.0.0' }] }));
    const digests = new Set(imageDetails?.map((d) => d.imageDigest));
    expect(digests.size).toBe(1);
    expect(promoted).toEqual({ digest: `sha256:${'a'.repeat(64)}`, version: 'v1.0.0', tagged: true });
    expect([...digests]).toEqual([`sha256:${'a'.repeat(64)}`]);
  });

  it('is a no-op on a re-run of the same release, and refuses a version tag that names another image', async () => {
    expect(await promoteImage(ecr(), 'backend', SHA, 'v1.0.0')).toMatchObject({ tagged: false });
    const other = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
    await ecr().send(
      new PutImageCommand({
        repositoryName: 'backend',
        imageTag: other,
        imageManifest: MANIFEST.replace('"size":1469', '"size":1470'),
        imageDigest: `sha256:${'b'.repeat(64)}`,
      }),
    );
    await expect(promoteImage(ecr(), 'backend', other, 'v1.0.0')).rejects.toThrow(/the tag v1.0.0 already names another image/);
  });

  it('returns nothing when no image was built for the commit, so the caller builds one', async () => {
    expect(await promoteImage(ecr(), 'backend', '0123456789012345678901234567890123456789', 'v2.0.0')).toBeUndefined();
  });
});

describe('a release tag must be on master', () => {
  const repo = mkdtempSync(join(tmpdir(), 'gw-git-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    }).trim();
  let onMaster = '';
  let onFeature = '';
  beforeAll(() => {
    git('init', '-q', '-b', 'master');
    writeFileSync(join(repo, 'a.txt'), '1');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    onMaster = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'feature-x');
    writeFileSync(join(repo, 'a.txt'), '2');
    git('commit', '-q', '-am', 'two');
    onFeature = git('rev-parse', 'HEAD');
  });

  it('accepts a commit of master', async () => {
    await expect(requireOnBranch(repo, onMaster, 'master')).resolves.toBeUndefined();
  });

  it('refuses a commit that is only on another branch, naming the commit and that branch', async () => {
    await expect(requireOnBranch(repo, onFeature, 'master')).rejects.toThrow(`commit ${onFeature.slice(0, 12)} is not on master; it is on feature-x`);
  });

  it('says how to fix a checkout without the branch history', async () => {
    await expect(requireOnBranch(repo, onMaster, 'main')).rejects.toThrow('the branch main is not in this checkout');
  });
});
