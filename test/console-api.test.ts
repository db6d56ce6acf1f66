import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handle } from 'hono/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchAudit } from '../src/audit/search.js';
import { describeCaller } from '../src/aws/caller.js';
import { CSRF_HEADER, createApp } from '../src/console/server/app.js';
import { ChangeLog } from '../src/console/server/change-log.js';
import { costsOf } from '../src/console/server/costs.js';
import { peopleOf } from '../src/console/server/people.js';
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

const sandbox = useTestEmulator();
const TODAY = new Date('2026-11-26T09:00:00Z');
const SAMPLE_ACCOUNTS = [
  { id: '111111111111', environment: 'prod' },
  { id: '222222222222', environment: 'staging' },
];
const ORIGIN = 'http://127.0.0.1:8080';
const write = (method: string, body?: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('the console API, through app.request(), over the emulator’s Identity Center', () => {
  let app: ReturnType<typeof createApp>;
  const logFile = join(mkdtempSync(join(tmpdir(), 'gw-console-')), 'changes.jsonl');
  const logged: string[] = [];
  let identity: ReturnType<typeof createFoundationContexts>['identity'];
  let environments: () => ReturnType<typeof organizationStatus>;
  let costs: ReturnType<typeof costsOf>;
  let audit: Parameters<typeof createApp>[0]['audit'];

  beforeAll(async () => {
    const config = configWith();
    await applyFoundation(config, sandbox.emulator.clients());
    const contexts = createFoundationContexts(config, sandbox.emulator.clients());
    await prepareIdentity(contexts.org, contexts.identity);
    identity = contexts.identity;
    const csv = join(mkdtempSync(join(tmpdir(), 'gw-console-users-')), 'users.csv');
    writeFileSync(csv, 'username,email,given_name,family_name,display_name,groups\nsample.ana,ana@example.com,Ana,Sample,,Developers\n');
    await importUsers(identity, csv);
    const caller = await describeCaller(sandbox.emulator.clients());
    environments = () => organizationStatus(contexts.org, contexts.identity, caller);
    costs = costsOf({
      sourceFor: () => sampleCostSource(SAMPLE_ACCOUNTS, { today: TODAY }),
      environments: new Map(SAMPLE_ACCOUNTS.map((a) => [a.id, a.environment])),
      budgetsUsd: new Map([['prod', 2000]]),
      now: () => TODAY,
    });
    const accounts = [...contexts.org.registry.accountIds].map(([name, id]) => ({ name, id }));
    await seedSampleActivity(sandbox.emulator.clients(), accounts);
    const byAccount = environmentsByAccountId(config, contexts.org.registry);
    const accountsByEnvironment = new Map<string, string[]>();
    for (const [id, env] of byAccount) accountsByEnvironment.set(env, [...(accountsByEnvironment.get(env) ?? []), id]);
    audit = {
      accountsByEnvironment,
      search: (query) => searchAudit({ clients: sandbox.emulator.clients(), environments: byAccount, logRetentionDays: 30 }, query),
    };
    app = createApp({
      environments,
      costs,
      audit,
      people: peopleOf(identity),
      changes: new ChangeLog(logFile),
      whoami: async () => 'sandbox operator',
      log: (l) => logged.push(l),
    });
  }, 120_000);

  const url = (path: string) => `${ORIGIN}${path}`;

  it('lists the accounts with ID, OU and environment, the access portal and a sign-in shortcut per account and permission set', async () => {
    const response = await app.request(url('/api/environments'));
    expect(response.status).toBe(200);
    const status = (await response.json()) as {
      accounts: { name: string; id: string; organizationalUnit: string; environment: string }[];
      portal: string;
      shortcuts: { account: string; url: string }[];
    };
    expect(status.accounts.find((a) => a.name === 'prod')).toMatchObject({
      organizationalUnit: 'Stage',
      environment: 'prod',
      id: expect.stringMatching(/^\d{12}$/),
    });
    expect(status.portal).toMatch(/^https:\/\/d-\w+\.awsapps\.com\/start$/);
    expect(status.shortcuts.some((s) => s.account === 'prod' && s.url.includes('/start/#/console?account_id='))).toBe(true);
  });

  it('shows costs per environment, marked sample in the sandbox, with how old the figures are, and drills down', async () => {
    const overview = (await (await app.request(url('/api/costs'))).json()) as {
      sample: boolean;
      asOf: string;
      environments: { environment: string; percentOfBudget?: number }[];
    };
    expect(overview.sample).toBe(true);
    expect(overview.asOf).toBe(TODAY.toISOString());
    expect(overview.environments.map((e) => e.environment)).toEqual(['prod', 'staging']);
    expect(overview.environments[0]?.percentOfBudget).toEqual(expect.any(Number));
    const drill = await app.request(url('/api/costs/breakdown?by=service&month=2026-10&env=prod'));
    expect(drill.status).toBe(200);
    const breakdown = (await drill.json()) as { environments: { environment: string; items: { service?: string }[] }[] };
    expect(breakdown.environments).toHaveLength(1);
    expect(breakdown.environments[0]?.items.length).toBeGreaterThan(0);
    for (const [query, message] of [
      ['by=region', /by: Invalid option/],
      ['by=service&month=2026-13', /month: use YYYY-MM/],
      ['by=service&env=qa', /unknown environment "qa"/],
      ['by=day&month=2099-01', /2099-01 is in the future/],
    ] as const) {
      const bad = await app.request(url(`/api/costs/breakdown?${query}`));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('searches every action with filters and token paging; sample events say so', async () => {
    const first = await app.request(url('/api/audit?since=24h&limit=5'));
    expect(first.status).toBe(200);
    const page = (await first.json()) as { events: { eventId: string; sample: boolean; environment: string }[]; nextCursor?: string; source: string };
    expect(page.source).toBe('sandbox');
    expect(page.events).toHaveLength(5);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = (await (await app.request(url(`/api/audit?since=24h&limit=5&cursor=${encodeURIComponent(page.nextCursor as string)}`))).json()) as {
      events: { eventId: string }[];
    };
    expect(next.events.map((e) => e.eventId).filter((id) => page.events.some((e) => e.eventId === id))).toEqual([]);
    const errors = (await (await app.request(url('/api/audit?since=24h&errors=true&env=prod&limit=50'))).json()) as {
      events: { errorCode?: string; environment: string; sample: boolean }[];
    };
    expect(errors.events.length).toBeGreaterThan(0);
    expect(errors.events.every((e) => e.errorCode && e.environment === 'prod' && e.sample)).toBe(true);
    for (const [query, message] of [
      ['since=1h&from=2026-11-01T00:00:00Z', /since cannot be combined with from\/to/],
      ['env=qa', /unknown environment "qa"/],
      ['limit=5000', /limit: Too big/],
      ['errors=yes', /errors: Invalid option/],
    ] as const) {
      const bad = await app.request(url(`/api/audit?${query}`));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('lists people with their groups and access, and the groups', async () => {
    const people = await app.request(url('/api/people'));
    expect(people.status).toBe(200);
    const { users } = (await people.json()) as { users: { username: string; groups: string[] }[] };
    expect(users.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Developers']);
    const { groups } = (await (await app.request(url('/api/groups'))).json()) as { groups: string[] };
    expect(groups).toEqual(expect.arrayContaining(['Developers', 'Operators']));
  });

  it('moves a user between groups, which the Identity Store then shows, and records each change', async () => {
    const added = await app.request(url('/api/people/sample.ana/groups'), write('POST', { group: 'Operators' }));
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ user: 'sample.ana', group: 'Operators', changed: true });
    const removed = await app.request(url('/api/people/sample.ana/groups/Developers'), write('DELETE'));
    expect(await removed.json()).toEqual({ user: 'sample.ana', group: 'Developers', changed: true });
    // What groundwork users list reads: the live Identity Store.
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Operators']);
    const { changes } = (await (await app.request(url('/api/changes'))).json()) as { changes: { action: string; result: string; who: string }[] };
    expect(changes.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'remove-from-group', result: 'changed', who: 'sandbox operator' }),
      expect.objectContaining({ action: 'add-to-group', result: 'changed', who: 'sandbox operator' }),
    ]);
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses cross-site writes with 403 CSRF_REJECTED, including a JSON write from another origin', async () => {
    const crossOrigin = await app.request(
      url('/api/people/sample.ana/groups'),
      write('POST', { group: 'Developers' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    );
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const noHeader = await app.request(url('/api/people/sample.ana/groups'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"group":"Developers"}',
    });
    expect(noHeader.status).toBe(403);
    const formPost = await app.request(url('/api/people/sample.ana/groups'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', [CSRF_HEADER]: '1' },
      body: 'group=Developers',
    });
    expect(formPost.status).toBe(403);
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Operators']);
  });

  it('answers bad input with 400 and what is wrong, an unknown user or group with the hint, and records the failure', async () => {
    const missing = await app.request(url('/api/people/sample.ana/groups'), write('POST', { grup: 'x' }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/Unrecognized key: "grup"|group/);
    const notJson = await app.request(url('/api/people/sample.ana/groups'), write('POST', undefined, { 'content-length': '3' }));
    expect(notJson.status).toBe(400);
    const ghost = await app.request(url('/api/people/nobody/groups'), write('POST', { group: 'Operators' }));
    expect(ghost.status).toBe(400);
    expect(await ghost.json()).toEqual({
      error: { code: 'USAGE', message: 'user "nobody" does not exist', hint: expect.stringContaining('groundwork users import') },
    });
    const { changes } = (await (await app.request(url('/api/changes'))).json()) as { changes: { result: string; target: Record<string, string> }[] };
    expect(changes[0]).toMatchObject({ result: 'failed', target: { user: 'nobody', group: 'Operators' } });
  });

  it('answers an unexpected error with a generic 500 and logs it with the request ID', async () => {
    const broken = createApp({
      environments,
      costs,
      audit,
      people: { ...peopleOf(identity), list: async () => Promise.reject(new TypeError('boom')) },
      changes: new ChangeLog(),
      whoami: async () => 'x',
      log: (l) => logged.push(l),
    });
    const response = await broken.request(url('/api/people'));
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('boom');
    const id = /request (\S+)/.exec(error.message)?.[1] as string;
    expect(logged.some((l) => l.includes(id) && l.includes('TypeError: boom'))).toBe(true);
    expect((await broken.request(url('/api/nothing'))).status).toBe(404);
  });

  it('runs on Lambda behind API Gateway (HTTP API, payload v2)', async () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/groups',
      rawQueryString: '',
      headers: { host: 'console.example.com', accept: 'application/json' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'console.example.com',
        domainPrefix: 'console',
        http: { method: 'GET', path: '/api/groups', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '26/Nov/2026:10:00:00 +0000',
        timeEpoch: 1_795_000_000_000,
      },
      isBase64Encoded: false,
    };
    const result = (await handle(app)(event as never)) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).groups).toEqual(expect.arrayContaining(['Developers']));
  });
});
