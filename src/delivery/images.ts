import { DescribeImagesCommand, type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { isError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';

/** Runs a program: the real implementation spawns it; tests pass a fake. Input goes to its stdin (the registry password). */
export type CommandRunner = (command: string, args: readonly string[], options?: { readonly input?: string }) => Promise<void>;

/** An image in ECR, pinned by digest. */
export interface PinnedImage {
  /** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend`. */
  readonly repositoryUri: string;
  /** `sha256:…`. */
  readonly digest: string;
  /** `repositoryUri@sha256:…`: what task definitions reference. */
  readonly imageUri: string;
  /** The tag it was looked up or pushed by (the commit SHA). */
  readonly tag: string;
  /** False when the tag already existed and nothing was built. */
  readonly built: boolean;
}

/** What {@link buildAndPush} needs. */
export interface BuildAndPushOptions {
  /** An ECR client in the account that owns the repository. */
  readonly ecr: ECRClient;
  readonly repositoryName: string;
  /** The tag to push: the commit SHA. ECR tags are immutable, so a tag names one image forever. */
  readonly tag: string;
  /** Build context folder. @default '.' */
  readonly context?: string;
  /** Dockerfile path. @default 'Dockerfile' in the context */
  readonly dockerfile?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Use the registry as build cache (`<repo>:buildcache`). @default true */
  readonly registryCache?: boolean;
  /** Target platform. @default 'linux/amd64' */
  readonly platform?: string;
  readonly run: CommandRunner;
  readonly progress?: (message: string) => void;
}

const GIT_SHA = /^[0-9a-f]{7,64}$/;

/**
 * The image tag of a build-and-push step: its image-tag input, else the commit of the run (GITHUB_SHA). A tag that is not
 * a commit SHA is refused naming what set it, the input or the run's GITHUB_SHA.
 */
export function imageTagInput(input: string, githubSha: string | undefined): string {
  const tag = input || githubSha || '';
  if (GIT_SHA.test(tag)) return tag;
  if (input) {
    throw new GroundworkError('USAGE', `input image-tag is "${input}", which is not a commit SHA`, {
      hint: 'leave image-tag empty to tag the image with the commit it was built from (GITHUB_SHA), or set it to the commit SHA (github.sha)',
    });
  }
  throw new GroundworkError('USAGE', `input image-tag is empty and GITHUB_SHA is ${githubSha ? `"${githubSha}", not a commit SHA` : 'not set'}`, {
    hint: 'run build-and-push in a GitHub Actions job (GITHUB_SHA is the commit), or set image-tag to the commit SHA the image is built from',
  });
}

/**
 * The tag the registry build cache is exported to (`<repo>:buildcache`). Every build rewrites it, so the repository
 * template excludes it, and only it, from tag immutability (cloudformation/ecr-repository.json).
 */
export const BUILD_CACHE_TAG = 'buildcache';

/** The image with this tag, if the repository has one; a missing repository is a clear error. */
export async function findImage(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
  registryId?: string,
): Promise<{ digest: string; registryId: string } | undefined> {
  try {
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName, registryId, imageIds: [{ imageTag: tag }] }));
    const image = imageDetails?.[0];
    return image?.imageDigest ? { digest: image.imageDigest, registryId: image.registryId ?? '' } : undefined;
  } catch (error) {
    if (isError(error, 'ImageNotFoundException')) return undefined;
    if (isError(error, 'RepositoryNotFoundException')) {
      throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `the ECR repository "${repositoryName}" does not exist in this account and region`, {
        hint: 'deploy the ECR template of the cicd account (cloudformation/), or set ecr-repository to the repository it created',
        cause: error,
      });
    }
    throw error;
  }
}

/** The registry host of the current account and region (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`). */
export async function registryHost(ecr: ECRClient): Promise<string> {
  return (await registryLogin(ecr)).registry;
}

/** The registry host and a `docker login` password from GetAuthorizationToken. */
async function registryLogin(ecr: ECRClient): Promise<{ registry: string; password: string }> {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new GroundworkError('AWS_REQUEST_FAILED', 'ECR returned no authorization token', { hint: 'run the job again' });
  }
  const [user, password] = Buffer.from(data.authorizationToken, 'base64').toString('utf8').split(':');
  if (user !== 'AWS' || !password)
    throw new GroundworkError('AWS_REQUEST_FAILED', 'ECR returned an authorization token of an unknown form', { hint: 'run the job again' });
  return { registry: data.proxyEndpoint.replace(/^https?:\/\//, ''), password };
}

/**
 * Builds the repository's own Dockerfile and pushes it tagged with the commit SHA, then reads the digest back from ECR.
 * If the tag exists already (tags are immutable, so it is this commit's image), nothing is built and its digest is returned.
 */
export async function buildAndPush(options: BuildAndPushOptions): Promise<PinnedImage> {
  const progress = options.progress ?? (() => {});
  if (!GIT_SHA.test(options.tag)) {
    throw new GroundworkError('USAGE', `image tag "${options.tag}" is not a commit SHA`, {
      hint: 'tag images with the commit they were built from (github.sha)',
    });
  }
  for (const [key, value] of Object.entries(options.buildArgs ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || /[\r\n]/.test(value)) {
      throw new GroundworkError('USAGE', `build arg "${key}" is not KEY=VALUE on one line`, { hint: 'one KEY=VALUE per line in build-args' });
    }
  }
  const existing = await findImage(options.ecr, options.repositoryName, options.tag);
  const { registry, password } = await registryLogin(options.ecr);
  const repositoryUri = `${registry}/${options.repositoryName}`;
  if (existing) {
    progress(`${repositoryUri}:${options.tag} exists already (${existing.digest}); nothing to build`);
    return { repositoryUri, digest: existing.digest, imageUri: `${repositoryUri}@${existing.digest}`, tag: options.tag, built: false };
  }
  progress(`logging in to ${registry}`);
  await options.run('docker', ['login', '--username', 'AWS', '--password-stdin', registry], { input: password });
  const context = options.context ?? '.';
  const cache = options.registryCache ?? true;
  // docker resolves --file from the working directory, not the context: the default is the context's own Dockerfile.
  const dockerfile = options.dockerfile || (context === '.' ? 'Dockerfile' : `${context.replace(/\/+$/, '')}/Dockerfile`);
  const args = [
    'buildx',
    'build',
    '--platform',
    options.platform ?? 'linux/amd64',
    '--file',
    dockerfile,
    '--tag',
    `${repositoryUri}:${options.tag}`,
    '--provenance=false',
    ...Object.entries(options.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...(cache
      ? [
          '--cache-from',
          `type=registry,ref=${repositoryUri}:${BUILD_CACHE_TAG}`,
          '--cache-to',
          `type=registry,ref=${repositoryUri}:${BUILD_CACHE_TAG},mode=max,image-manifest=true,oci-mediatypes=true`,
        ]
      : []),
    '--push',
    context,
  ];
  progress(`building ${dockerfile} and pushing ${repositoryUri}:${options.tag}`);
  try {
    await options.run('docker', args);
  } catch (error) {
    if (!cache || !(error instanceof GroundworkError)) throw error;
    throw new GroundworkError(error.code, error.message, {
      hint: `read docker's output above. If it says the docker driver cannot export a cache, run docker/setup-buildx-action before this step; if the ${BUILD_CACHE_TAG} tag "cannot be overwritten", exclude it from the repository's tag immutability (IMMUTABLE_WITH_EXCLUSION, as cloudformation/ecr-repository.json does); or set registry-cache: false`,
      cause: error,
    });
  }
  const pushed = await findImage(options.ecr, options.repositoryName, options.tag);
  if (!pushed) {
    throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `docker reported a push, but ECR has no image ${repositoryUri}:${options.tag}`, {
      hint: 'check the docker output above; the repository may have rejected the push (lifecycle, permissions)',
    });
  }
  return { repositoryUri, digest: pushed.digest, imageUri: `${repositoryUri}@${pushed.digest}`, tag: options.tag, built: true };
}
