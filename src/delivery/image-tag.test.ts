import { describe, expect, it } from 'vitest';
import { GroundworkError } from '../errors.js';
import { imageTagInput } from './images.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** The error imageTagInput throws, as one line. */
function refusal(input: string, sha: string | undefined): string {
  try {
    imageTagInput(input, sha);
  } catch (error) {
    expect(error).toBeInstanceOf(GroundworkError);
    const e = error as GroundworkError;
    return `${e.code}: ${e.message} (fix: ${e.hint})`;
  }
  return 'accepted';
}

describe('build-and-push’s image tag names the setting that gave it', () => {
  it('the input, else the commit of the run', () => {
    expect(imageTagInput('', SHA)).toBe(SHA);
    expect(imageTagInput(SHA.slice(0, 12), undefined)).toBe(SHA.slice(0, 12));
  });

  it('an image-tag that is not a commit SHA (a release tag, the cache tag) names image-tag', () => {
    for (const tag of ['latest', 'v1.2.3', 'buildcache', `sha-${SHA}`]) {
      expect(refusal(tag, SHA)).toMatch(new RegExp(`^USAGE: input image-tag is "${tag}", which is not a commit SHA \\(fix: leave image-tag empty`));
    }
  });

  it('no image-tag and no GITHUB_SHA says both, not an empty tag', () => {
    expect(refusal('', undefined)).toBe(
      'USAGE: input image-tag is empty and GITHUB_SHA is not set (fix: run build-and-push in a GitHub Actions job (GITHUB_SHA is the commit), or set image-tag to the commit SHA the image is built from)',
    );
    expect(refusal('', 'main')).toMatch(/^USAGE: input image-tag is empty and GITHUB_SHA is "main", not a commit SHA/);
  });
});
