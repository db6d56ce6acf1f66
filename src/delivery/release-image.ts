import { BatchGetImageCommand, type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';
import { findImage } from './images.js';
import { requireStagingRecord } from './staging-record.js';

/** The image a release promotes: the one built and tested for the commit, now also tagged with the version. */
export interface PromotedImage {
  readonly digest: string;
  readonly version: string;
  /** False when the version tag already pointed at this digest (a re-run of the same release). */
  readonly tagged: boolean;
}

/**
 * Adds the version tag to the very manifest the commit's SHA tag names (BatchGetImage, then PutImage with that manifest),
 * after checking that this digest is the one staging recorded for the commit (the SSM parameter
 * `/groundwork/staging-records/<repository>/<commit>` in the cicd account, written once by deploy-staging): the digest
 * that ran in staging is the digest that reaches production, and nothing is rebuilt. A commit with no image, no staging
 * record or a record of another digest is refused.
 */
export async function promoteImage(ecr: ECRClient, ssm: SSMClient, repositoryName: string, sha: string, version: string): Promise<PromotedImage> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(version)) {
    throw new GroundworkError('USAGE', `"${version}" is not a valid image tag`, {
      hint: 'use the git tag, such as v1.2.3 (letters, digits, ._-, at most 128)',
    });
  }
  const found = await findImage(ecr, repositoryName, sha);
  if (!found) {
    throw new GroundworkError('STAGING_RECORD_MISSING', `no image exists for commit ${sha} in ${repositoryName}, so staging never ran it`, {
      hint: 'a release ships only the image staging ran: push the commit to master (backend-staging builds, deploys and records it), then run the release again',
    });
  }
  await requireStagingRecord(ssm, repositoryName, sha, found.digest);
  const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest: found.digest }] }));
  const image = images?.[0];
  if (!image?.imageManifest)
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `ECR returned no manifest for ${repositoryName}@${found.digest}`, { hint: 'run the release again' });
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName,
        imageTag: version,
        imageManifest: image.imageManifest,
        imageManifestMediaType: image.imageManifestMediaType,
        imageDigest: found.digest,
      }),
    );
    return { digest: found.digest, version, tagged: true };
  } catch (error) {
    if (!isError(error, 'ImageAlreadyExistsException', 'ImageTagAlreadyExistsException')) throw error;
    const existing = await findImage(ecr, repositoryName, version);
    if (existing?.digest === found.digest) return { digest: found.digest, version, tagged: false };
    throw new GroundworkError(
      'USAGE',
      `the tag ${version} already names another image (${existing?.digest ?? 'unknown'}), not ${found.digest} built for ${sha}`,
      {
        hint: 'tags are immutable: release a new version tag instead of moving one',
        cause: error,
      },
    );
  }
}
