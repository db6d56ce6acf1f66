import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  ImageTagAlreadyExistsException,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireOnBranch } from '../src/delivery/git-branch.js';
import { promoteImage } from '../src/delivery/release-image.js';
import { parseImageUri, recordStagingDeployment } from '../src/delivery/staging-record.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
const SHA = 'aaaabbbbccccddddeeeeffff0000111122223333';
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
  layers: [],
});

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const manifest = (size: number) => MANIFEST.replace('"size":1469', `"size":${size}`);

describe('promoting the image of a commit to a release (no rebuild)', () => {
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    // moto computes no real digest from a manifest (every manifest without layers gets the same): pass one, as a push would.
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: SHA, imageManifest: MANIFEST, imageDigest: DIGEST_A }));
    // Staging deployed it and recorded the digest (deploy-staging).
    await recordStagingDeployment(ecr(), { repositoryName: 'backend', digest: DIGEST_A }, SHA);
  });

  it('tags the very manifest the SHA names, so the version and the SHA have one digest', async () => {
    const promoted = await promoteImage(ecr(), 'backend', SHA, 'v1.0.0');
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: SHA }, { imageTag: 'v1.0.0' }] }));
    const digests = new Set(imageDetails?.map((d) => d.imageDigest));
    expect(digests.size).toBe(1);
    expect(promoted).toEqual({ digest: DIGEST_A, version: 'v1.0.0', tagged: true });
    expect([...digests]).toEqual([DIGEST_A]);
  });

  it('is a no-op on a re-run of the same release, and refuses a version tag that names another image', async () => {
    expect(await promoteImage(ecr(), 'backend', SHA, 'v1.0.0')).toMatchObject({ tagged: false });
    const other = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: other, imageManifest: manifest(1470), imageDigest: DIGEST_B }));
    await recordStagingDeployment(ecr(), { repositoryName: 'backend', digest: DIGEST_B }, other);
    await expect(promoteImage(ecr(), 'backend', other, 'v1.0.0')).rejects.toThrow(/the tag v1.0.0 already names another image/);
  });

  it('refuses a commit that has no image, naming the commit and the fix (nothing is built)', async () => {
    const unbuilt = '0123456789012345678901234567890123456789';
    await expect(promoteImage(ecr(), 'backend', unbuilt, 'v2.0.0')).rejects.toMatchObject({
      code: 'STAGING_RECORD_MISSING',
      message: `no image exists for commit ${unbuilt} in backend, so staging never ran it`,
    });
  });
});

describe('the staging record: a release ships only the digest staging ran', () => {
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  const image = (commit: string, size: number, digest: string) =>
    ecr().send(new PutImageCommand({ repositoryName: 'records', imageTag: commit, imageManifest: manifest(size), imageDigest: digest }));
  const tags = async (digest: string) =>
    (await ecr().send(new DescribeImagesCommand({ repositoryName: 'records', imageIds: [{ imageDigest: digest }] }))).imageDetails?.[0]?.imageTags ?? [];
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'records', imageTagMutability: 'IMMUTABLE' }));
  });

  it('deploy-staging tags the deployed digest staging-<commit>, and a re-run of the same deployment is no change', async () => {
    const commit = '1'.repeat(40);
    await image(commit, 2001, `sha256:${'1'.repeat(64)}`);
    const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/records@sha256:${'1'.repeat(64)}`;
    expect(parseImageUri(uri)).toEqual({ registryId: '123456789012', repositoryName: 'records', digest: `sha256:${'1'.repeat(64)}` });
    expect(await recordStagingDeployment(ecr(), parseImageUri(uri), commit)).toEqual({
      tag: `staging-${commit}`,
      digest: `sha256:${'1'.repeat(64)}`,
      recorded: true,
    });
    expect((await tags(`sha256:${'1'.repeat(64)}`)).sort()).toEqual([commit, `staging-${commit}`].sort());
    // ECR answers ImageAlreadyExistsException for the same tag on the same image: already done.
    expect(await recordStagingDeployment(ecr(), parseImageUri(uri), commit)).toMatchObject({ recorded: false });
  });

  it('refuses to record a deployment when staging-<commit> already names another digest (someone wrote the record first)', async () => {
    const commit = '2'.repeat(40);
    const forged = `sha256:${'f'.repeat(64)}`;
    const deployed = `sha256:${'2'.repeat(64)}`;
    // A principal that may push wrote the record for another image before staging deployed the commit.
    await ecr().send(new PutImageCommand({ repositoryName: 'records', imageTag: `staging-${commit}`, imageManifest: manifest(2099), imageDigest: forged }));
    await image(commit, 2002, deployed);
    const refused = recordStagingDeployment(ecr(), { repositoryName: 'records', digest: deployed }, commit);
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISMATCH' });
    await expect(refused).rejects.toThrow(`but the tag staging-${commit} already names ${forged}`);
    // The record did not move: ECR keeps an immutable tag where it is.
    expect(await tags(forged)).toEqual([`staging-${commit}`]);
  });

  it('refuses to release a commit staging never ran, naming the commit, its digest and the fix', async () => {
    const commit = '3'.repeat(40);
    await image(commit, 2003, `sha256:${'3'.repeat(64)}`);
    const refused = promoteImage(ecr(), 'records', commit, 'v3.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISSING' });
    await expect(refused).rejects.toThrow(
      `commit ${commit} has no staging record: records has no tag staging-${commit}, so staging never ran its image sha256:${'3'.repeat(64)}`,
    );
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining('deploy this commit to staging with backend-staging') });
    expect(await tags(`sha256:${'3'.repeat(64)}`)).toEqual([commit]);
  });

  it('refuses to release when the SHA tag was moved after staging ran the commit (deleted and pushed again), naming both digests', async () => {
    const commit = '4'.repeat(40);
    const ran = `sha256:${'4'.repeat(64)}`;
    const swapped = `sha256:${'e'.repeat(64)}`;
    await image(commit, 2004, ran);
    await recordStagingDeployment(ecr(), { repositoryName: 'records', digest: ran }, commit);
    // The attack the protect-delivery-repository guardrail denies in the cicd account (moto has no SCPs): delete the
    // commit's tag and push another image under it; before the record, the release shipped whatever the tag named.
    await ecr().send(new BatchDeleteImageCommand({ repositoryName: 'records', imageIds: [{ imageTag: commit }] }));
    await image(commit, 2005, swapped);
    const refused = promoteImage(ecr(), 'records', commit, 'v4.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISMATCH' });
    await expect(refused).rejects.toThrow(`commit ${commit}: staging ran ${ran} (tag staging-${commit}), but the commit's image is ${swapped}`);
    expect(await tags(swapped)).toEqual([commit]);
  });
});

describe('the staging record, on the answer ECR gives for a tag that names another image', () => {
  // moto answers ImageAlreadyExistsException for both cases; ECR answers ImageTagAlreadyExistsException when the tag
  // names another image. Recorded answers in the SDK's shapes show that this answer is refused the same way.
  it('refuses with both digests when PutImage answers ImageTagAlreadyExistsException', async () => {
    const commit = '5'.repeat(40);
    const mock = mockClient(ECRClient);
    mock.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST_A }, imageManifest: MANIFEST }], failures: [] });
    mock.on(PutImageCommand).rejects(
      new ImageTagAlreadyExistsException({
        message: `The image tag 'staging-${commit}' already exists in the 'backend' repository and cannot be overwritten because the repository is immutable.`,
        $metadata: {},
      }),
    );
    mock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST_B, imageTags: [`staging-${commit}`] }] });
    await expect(recordStagingDeployment(new ECRClient({ region: 'eu-west-1' }), { repositoryName: 'backend', digest: DIGEST_A }, commit)).rejects.toThrow(
      `staging now runs backend@${DIGEST_A} for commit ${commit}, but the tag staging-${commit} already names ${DIGEST_B}; ECR refused to move it (ImageTagAlreadyExistsException)`,
    );
    mock.restore();
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
