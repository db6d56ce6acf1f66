import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchDeleteImageCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { requireOnBranch } from '../src/delivery/git-branch.js';
import { promoteImage } from '../src/delivery/release-image.js';
import { parseImageUri, recordStagingDeployment, stagingRecordName } from '../src/delivery/staging-record.js';
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
const clock = fixedClock('2026-03-01T10:00:00Z');

describe('promoting the image of a commit to a release (no rebuild)', () => {
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  const ssm = () => sandbox.emulator.clients('eu-west-1').create(SSMClient);
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    // moto computes no real digest from a manifest (every manifest without layers gets the same): pass one, as a push would.
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: SHA, imageManifest: MANIFEST, imageDigest: DIGEST_A }));
    // Staging deployed it and recorded the digest (deploy-staging).
    await recordStagingDeployment(ssm(), { repositoryName: 'backend', digest: DIGEST_A }, SHA, { clock });
  });

  it('tags the very manifest the SHA names, so the version and the SHA have one digest', async () => {
    const promoted = await promoteImage(ecr(), ssm(), 'backend', SHA, 'v1.0.0');
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'backend', imageIds: [{ imageTag: SHA }, { imageTag: 'v1.0.0' }] }));
    const digests = new Set(imageDetails?.map((d) => d.imageDigest));
    expect(digests.size).toBe(1);
    expect(promoted).toEqual({ digest: DIGEST_A, version: 'v1.0.0', tagged: true });
    expect([...digests]).toEqual([DIGEST_A]);
  });

  it('is a no-op on a re-run of the same release, and refuses a version tag that names another image', async () => {
    expect(await promoteImage(ecr(), ssm(), 'backend', SHA, 'v1.0.0')).toMatchObject({ tagged: false });
    const other = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
    await ecr().send(new PutImageCommand({ repositoryName: 'backend', imageTag: other, imageManifest: manifest(1470), imageDigest: DIGEST_B }));
    await recordStagingDeployment(ssm(), { repositoryName: 'backend', digest: DIGEST_B }, other, { clock });
    await expect(promoteImage(ecr(), ssm(), 'backend', other, 'v1.0.0')).rejects.toThrow(/the tag v1.0.0 already names another image/);
  });

  it('refuses a commit that has no image, naming the commit and the fix (nothing is built)', async () => {
    const unbuilt = '0123456789012345678901234567890123456789';
    await expect(promoteImage(ecr(), ssm(), 'backend', unbuilt, 'v2.0.0')).rejects.toMatchObject({
      code: 'STAGING_RECORD_MISSING',
      message: `no image exists for commit ${unbuilt} in backend, so staging never ran it`,
    });
  });
});

describe('the staging record (an SSM parameter in the cicd account): a release ships only the digest staging ran', () => {
  const ecr = () => sandbox.emulator.clients('eu-west-1').create(ECRClient);
  const ssm = () => sandbox.emulator.clients('eu-west-1').create(SSMClient);
  const image = (commit: string, size: number, digest: string) =>
    ecr().send(new PutImageCommand({ repositoryName: 'records', imageTag: commit, imageManifest: manifest(size), imageDigest: digest }));
  const stored = async (commit: string) => (await ssm().send(new GetParameterCommand({ Name: stagingRecordName('records', commit) }))).Parameter;
  beforeAll(async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'records', imageTagMutability: 'IMMUTABLE' }));
  });

  it('deploy-staging writes the deployed digest once under /groundwork/staging-records/<repository>/<commit>, and a re-run of the same deployment is no change', async () => {
    const commit = '1'.repeat(40);
    const digest = `sha256:${'1'.repeat(64)}`;
    await image(commit, 2001, digest);
    const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/records@${digest}`;
    expect(parseImageUri(uri)).toEqual({ registryId: '123456789012', repositoryName: 'records', digest });
    const runUrl = 'https://github.com/acme/backend/actions/runs/7';
    expect(await recordStagingDeployment(ssm(), parseImageUri(uri), commit, { clock, imageUri: uri, runUrl })).toEqual({
      name: `/groundwork/staging-records/records/${commit}`,
      digest,
      recorded: true,
    });
    const parameter = await stored(commit);
    expect(parameter).toMatchObject({ Type: 'String', Version: 1 });
    expect(JSON.parse(parameter?.Value ?? '')).toEqual({ digest, imageUri: uri, recordedAt: '2026-03-01T10:00:00.000Z', runUrl });
    // SSM answers ParameterAlreadyExists to a PutParameter without Overwrite: for the same digest, already done.
    const later = fixedClock('2026-03-01T11:00:00Z');
    expect(await recordStagingDeployment(ssm(), parseImageUri(uri), commit, { clock: later })).toMatchObject({ recorded: false });
    expect(await stored(commit)).toMatchObject({ Version: 1, Value: parameter?.Value });
  });

  it('refuses to record a deployment when the record already names another digest (someone wrote it first), and the record does not move', async () => {
    const commit = '2'.repeat(40);
    const forged = `sha256:${'f'.repeat(64)}`;
    const deployed = `sha256:${'2'.repeat(64)}`;
    // A principal with SSM rights in the cicd account wrote a record for another image before staging deployed the commit
    // (the delivery role alone may, through its policy and the protect-delivery-repository guardrail; moto enforces neither).
    const value = JSON.stringify({ digest: forged });
    await ssm().send(new PutParameterCommand({ Name: stagingRecordName('records', commit), Value: value, Type: 'String' }));
    await image(commit, 2002, deployed);
    const refused = recordStagingDeployment(ssm(), { repositoryName: 'records', digest: deployed }, commit, { clock });
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISMATCH' });
    await expect(refused).rejects.toThrow(
      `staging now runs records@${deployed} for commit ${commit}, but its record /groundwork/staging-records/records/${commit} already names ${forged}`,
    );
    // Written without Overwrite, the deployment could not move the record either way.
    expect(await stored(commit)).toMatchObject({ Version: 1, Value: value });
  });

  it('refuses to release a commit staging never ran, naming the commit, its digest and the fix', async () => {
    const commit = '3'.repeat(40);
    await image(commit, 2003, `sha256:${'3'.repeat(64)}`);
    const refused = promoteImage(ecr(), ssm(), 'records', commit, 'v3.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISSING' });
    await expect(refused).rejects.toThrow(
      `commit ${commit} has no staging record: the cicd account has no parameter /groundwork/staging-records/records/${commit}, so staging never ran its image sha256:${'3'.repeat(64)}`,
    );
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining('deploy this commit to staging with backend-staging') });
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'records', imageIds: [{ imageTag: commit }] }));
    expect(imageDetails?.[0]?.imageTags).toEqual([commit]);
  });

  it('refuses to release when the SHA tag was moved after staging ran the commit (deleted and pushed again), naming both digests', async () => {
    const commit = '4'.repeat(40);
    const ran = `sha256:${'4'.repeat(64)}`;
    const swapped = `sha256:${'e'.repeat(64)}`;
    await image(commit, 2004, ran);
    await recordStagingDeployment(ssm(), { repositoryName: 'records', digest: ran }, commit, { clock });
    // The attack the protect-delivery-repository guardrail denies in the cicd account (moto has no SCPs): delete the
    // commit's tag and push another image under it; before the record, the release shipped whatever the tag named.
    await ecr().send(new BatchDeleteImageCommand({ repositoryName: 'records', imageIds: [{ imageTag: commit }] }));
    await image(commit, 2005, swapped);
    const refused = promoteImage(ecr(), ssm(), 'records', commit, 'v4.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISMATCH' });
    await expect(refused).rejects.toThrow(
      `commit ${commit}: staging ran ${ran} (record /groundwork/staging-records/records/${commit}), but the commit's image is ${swapped}`,
    );
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'records', imageIds: [{ imageDigest: swapped }] }));
    expect(imageDetails?.[0]?.imageTags).toEqual([commit]);
  });

  it('attack: an image-role push of a staging-<commit> tag (what the record used to be) does not make a commit releasable', async () => {
    const commit = '6'.repeat(40);
    const unran = `sha256:${'6'.repeat(64)}`;
    // A writer's own workflow, with the image role (ECR push only), pushes the commit's image and tags the same manifest
    // staging-<commit>, the record's earlier form; IAM has no condition on tags that could have stopped it.
    await image(commit, 2007, unran);
    await ecr().send(new PutImageCommand({ repositoryName: 'records', imageTag: `staging-${commit}`, imageManifest: manifest(2007), imageDigest: unran }));
    const refused = promoteImage(ecr(), ssm(), 'records', commit, 'v6.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISSING' });
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: 'records', imageIds: [{ imageDigest: unran }] }));
    expect(imageDetails?.[0]?.imageTags?.sort()).toEqual([commit, `staging-${commit}`].sort());
  });

  it('refuses to release on a parameter that is not a record deploy-staging writes (a bare or garbled value)', async () => {
    const commit = '5'.repeat(40);
    const digest = `sha256:${'5'.repeat(64)}`;
    await image(commit, 2006, digest);
    await ssm().send(new PutParameterCommand({ Name: stagingRecordName('records', commit), Value: 'trust me', Type: 'String' }));
    const refused = promoteImage(ecr(), ssm(), 'records', commit, 'v5.0.0');
    await expect(refused).rejects.toMatchObject({ code: 'STAGING_RECORD_MISMATCH' });
    await expect(refused).rejects.toThrow(`the staging record /groundwork/staging-records/records/${commit} is not one deploy-staging writes: "trust me"`);
  });

  it('refuses a commit that is not a full SHA before writing anything', () => {
    expect(() => stagingRecordName('records', 'main')).toThrow('commit "main" is not a full commit SHA');
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
    await expect(requireOnBranch(repo, onMaster, 'main')).rejects.toThrow('the branch main (the release branch) is not in this checkout');
  });
});
