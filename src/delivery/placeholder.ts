/**
 * The tag of the image a workload's task definition names before the team's first image exists: the team's own
 * repository at this tag, which no build pushes. The service is created with 0 tasks, so it is never pulled; the first
 * delivery replaces it with the team's image by digest (src/delivery/first-deployment.ts).
 */
export const PLACEHOLDER_IMAGE_TAG = 'groundwork-no-image-yet';

/** The service tag that carries the workload's configured task count (DesiredCount), which a first delivery scales to. */
export const DESIRED_COUNT_TAG = 'groundwork:desired-count';

/** The largest count the workload template's DesiredCount allows (its MaxValue), so the largest a first delivery scales to. */
export const MAX_DESIRED_COUNT = 100;

/** Is this the placeholder image of a workload created before its first image? */
export const isPlaceholderImage = (image: string | undefined): boolean => image?.endsWith(`:${PLACEHOLDER_IMAGE_TAG}`) ?? false;

/** The repository part of an image reference: without its `@digest` or its `:tag` (a registry's `:port` is kept). */
export const imageRepository = (image: string): string => {
  const name = image.split('@')[0] as string;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
};

/**
 * Is `image` the placeholder of the repository `teamImage` is in? The template names the team's own repository at the
 * placeholder tag, so another repository at that tag (`evil:groundwork-no-image-yet`) is not a placeholder.
 */
export const isPlaceholderOf = (image: string | undefined, teamImage: string): image is string =>
  image !== undefined && isPlaceholderImage(image) && imageRepository(image) === imageRepository(teamImage);
