import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_COMMENT_MARKER, upsertStickyComment } from './sticky-comment.js';

/** A stand-in for the GitHub REST API's issue comments, recording every request @actions/github sends. */
function githubStandIn() {
  const comments: { id: number; body: string; html_url: string; user: { login: string } }[] = [
    { id: 1, body: 'Looks good to me', html_url: 'https://github.com/acme/infra/pull/7#issuecomment-1', user: { login: 'alice' } },
  ];
  const requests: { method: string; url: string; body?: unknown }[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data ? JSON.parse(data) : undefined));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', ...(body ? { body } : {}) });
    res.setHeader('content-type', 'application/json');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/repos/acme/infra/issues/7/comments') return res.end(JSON.stringify(comments));
    if (req.method === 'POST' && url.pathname === '/repos/acme/infra/issues/7/comments') {
      const id = comments.length + 100;
      const created = {
        id,
        body: (body as { body: string }).body,
        html_url: `https://github.com/acme/infra/pull/7#issuecomment-${id}`,
        user: { login: 'github-actions[bot]' },
      };
      comments.push(created);
      res.statusCode = 201;
      return res.end(JSON.stringify(created));
    }
    const edit = url.pathname.match(/^\/repos\/acme\/infra\/issues\/comments\/(\d+)$/);
    const existing = edit && comments.find((c) => c.id === Number(edit[1]));
    if (req.method === 'PATCH' && existing) {
      existing.body = (body as { body: string }).body;
      return res.end(JSON.stringify(existing));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ message: 'Not Found' }));
  });
  return { server, comments, requests };
}

describe('upsertStickyComment (the plan comment on a pull request)', () => {
  const api = githubStandIn();
  let octokit: ReturnType<typeof getOctokit>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => (api.server as Server).listen(0, '127.0.0.1', resolve));
    octokit = getOctokit('ghs_test-token', { baseUrl: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}` });
  });
  afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));
  const target = { owner: 'acme', repo: 'infra', issueNumber: 7 };

  it('creates the comment once, then edits it on each push, never a second one', async () => {
    expect(await upsertStickyComment(octokit, target, 'Plan: 2 to create')).toMatchObject({ action: 'created', id: 101 });
    expect(await upsertStickyComment(octokit, target, 'Plan: 3 to create')).toMatchObject({ action: 'updated', id: 101 });
    expect(await upsertStickyComment(octokit, target, 'Plan: 3 to create')).toMatchObject({ action: 'unchanged', id: 101 });
    expect(api.comments.filter((c) => c.body.startsWith(PLAN_COMMENT_MARKER))).toHaveLength(1);
    expect(api.comments[1]?.body).toBe(`${PLAN_COMMENT_MARKER}\nPlan: 3 to create`);
    // What @actions/github sent: a listing before each write, one POST, one PATCH, nothing for an unchanged body.
    expect(api.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)).toEqual([
      'GET /repos/acme/infra/issues/7/comments',
      'POST /repos/acme/infra/issues/7/comments',
      'GET /repos/acme/infra/issues/7/comments',
      'PATCH /repos/acme/infra/issues/comments/101',
      'GET /repos/acme/infra/issues/7/comments',
    ]);
    expect(api.requests[1]?.body).toEqual({ body: `${PLAN_COMMENT_MARKER}\nPlan: 2 to create` });
  });
});
