import { BatchGetImageCommand, type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';
import { findImage } from './images.js';

/**
 * The staging record: after a successful staging deployment, deploy-staging tags the digest it deployed
 * `staging-<commit>` in the image repository. Tags are immutable (the repository is IMMUTABLE, and the
 * protect-delivery-repository guardrail denies deleting images and making tags mutable), so the record cannot be moved
 * once written; the release ships a commit only when its image is the digest this tag names.
 */
export function stagingTag(commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new GroundworkError('USAGE', `commit "${commit}" is not a full commit SHA`, {
      hint: 'pass the 40-character SHA of the deployed commit (GITHUB_SHA)',
    });
  }
  return `staging-${commit}`;
}

/** Where an image lives, from a `REGISTRY/REPOSITORY@sha256:…` URI (the image-uri output of build-and-push). */
export function parseImageUri(imageUri: string): { registryId?: string; repositoryName: string; digest: string } {
  const match = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(imageUri);
  if (!match) {
    throw new GroundworkError('USAGE', `image "${imageUri}" is not REGISTRY/REPOSITORY@sha256:DIGEST`, {
      hint: 'pass the image-uri output of build-and-push (REPOSITORY@sha256:…)',
    });
  }
  const [, host = '', repositoryName = '', digest = ''] = match;
  return { registryId: /^(\d{12})\.dkr\.ecr\./.exec(host)?.[1], repositoryName, digest };
}

/** What {@link recordStagingDeployment} wrote. */
export interface StagingRecord {
  readonly tag: string;
  readonly digest: string;
  /** False when the tag already named this digest (a re-run of the same deployment). */
  readonly recorded: boolean;
}

/**
 * Tags the digest staging now runs `staging-<commit>` (BatchGetImage, then PutImage of that very manifest). ECR answers
 * ImageAlreadyExistsException when the tag already names this digest (a re-run: nothing to do) and
 * ImageTagAlreadyExistsException when it names another one: somebody recorded a different image for this commit, which
 * is refused with both digests.
 */
export async function recordStagingDeployment(
  ecr: ECRClient,
  image: { readonly repositoryName: string; readonly registryId?: string; readonly digest: string },
  commit: string,
): Promise<StagingRecord> {
  const tag = stagingTag(commit);
  const { repositoryName, registryId, digest } = image;
  const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName, registryId, imageIds: [{ imageDigest: digest }] }));
  const found = images?.[0];
  if (!found?.imageManifest) {
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `ECR has no image ${repositoryName}@${digest} to record as staging's deployment of ${commit}`, {
      hint: 'deploy an image of the cicd repository (the image-uri output of build-and-push)',
    });
  }
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName,
        registryId,
        imageTag: tag,
        imageManifest: found.imageManifest,
        imageManifestMediaType: found.imageManifestMediaType,
        imageDigest: digest,
      }),
    );
    return { tag, digest, recorded: true };
  } catch (error) {
    if (!isError(error, 'ImageAlreadyExistsException', 'ImageTagAlreadyExistsException')) throw error;
    const existing = await findImage(ecr, repositoryName, tag, registryId);
    if (existing?.digest === digest) return { tag, digest, recorded: false };
    throw new GroundworkError(
      'STAGING_RECORD_MISMATCH',
      `staging now runs ${repositoryName}@${digest} for commit ${commit}, but the tag ${tag} already names ${existing?.digest ?? 'another image'}; ECR refused to move it (${(error as Error).name})`,
      {
        hint: `only deploy-staging writes ${tag}, once: find who pushed it (CloudTrail PutImage in the cicd account) before releasing anything; this commit cannot be released, so push a new commit through staging`,
        cause: error,
      },
    );
  }
}

/**
 * Refuses a release unless staging recorded this very digest for the commit: a missing record (staging never ran the
 * commit, or ran it before this check existed) and a different digest are both refused, naming the commit, both
 * digests and the fix.
 */
export async function requireStagingRecord(ecr: ECRClient, repositoryName: string, commit: string, digest: string): Promise<void> {
  const tag = stagingTag(commit);
  const record = await findImage(ecr, repositoryName, tag);
  if (!record) {
    throw new GroundworkError(
      'STAGING_RECORD_MISSING',
      `commit ${commit} has no staging record: ${repositoryName} has no tag ${tag}, so staging never ran its image ${digest}`,
      {
        hint: 'a release ships only the image staging ran: deploy this commit to staging with backend-staging (push it to master, or re-run its staging workflow), then run the release again',
      },
    );
  }
  if (record.digest !== digest) {
    throw new GroundworkError(
      'STAGING_RECORD_MISMATCH',
      `commit ${commit}: staging ran ${record.digest} (tag ${tag}), but the commit's image is ${digest}; the release would ship an image staging never ran`,
      {
        hint: 'do not release this commit: find who pushed which tag (CloudTrail PutImage in the cicd account), then push a new commit through staging and tag that',
      },
    );
  }
}
