import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isError } from '../aws/aws-error.js';
import type { Clock } from '../clock.js';
import { GroundworkError } from '../errors.js';

/**
 * The staging record: after a successful staging deployment, deploy-staging writes the digest it deployed to the SSM
 * parameter `/groundwork/staging-records/<repository>/<commit>` in the cicd account, without Overwrite, so it cannot be
 * moved once written. Only the delivery role (the staging deploy job, in the staging environment) may write there
 * (cloudformation/github-oidc.json), and the protect-delivery-repository guardrail denies everyone else creating,
 * overwriting, deleting or labelling a record. The release ships a commit only when its image is the recorded digest.
 */
export const STAGING_RECORD_ROOT = '/groundwork/staging-records';

/** Refuses a commit that is not a full commit SHA (a record is per commit, never per branch or short SHA). */
export function requireCommitSha(commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new GroundworkError('USAGE', `commit "${commit}" is not a full commit SHA`, {
      hint: 'pass the 40-character SHA of the deployed commit (GITHUB_SHA)',
    });
  }
  return commit;
}

/** The parameter that records staging's deployment of a commit of a repository; the commit must be a full SHA. */
export function stagingRecordName(repositoryName: string, commit: string): string {
  return `${STAGING_RECORD_ROOT}/${repositoryName}/${requireCommitSha(commit)}`;
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

/** The value of a staging record (a small JSON document). */
export interface StagingRecordValue {
  readonly digest: string;
  readonly imageUri?: string;
  /** ISO time of the write, from the deploying action's clock. */
  readonly recordedAt?: string;
  /** The run that deployed and recorded it. */
  readonly runUrl?: string;
}

/** What {@link recordStagingDeployment} wrote. */
export interface StagingRecord {
  /** The parameter's name. */
  readonly name: string;
  readonly digest: string;
  /** False when the record already named this digest (a re-run of the same deployment). */
  readonly recorded: boolean;
}

/** Reads a record's value; undefined when there is none. A value that is not a record is refused, not trusted. */
async function readRecord(ssm: SSMClient, name: string): Promise<StagingRecordValue | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return parseRecord(name, Parameter?.Value ?? '');
  } catch (error) {
    if (isError(error, 'ParameterNotFound')) return undefined;
    throw error;
  }
}

function parseRecord(name: string, value: string): StagingRecordValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const digest = (parsed as { digest?: unknown } | undefined)?.digest;
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new GroundworkError(
      'STAGING_RECORD_MISMATCH',
      `the staging record ${name} is not one deploy-staging writes: ${JSON.stringify(value.slice(0, 200))}`,
      {
        hint: 'deploy-staging writes {"digest":"sha256:…",…}; find who wrote this parameter (CloudTrail PutParameter in the cicd account) before releasing anything',
      },
    );
  }
  return parsed as StagingRecordValue;
}

/** Options of {@link recordStagingDeployment}. */
export interface RecordOptions {
  readonly clock: Clock;
  /** The image as deployed (REGISTRY/REPOSITORY@DIGEST), kept in the record for people reading it. */
  readonly imageUri?: string;
  readonly runUrl?: string;
}

/**
 * Records the digest staging now runs for the commit: PutParameter without Overwrite, so SSM answers
 * ParameterAlreadyExists when a record exists. The same digest is a re-run (nothing to do); another digest means
 * somebody recorded a different image for this commit, which is refused with both digests.
 */
export async function recordStagingDeployment(
  ssm: SSMClient,
  image: { readonly repositoryName: string; readonly digest: string },
  commit: string,
  options: RecordOptions,
): Promise<StagingRecord> {
  const name = stagingRecordName(image.repositoryName, commit);
  const { digest } = image;
  const value: StagingRecordValue = { digest, imageUri: options.imageUri, recordedAt: options.clock().toISOString(), runUrl: options.runUrl };
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: JSON.stringify(value),
        Type: 'String',
        Description: `The image staging ran for commit ${commit}: the only one a release of it ships (written once by deploy-staging)`,
      }),
    );
    return { name, digest, recorded: true };
  } catch (error) {
    if (isError(error, 'AccessDeniedException')) throw writeRefused(name, error);
    if (!isError(error, 'ParameterAlreadyExists')) throw error;
    const existing = await readRecord(ssm, name);
    if (existing?.digest === digest) return { name, digest, recorded: false };
    throw new GroundworkError(
      'STAGING_RECORD_MISMATCH',
      `staging now runs ${image.repositoryName}@${digest} for commit ${commit}, but its record ${name} already names ${existing?.digest ?? 'another image'}; a record is written once and never overwritten`,
      {
        hint: `only deploy-staging writes ${name}, once: find who wrote it (CloudTrail PutParameter in the cicd account) before releasing anything; this commit cannot be released, so push a new commit through staging`,
        cause: error,
      },
    );
  }
}

function writeRefused(name: string, error: unknown): GroundworkError {
  return new GroundworkError('AWS_ACCESS_DENIED', `the cicd account refused to write the staging record ${name}: ${(error as Error).message}`, {
    hint: "deploy-staging writes it with the delivery role: redeploy cloudformation/github-oidc.json (its DeliveryRole may create parameters under /groundwork/staging-records/<EcrRepositoryName>/), and keep the role's name groundwork-delivery, the one the protect-delivery-repository guardrail lets create records",
    cause: error,
  });
}

/**
 * Refuses a release unless staging recorded this very digest for the commit: a missing record (staging never ran the
 * commit, or ran it before records lived in SSM) and a different digest are both refused, naming the commit, both
 * digests and the fix.
 */
export async function requireStagingRecord(ssm: SSMClient, repositoryName: string, commit: string, digest: string): Promise<void> {
  const name = stagingRecordName(repositoryName, commit);
  const record = await readRecord(ssm, name);
  if (!record) {
    throw new GroundworkError(
      'STAGING_RECORD_MISSING',
      `commit ${commit} has no staging record: the cicd account has no parameter ${name}, so staging never ran its image ${digest}`,
      {
        hint: 'a release ships only the image staging ran: deploy this commit to staging with backend-staging (push it to master, or re-run its staging workflow), then run the release again',
      },
    );
  }
  if (record.digest !== digest) {
    throw new GroundworkError(
      'STAGING_RECORD_MISMATCH',
      `commit ${commit}: staging ran ${record.digest} (record ${name}), but the commit's image is ${digest}; the release would ship an image staging never ran`,
      {
        hint: 'do not release this commit: find who pushed the SHA tag (CloudTrail PutImage and BatchDeleteImage in the cicd account), then push a new commit through staging and tag that',
      },
    );
  }
}
