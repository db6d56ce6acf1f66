/**
 * The tag of the image a workload's task definition names before the team's first image exists: the team's own
 * repository at this tag, which no build pushes. The service is created with 0 tasks, so it is never pulled; the first
 * delivery replaces it with the team's image by digest (src/delivery/first-deployment.ts).
 */
export const PLACEHOLDER_IMAGE_TAG = 'groundwork-no-image-yet';

/** The service tag that carries the workload's configured task count (DesiredCount), which a first delivery scales to. */
export const DESIRED_COUNT_TAG = 'groundwork:desired-count';

/** Is this the placeholder image of a workload created before its first image? */
export const isPlaceholderImage = (image: string | undefined): boolean => image?.endsWith(`:${PLACEHOLDER_IMAGE_TAG}`) ?? false;
