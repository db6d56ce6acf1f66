import { BatchGetImageCommand, type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, type ECSClient, RegisterTaskDefinitionCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';
import { renderTaskDefinition } from './ecs-deploy.js';
import { findImage, registryHost } from './images.js';
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

/** The revision a release deploys: the promoted image, pinned by digest, in a copy of the service's live revision. */
export interface ReleaseRevision {
  readonly promoted: PromotedImage;
  /** `REGISTRY/REPOSITORY@sha256:…` */
  readonly imageUri: string;
  /** The service's revision the new one copies. */
  readonly live: TaskDefinition;
  readonly taskDefinitionArn: string;
  /** When the image was promoted, on the caller's `now`. */
  readonly promotedAt: number;
}

/**
 * The first half of every release, whatever shifts the traffic: promotes the commit's image (refused unless staging
 * ran that digest, see promoteImage), then registers a copy of the service's live revision (its tags kept) that names
 * the image by digest.
 */
export async function registerReleaseRevision(
  clients: { readonly ecr: ECRClient; readonly ssm: SSMClient; readonly ecs: ECSClient },
  release: {
    readonly repositoryName: string;
    readonly commit: string;
    readonly version: string;
    readonly taskDefinitionArn: string;
    readonly containerName: string;
    readonly tags?: Readonly<Record<string, string>>;
  },
  progress: (message: string) => void,
  now: () => number,
): Promise<ReleaseRevision> {
  const promoted = await promoteImage(clients.ecr, clients.ssm, release.repositoryName, release.commit, release.version);
  progress(
    `${release.repositoryName}@${promoted.digest}: the image staging ran for ${release.commit.slice(0, 12)}, ${promoted.tagged ? 'now also' : 'already'} tagged ${release.version}`,
  );
  const promotedAt = now();
  const imageUri = `${await registryHost(clients.ecr)}/${release.repositoryName}@${promoted.digest}`;
  const { taskDefinition: live, tags: liveTags } = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: release.taskDefinitionArn, include: ['TAGS'] }),
  );
  if (!live)
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `task definition ${release.taskDefinitionArn} could not be read`, { hint: 'run the release again' });
  const registered = await clients.ecs.send(
    new RegisterTaskDefinitionCommand(renderTaskDefinition(live, release.containerName, imageUri, release.tags, liveTags ?? [])),
  );
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn as string;
  progress(`registered ${taskDefinitionArn.split('/').pop()} with ${imageUri}`);
  return { promoted, imageUri, live, taskDefinitionArn, promotedAt };
}
