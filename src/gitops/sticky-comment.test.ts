import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandIn } from '../../test/helpers/github-api.js';
import { PLAN_COMMENT_MARKER, upsertStickyComment } from './sticky-comment.js';

describe('upsertStickyComment (the plan comment on a pull request)', () => {
  const api = new GitHubStandIn('acme', 'infra');
  const pr = api.addPull({ head: 'change' }, ['Looks good to me']);
  let octokit: ReturnType<typeof getOctokit>;
  beforeAll(async () => {
    await api.start();
    octokit = getOctokit('ghs_test-token', { baseUrl: api.url });
  });
  afterAll(() => api.close());
  const target = { owner: 'acme', repo: 'infra', issueNumber: pr.number };
  const comments = () => api.comments.get(pr.number) ?? [];

  it('creates the comment once, then edits it on each push, never a second one', async () => {
    const created = await upsertStickyComment(octokit, target, 'Plan: 2 to create');
    expect(created).toMatchObject({ action: 'created', url: comments()[1]?.html_url });
    expect(await upsertStickyComment(octokit, target, 'Plan: 3 to create')).toMatchObject({ action: 'updated', id: created.id });
    expect(await upsertStickyComment(octokit, target, 'Plan: 3 to create')).toMatchObject({ action: 'unchanged', id: created.id });
    expect(comments().filter((c) => c.body.startsWith(PLAN_COMMENT_MARKER))).toHaveLength(1);
    expect(comments()[0]?.body).toBe('Looks good to me');
    expect(comments()[1]?.body).toBe(`${PLAN_COMMENT_MARKER}\nPlan: 3 to create`);
    // What @actions/github sent: a listing before each write, one POST, one PATCH, nothing for an unchanged body.
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/acme/infra/issues/${pr.number}/comments`,
      `POST /repos/acme/infra/issues/${pr.number}/comments`,
      `GET /repos/acme/infra/issues/${pr.number}/comments`,
      `PATCH /repos/acme/infra/issues/comments/${created.id}`,
      `GET /repos/acme/infra/issues/${pr.number}/comments`,
    ]);
    expect(api.requests[1]?.body).toEqual({ body: `${PLAN_COMMENT_MARKER}\nPlan: 2 to create` });
    expect(api.requests.every((r) => r.authorization === 'token ghs_test-token')).toBe(true);
  });
});
