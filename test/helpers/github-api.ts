import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request an action sent to the GitHub API. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization?: string;
  readonly body?: Record<string, unknown>;
}

interface Comment {
  id: number;
  body: string;
  html_url: string;
}
interface PullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged_at: string | null;
  merge_commit_sha: string | null;
  html_url: string;
}

/**
 * A local stand-in for the parts of GitHub's REST API the foundation actions call, for one repository: branches with
 * files (refs, contents), pull requests, their comments, and commits' pull requests. It records every request, so a
 * test asserts what @actions/github sent, and answers as GitHub does (201 on create, 404, 409 on a stale blob, 422 on
 * an existing ref).
 */
export class GitHubStandIn {
  readonly requests: RecordedRequest[] = [];
  /** branch → path → text */
  readonly branches = new Map<string, Map<string, string>>();
  readonly pulls: PullRequest[] = [];
  readonly comments = new Map<number, Comment[]>();
  /** When set, a write to this branch's contents answers 403 (branch protection). */
  protectedBranch?: string;
  /**
   * Tokens that may read but not write, as GitHub answers a job token without the permission (or a fork's pull request
   * token): 403 "Resource not accessible by integration" on any write.
   */
  readonly readOnlyTokens = new Set<string>();
  private server?: Server;
  private nextId = 1000;
  private commits = 0;

  constructor(
    readonly owner: string,
    readonly repo: string,
    files: Record<string, string> = {},
    readonly defaultBranch = 'main',
  ) {
    this.branches.set(defaultBranch, new Map(Object.entries(files)));
  }

  /** The base URL for GITHUB_API_URL. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The environment an action needs to reach this stand-in as its repository. */
  env(event: { name: string; payload: Record<string, unknown>; sha?: string; ref?: string }, eventPath: string): Record<string, string> {
    return {
      GITHUB_API_URL: this.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${this.owner}/${this.repo}`,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: event.sha ?? '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REF: event.ref ?? `refs/heads/${this.defaultBranch}`,
      GITHUB_RUN_ID: '42',
      GITHUB_ACTOR: 'octo-operator',
    };
  }

  /** Adds a pull request (merged or open) with comments, as a test's starting point. */
  addPull(pull: Partial<PullRequest> & { head: string }, comments: string[] = []): PullRequest {
    const number = this.pulls.length + 1;
    const pr: PullRequest = {
      number,
      base: this.defaultBranch,
      title: '',
      body: '',
      state: 'open',
      merged_at: null,
      merge_commit_sha: null,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}`,
      ...pull,
    };
    this.pulls.push(pr);
    this.comments.set(
      number,
      comments.map((body) => this.comment(number, body)),
    );
    return pr;
  }

  private comment(number: number, body: string): Comment {
    const id = this.nextId++;
    return { id, body, html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}#issuecomment-${id}` };
  }

  private blob(text: string): string {
    return createHash('sha1').update(text).digest('hex');
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Octokit encodes a ref's slash (heads%2Fmain), as GitHub accepts it; the stand-in matches decoded paths.
    const pathname = decodeURIComponent(url.pathname);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path: pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(body ? { body } : {}),
    });
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (req.method !== 'GET' && token && this.readOnlyTokens.has(token)) {
      return {
        status: 403,
        body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' },
      };
    }
    const repoPath = `/repos/${this.owner}/${this.repo}`;
    if (!pathname.startsWith(repoPath)) return { status: 404, body: { message: 'Not Found' } };
    const path = pathname.slice(repoPath.length);
    const method = req.method ?? 'GET';
    const route = (verb: string, pattern: RegExp) => (method === verb ? pattern.exec(path) : null);
    let m: RegExpExecArray | null = null;

    m = route('GET', /^\/issues\/(\d+)\/comments$/);
    if (m) return { status: 200, body: this.comments.get(Number(m[1])) ?? [] };
    m = route('POST', /^\/issues\/(\d+)\/comments$/);
    if (m) {
      const comment = this.comment(Number(m[1]), String(body?.body));
      this.comments.set(Number(m[1]), [...(this.comments.get(Number(m[1])) ?? []), comment]);
      return { status: 201, body: comment };
    }
    m = route('PATCH', /^\/issues\/comments\/(\d+)$/);
    if (m) {
      const comment = [...this.comments.values()].flat().find((c) => c.id === Number(m?.[1]));
      if (!comment) return { status: 404, body: { message: 'Not Found' } };
      comment.body = String(body?.body);
      return { status: 200, body: comment };
    }
    m = route('GET', /^\/commits\/([0-9a-f]+)\/pulls$/);
    if (m) {
      return { status: 200, body: this.pulls.filter((p) => p.merge_commit_sha === m?.[1]) };
    }
    if (method === 'GET' && path === '/pulls') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      return {
        status: 200,
        body: this.pulls
          .filter((p) => (state === 'all' || p.state === state) && (!head || `${this.owner}:${p.head}` === head))
          .map((p) => ({ ...p, head: { ref: p.head }, base: { ref: p.base } })),
      };
    }
    if (method === 'POST' && path === '/pulls') {
      if (!this.branches.has(String(body?.head))) return { status: 422, body: { message: 'Validation Failed: head does not exist' } };
      const pr = this.addPull({ head: String(body?.head), base: String(body?.base), title: String(body?.title), body: String(body?.body ?? '') });
      return { status: 201, body: { ...pr, head: { ref: pr.head }, base: { ref: pr.base } } };
    }
    m = route('GET', /^\/git\/ref\/heads\/(.+)$/);
    if (m) {
      const branch = m[1] ?? '';
      if (!this.branches.has(branch)) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: { ref: `refs/heads/${branch}`, object: { sha: this.blob(`branch:${branch}`), type: 'commit' } } };
    }
    if (method === 'POST' && path === '/git/refs') {
      const branch = String(body?.ref).replace(/^refs\/heads\//, '');
      if (this.branches.has(branch)) return { status: 422, body: { message: 'Reference already exists' } };
      this.branches.set(branch, new Map(this.branches.get(this.defaultBranch)));
      return { status: 201, body: { ref: body?.ref, object: { sha: body?.sha } } };
    }
    m = route('PATCH', /^\/git\/refs\/heads\/(.+)$/);
    if (m) {
      const branch = m[1] ?? '';
      this.branches.set(branch, new Map(this.branches.get(this.defaultBranch)));
      return { status: 200, body: { ref: `refs/heads/${branch}`, object: { sha: body?.sha } } };
    }
    m = /^\/contents\/(.+)$/.exec(path);
    if (m) {
      const file = m[1] ?? '';
      const branch = method === 'GET' ? (url.searchParams.get('ref') ?? this.defaultBranch) : String(body?.branch ?? this.defaultBranch);
      const files = this.branches.get(branch);
      if (!files) return { status: 404, body: { message: 'No commit found for the ref' } };
      const current = files.get(file);
      if (method === 'GET') {
        if (current === undefined) return { status: 404, body: { message: 'Not Found' } };
        return {
          status: 200,
          body: { type: 'file', path: file, sha: this.blob(current), content: Buffer.from(current).toString('base64'), encoding: 'base64' },
        };
      }
      if (method === 'PUT') {
        if (this.protectedBranch === branch) return { status: 403, body: { message: 'Protected branch update failed' } };
        if (current !== undefined && body?.sha !== this.blob(current)) return { status: 409, body: { message: `${file} does not match ${String(body?.sha)}` } };
        files.set(file, Buffer.from(String(body?.content), 'base64').toString('utf8'));
        const sha = createHash('sha1')
          .update(`commit ${++this.commits}`)
          .digest('hex');
        return {
          status: current === undefined ? 201 : 200,
          body: { commit: { sha, html_url: `https://github.com/${this.owner}/${this.repo}/commit/${sha}` } },
        };
      }
    }
    return { status: 404, body: { message: `the stand-in does not answer ${method} ${path}` } };
  }
}
