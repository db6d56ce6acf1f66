import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAudit } from '../src/audit/search.js';
import { describeCaller } from '../src/aws/caller.js';
import { loopbackHosts, newConsoleToken, sessionCookieName } from '../src/console/server/access.js';
import { CSRF_HEADER, createApp } from '../src/console/server/app.js';
import { ChangeLog } from '../src/console/server/change-log.js';
import { costsOf } from '../src/console/server/costs.js';
import { listenConsole, type RunningConsole } from '../src/console/server/listen.js';
import { peopleOf } from '../src/console/server/people.js';
import { consoleSite } from '../src/console/server/site.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { organizationStatus } from '../src/foundation/organization-status.js';
import { assignmentKind } from '../src/identity/kinds/assignment-kind.js';
import { importUsers } from '../src/identity/people/import-users.js';
import { listUsers } from '../src/identity/people/list-users.js';
import { prepareIdentity } from '../src/identity/prepare-identity.js';
import { environmentsByAccountId } from '../src/org/read-organization.js';
import { seedSampleActivity } from '../src/sandbox/sample-activity.js';
import { sampleCostSource } from '../src/sandbox/sample-costs.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { useTestEmulator } from './helpers/test-emulator.js';

// The security review's attacks on the console (issue #24), replayed as real HTTP requests to a console listening on
// 127.0.0.1 over the emulator's Identity Center: each must be refused, and the directory read back unchanged.
const sandbox = useTestEmulator();
const TODAY = new Date();
const TOKEN = newConsoleToken();
const CSV_HEADER = 'username,email,given_name,family_name,display_name,groups';
const MB = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Body bytes the client had written when the answer's headers arrived. */
  readonly sentBeforeAnswer: number;
}

/**
 * One HTTP/1.1 request with exactly these headers (Host included). A `stream` body is written in 64 KB chunks, chunked
 * (or under a declared Content-Length), with back-pressure, until the server answers or `stream` bytes are sent.
 */
function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string; stream?: number }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, setHost: false }, (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentBeforeAnswer });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.stream === undefined) {
      req.end(options.body);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const total = options.stream;
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.flushHeaders();
    setImmediate(pump);
  });
}

describe('the console over real HTTP on 127.0.0.1: DNS rebinding, no token, oversized bodies (#24)', () => {
  let running: RunningConsole;
  let port: number;
  let identity: ReturnType<typeof createFoundationContexts>['identity'];
  let cookie: string;
  const hosts = { value: new Set<string>() as ReadonlySet<string> };

  beforeAll(async () => {
    const config = configWith();
    await applyFoundation(config, sandbox.emulator.clients());
    const contexts = createFoundationContexts(config, sandbox.emulator.clients());
    await prepareIdentity(contexts.org, contexts.identity);
    identity = contexts.identity;
    const csv = join(mkdtempSync(join(tmpdir(), 'gw-access-users-')), 'users.csv');
    writeFileSync(csv, `${CSV_HEADER}\nvictim.vera,vera@example.com,Vera,Victim,,Developers\n`);
    await importUsers(identity, csv);
    const caller = await describeCaller(sandbox.emulator.clients());
    const accounts = [...contexts.org.registry.accountIds].map(([name, id]) => ({ name, id }));
    await seedSampleActivity(sandbox.emulator.clients(), accounts, { now: () => TODAY });
    const byAccount = environmentsByAccountId(config, contexts.org.registry);
    const accountsByEnvironment = new Map<string, string[]>();
    for (const [id, env] of byAccount) accountsByEnvironment.set(env, [...(accountsByEnvironment.get(env) ?? []), id]);
    const app = createApp(
      {
        environments: () => organizationStatus(contexts.org, contexts.identity, caller),
        costs: costsOf({
          sourceFor: () => sampleCostSource([{ id: '111111111111', environment: 'prod' }], { today: TODAY }),
          environments: new Map([['111111111111', 'prod']]),
          budgetsUsd: new Map(),
          now: () => TODAY,
        }),
        audit: {
          accountsByEnvironment,
          search: (query) => searchAudit({ clients: sandbox.emulator.clients(), environments: byAccount, logRetentionDays: 30 }, query),
        },
        people: peopleOf(identity, { uploadsDir: mkdtempSync(join(tmpdir(), 'gw-access-uploads-')) }),
        deliveries: async () => ({ environments: [] }),
        changes: new ChangeLog(),
        whoami: async () => 'sandbox operator',
        target: 'sandbox',
        now: () => TODAY,
      },
      { token: TOKEN, hosts: () => hosts.value },
    );
    const webDir = mkdtempSync(join(tmpdir(), 'gw-access-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Groundwork</title><div id="root"></div>');
    // As groundwork console does: listen, then answer the Host names of that port (and one --host name).
    running = await listenConsole(consoleSite(app, webDir), { port: 0, explicit: true });
    port = running.port;
    hosts.value = loopbackHosts(port, ['devbox.internal']);
    cookie = `${sessionCookieName(new URL(running.url))}=${TOKEN}`;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  /** What the console's own page sends on a write. */
  const pageWrite = (extra: Record<string, string> = {}) => ({
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    'sec-fetch-site': 'same-origin',
    'content-type': 'application/json',
    [CSRF_HEADER]: '1',
    ...extra,
  });
  const vera = async () => (await listUsers(identity, await assignmentKind(identity).read())).find((u) => u.username === 'victim.vera');
  const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

  it('answers the page signed in: the token traded at /api/login, then every route with the cookie', async () => {
    const login = await send(port, { method: 'POST', path: '/api/login', headers: pageWrite(), body: JSON.stringify({ token: TOKEN }) });
    expect(login.status).toBe(204);
    expect(login.headers['set-cookie']).toEqual([`${cookie}; Path=/; HttpOnly; SameSite=Strict`]);
    for (const path of ['/api/people', '/api/audit?since=24h&limit=5', '/api/costs']) {
      expect([path, (await send(port, { path, headers: { host: `127.0.0.1:${port}`, cookie } })).status]).toEqual([path, 200]);
    }
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `devbox.internal:${port}`])
      expect([host, (await send(port, { path: '/api/health', headers: { host, cookie } })).status]).toEqual([host, 200]);
  });

  it('refuses the review’s DNS-rebinding requests (Host and Origin evil.example, Sec-Fetch-Site same-origin) with 403, even with a session', async () => {
    const evil = `evil.example:${port}`;
    const rebound = (extra: Record<string, string> = {}) => pageWrite({ host: evil, origin: `http://${evil}`, cookie, ...extra });
    const attacks: [string, Parameters<typeof send>[1]][] = [
      ['add a user to Operators', { method: 'POST', path: '/api/people/victim.vera/groups', headers: rebound(), body: JSON.stringify({ group: 'Operators' }) }],
      [
        'create a user in Operators',
        {
          method: 'POST',
          path: '/api/people',
          headers: rebound(),
          body: JSON.stringify({ username: 'rebound.user', email: 'r@evil.example', given_name: 'Re', family_name: 'Bound', groups: ['Operators'] }),
        },
      ],
      [
        'change an e-mail through the import',
        {
          method: 'POST',
          path: '/api/people/import',
          headers: rebound(),
          body: JSON.stringify({ csv: `${CSV_HEADER}\nvictim.vera,attacker@evil.example,Vera,Victim,,Developers;Operators\n` }),
        },
      ],
      ['read people', { path: '/api/people', headers: rebound() }],
      ['read audit events', { path: '/api/audit?since=24h', headers: rebound() }],
      ['read costs', { path: '/api/costs', headers: rebound() }],
      ['sign in', { method: 'POST', path: '/api/login', headers: rebound({ cookie: '' }), body: JSON.stringify({ token: TOKEN }) }],
      ['load the page', { path: '/', headers: { host: evil } }],
      ['an absolute request target with a forged Host', { path: `http://127.0.0.1:${port}/api/people`, headers: { host: evil, cookie } }],
      ['a loopback name on another port', { path: '/api/people', headers: { host: `127.0.0.1:${port + 1}`, cookie } }],
    ];
    for (const [what, options] of attacks) {
      const answer = await send(port, options);
      expect([what, answer.status, codeOf(answer)]).toEqual([what, 403, 'HOST_REJECTED']);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    expect(await vera()).toMatchObject({ email: 'vera@example.com', groups: ['Developers'] });
    expect((await listUsers(identity, await assignmentKind(identity).read())).some((u) => u.username === 'rebound.user')).toBe(false);
  });

  it('refuses every /api request without the session cookie (401): no token, a wrong one, the token in the query only', async () => {
    const grant = { method: 'POST', path: '/api/people/victim.vera/groups', body: JSON.stringify({ group: 'Operators' }) };
    const cases: [string, Parameters<typeof send>[1]][] = [
      ['no token', { ...grant, headers: pageWrite() }],
      ['a wrong cookie', { ...grant, headers: pageWrite({ cookie: `${sessionCookieName(new URL(running.url))}=${newConsoleToken()}` }) }],
      ['the token as a cookie of another name', { ...grant, headers: pageWrite({ cookie: `groundwork_console=${TOKEN}` }) }],
      ['the token in the query, no cookie', { ...grant, path: `${grant.path}?token=${TOKEN}`, headers: pageWrite() }],
      ['the token as a bearer, no cookie', { ...grant, headers: pageWrite({ authorization: `Bearer ${TOKEN}` }) }],
      ['read people, no token', { path: '/api/people', headers: { host: `127.0.0.1:${port}` } }],
      ['read people, token in the query', { path: `/api/people?token=${TOKEN}`, headers: { host: `127.0.0.1:${port}` } }],
      ['read audit events, no token', { path: '/api/audit?since=24h', headers: { host: `127.0.0.1:${port}` } }],
      ['read costs, no token', { path: '/api/costs', headers: { host: `localhost:${port}` } }],
    ];
    for (const [what, options] of cases) {
      const answer = await send(port, options);
      expect([what, answer.status, codeOf(answer)]).toEqual([what, 401, 'CONSOLE_UNAUTHENTICATED']);
    }
    for (const token of [newConsoleToken(), TOKEN.slice(1), `${TOKEN} `, '']) {
      const login = await send(port, { method: 'POST', path: '/api/login', headers: pageWrite(), body: JSON.stringify({ token }) });
      expect(login.status).toBe(token === '' ? 400 : 401);
      expect(login.headers['set-cookie']).toBeUndefined();
    }
    // The page itself loads without a session (it says which URL to open); the query's token sets no cookie there.
    const page = await send(port, { path: `/?token=${TOKEN}`, headers: { host: `127.0.0.1:${port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(await vera()).toMatchObject({ email: 'vera@example.com', groups: ['Developers'] });
  });

  it('refuses a 250 MB body before reading it: at once by its Content-Length, or a chunked one once past 6 MB, never buffered whole', async () => {
    const declared = await send(port, {
      method: 'POST',
      path: '/api/people/import',
      headers: pageWrite({ cookie, 'content-length': String(250 * MB) }),
      stream: 250 * MB,
    });
    expect([declared.status, codeOf(declared)]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(declared.sentBeforeAnswer).toBeLessThan(8 * MB);
    const chunked = await send(port, {
      method: 'POST',
      path: '/api/people/import',
      headers: pageWrite({ cookie, 'transfer-encoding': 'chunked' }),
      stream: 250 * MB,
    });
    expect([chunked.status, JSON.parse(chunked.body).error]).toEqual([
      413,
      { code: 'BODY_TOO_LARGE', message: 'the request body is over 6144 KB', hint: expect.any(String) },
    ]);
    // The answer came once some 6 MB had arrived (plus what the sockets hold), not after the 250 MB.
    expect(chunked.sentBeforeAnswer).toBeGreaterThan(6 * MB);
    expect(chunked.sentBeforeAnswer).toBeLessThan(32 * MB);
    // Every other route stops at 64 KB.
    const write = await send(port, { method: 'POST', path: '/api/people', headers: pageWrite({ cookie, 'transfer-encoding': 'chunked' }), stream: 250 * MB });
    expect([write.status, codeOf(write)]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(write.sentBeforeAnswer).toBeLessThan(24 * MB);
    // Without a session nothing of the body is read at all.
    const stranger = await send(port, { method: 'POST', path: '/api/people/import', headers: pageWrite({ 'transfer-encoding': 'chunked' }), stream: 250 * MB });
    expect([stranger.status, codeOf(stranger)]).toEqual([401, 'CONSOLE_UNAUTHENTICATED']);
    expect(stranger.sentBeforeAnswer).toBeLessThan(24 * MB);
    // The console still serves.
    expect((await send(port, { path: '/api/health', headers: { host: `127.0.0.1:${port}`, cookie } })).status).toBe(200);
  });
});
