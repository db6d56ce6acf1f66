import type { getOctokit } from '@actions/github';

type Octokit = ReturnType<typeof getOctokit>;

/** The hidden line that marks Groundwork's plan comment on a pull request, so each push edits it instead of adding one. */
export const PLAN_COMMENT_MARKER = '<!-- groundwork:plan -->';

/** Where the comment goes. */
export interface StickyTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
  /** @default PLAN_COMMENT_MARKER */
  readonly marker?: string;
}

/** What was done: the one comment created, edited in place, or left as it was. */
export interface StickyResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
}

/**
 * One comment per pull request, kept current: the comment carrying the marker is found (all pages of the PR's
 * comments) and edited, or created when there is none. A body equal to the current one is not written again.
 */
export async function upsertStickyComment(octokit: Octokit, target: StickyTarget, body: string): Promise<StickyResult> {
  const marker = target.marker ?? PLAN_COMMENT_MARKER;
  const full = `${marker}\n${body}`;
  const base = { owner: target.owner, repo: target.repo };
  const mine = await findStickyComment(octokit, target);
  if (!mine) {
    const { data } = await octokit.rest.issues.createComment({ ...base, issue_number: target.issueNumber, body: full });
    return { action: 'created', id: data.id, url: data.html_url };
  }
  if (mine.body === full) return { action: 'unchanged', id: mine.id, url: mine.url };
  const { data } = await octokit.rest.issues.updateComment({ ...base, comment_id: mine.id, body: full });
  return { action: 'updated', id: data.id, url: data.html_url };
}

/** The comment carrying the marker on a pull request (every page of its comments searched), if there is one. */
export async function findStickyComment(octokit: Octokit, target: StickyTarget): Promise<{ id: number; url: string; body: string } | undefined> {
  const marker = target.marker ?? PLAN_COMMENT_MARKER;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  const mine = comments.find((c) => (c.body ?? '').startsWith(marker));
  return mine ? { id: mine.id, url: mine.html_url, body: mine.body ?? '' } : undefined;
}
