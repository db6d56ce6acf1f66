import type { getOctokit } from '@actions/github';
import { GroundworkError } from '../errors.js';

type Octokit = ReturnType<typeof getOctokit>;

/** A repository on GitHub. */
export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

/** The branch a vending pull request comes from: one per account, so a second dispatch finds the first one's. */
export function vendBranch(accountName: string): string {
  return `groundwork/vend-${accountName.toLowerCase()}`;
}

function status(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error ? Number((error as { status: unknown }).status) : undefined;
}

/** The open pull request from `branch`, if there is one. */
export async function findOpenPullRequest(octokit: Octokit, repository: RepositoryRef, branch: string): Promise<{ number: number; url: string } | undefined> {
  const { data } = await octokit.rest.pulls.list({ ...repository, state: 'open', head: `${repository.owner}:${branch}`, per_page: 10 });
  const pr = data[0];
  return pr ? { number: pr.number, url: pr.html_url } : undefined;
}

/**
 * Commits a file's new text to a branch through the contents API (one commit, the file's current blob named so that a
 * concurrent change is refused rather than overwritten).
 */
export async function commitFile(
  octokit: Octokit,
  repository: RepositoryRef,
  change: { branch: string; path: string; text: string; message: string },
): Promise<{ sha: string; url: string }> {
  let blob: string | undefined;
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repository, path: change.path, ref: change.branch });
    if (Array.isArray(data) || data.type !== 'file') {
      throw new GroundworkError('USAGE', `${change.path} on ${change.branch} is not a file`, { hint: 'pass the path of groundwork.yaml in the config input' });
    }
    blob = data.sha;
  } catch (error) {
    if (status(error) !== 404) throw error;
  }
  try {
    const { data } = await octokit.rest.repos.createOrUpdateFileContents({
      ...repository,
      path: change.path,
      branch: change.branch,
      message: change.message,
      content: Buffer.from(change.text, 'utf8').toString('base64'),
      ...(blob ? { sha: blob } : {}),
    });
    return { sha: data.commit.sha ?? '', url: data.commit.html_url ?? '' };
  } catch (error) {
    const code = status(error);
    if (code === 409 || code === 422 || code === 403) {
      throw new GroundworkError(
        'GITHUB_REFUSED',
        `GitHub refused the commit of ${change.path} to ${change.branch} (HTTP ${code}): ${(error as Error).message}`,
        {
          hint:
            code === 403
              ? 'give the job contents: write, or a token allowed to push to that branch (branch protection refuses the default token)'
              : 'the file changed on the branch meanwhile: dispatch again',
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Opens a pull request that changes one file: the branch is created from the base (or reset to it, when an earlier
 * attempt left it without a pull request), the file committed there, and the pull request opened against the base.
 */
export async function openFilePullRequest(
  octokit: Octokit,
  repository: RepositoryRef,
  request: { base: string; branch: string; path: string; text: string; title: string; body: string },
): Promise<{ number: number; url: string }> {
  const { data: base } = await octokit.rest.git.getRef({ ...repository, ref: `heads/${request.base}` });
  try {
    await octokit.rest.git.createRef({ ...repository, ref: `refs/heads/${request.branch}`, sha: base.object.sha });
  } catch (error) {
    if (status(error) !== 422) throw error;
    await octokit.rest.git.updateRef({ ...repository, ref: `heads/${request.branch}`, sha: base.object.sha, force: true });
  }
  await commitFile(octokit, repository, { branch: request.branch, path: request.path, text: request.text, message: request.title });
  const { data } = await octokit.rest.pulls.create({ ...repository, base: request.base, head: request.branch, title: request.title, body: request.body });
  return { number: data.number, url: data.html_url };
}
