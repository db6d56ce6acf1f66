import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { handle } from 'hono/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchAudit } from '../src/audit/search.js';
import { describeCaller } from '../src/aws/caller.js';
import { type ConsoleAccess, IMPORT_BODY_LIMIT, loopbackHosts, newConsoleToken, sessionCookieName } from '../src/console/server/access.js';
import { type ConsoleDeps, CSRF_HEADER, createApp } from '../src/console/server/app.js';
import { ChangeLog } from '../src/console/server/change-log.js';
import { costsOf } from '../src/console/server/costs.js';
import { peopleOf } from '../src/console/server/people.js';
import { REVISION_TAG, readDelivery } from '../src/delivery/deliveries.js';
import { deployService, RUN_URL_TAG } from '../src/delivery/ecs-deploy.js';
import { createFoundationContexts } from '../src/foundation/foundation-kinds.js';
import { organizationStatus } from '../src/foundation/organization-status.js';
import { assignmentKind } from '../src/identity/kinds/assignment-kind.js';
import { importUsers } from '../src/identity/people/import-users.js';
import { listUsers } from '../src/identity/people/list-users.js';
import { prepareIdentity } from '../src/identity/prepare-identity.js';
import { environmentsByAccountId } from '../src/org/read-organization.js';
import { seedSampleActivity } from '../src/sandbox/sample-activity.js';
import { sampleCostSource } from '../src/sandbox/sample-costs.js';
import { createStagingService } from './helpers/delivery-fixtures.js';
import { applyFoundation, configWith } from './helpers/org.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();
// One instant for the whole file, taken from the real clock: the audit events meet the emulator's clock (CloudWatch Logs
// refuses events older than 14 days), and the app, the sample costs and the assertions all read this one.
const TODAY = new Date();
/** `YYYY-MM` of the month `offset` months from TODAY's. */
const month = (offset: number) => new Date(Date.UTC(TODAY.getUTCFullYear(), TODAY.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
const LAST_MONTH = month(-1);
const SAMPLE_ACCOUNTS = [
  { id: '111111111111', environment: 'prod' },
  { id: '222222222222', environment: 'staging' },
];
const ORIGIN = 'http://127.0.0.1:8080';
// The console as `groundwork console` serves it on port 8080: its loopback Host names and a launch's token, whose
// session cookie every request below carries (the access rules themselves are tested at the end and in console-access).
const ACCESS: ConsoleAccess = { token: newConsoleToken(), hosts: () => loopbackHosts(8080) };
const COOKIE = `${sessionCookieName(new URL(ORIGIN))}=${ACCESS.token}`;
const write = (method: string, body?: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1', origin: ORIGIN, 'sec-fetch-site': 'same-origin', cookie: COOKIE, ...headers },
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
  let deliveries: Parameters<typeof createApp>[0]['deliveries'];
  let accountsByEnvironment: Map<string, string[]>;
  const uploadsDir = mkdtempSync(join(tmpdir(), 'gw-console-uploads-'));

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
    await seedSampleActivity(sandbox.emulator.clients(), accounts, { now: () => TODAY });
    const byAccount = environmentsByAccountId(config, contexts.org.registry);
    accountsByEnvironment = new Map<string, string[]>();
    for (const [id, env] of byAccount) accountsByEnvironment.set(env, [...(accountsByEnvironment.get(env) ?? []), id]);
    audit = {
      accountsByEnvironment,
      search: (query) => searchAudit({ clients: sandbox.emulator.clients(), environments: byAccount, logRetentionDays: 30 }, query),
    };
    await createStagingService(sandbox.emulator.clients());
    deliveries = async () => ({
      environments: await Promise.all(
        [
          { environment: 'staging', accountId: caller.accountId, cluster: 'staging', service: 'backend-next' },
          { environment: 'prod', accountId: caller.accountId, cluster: 'prod', service: 'backend-service' },
        ].map((target) => readDelivery({ ecs: sandbox.emulator.clients().create(ECSClient) }, target, { serviceDeploymentsApi: false })),
      ),
    });
    app = createApp(
      {
        environments,
        costs,
        audit,
        people: peopleOf(identity, { uploadsDir }),
        deliveries,
        changes: new ChangeLog(logFile),
        whoami: async () => 'sandbox operator',
        target: 'sandbox',
        log: (l) => logged.push(l),
        now: () => TODAY,
      },
      ACCESS,
    );
  }, 120_000);

  /** A GET of `path` in the signed-in browser: the session cookie, on the console's own Host. */
  const signed = (path: string) => new Request(`${ORIGIN}${path}`, { headers: { cookie: COOKIE } });
  /** The same app over the same emulator, with some of its deps replaced. */
  const appWith = (overrides: Partial<ConsoleDeps>, access: ConsoleAccess = ACCESS) =>
    createApp(
      {
        environments,
        costs,
        audit,
        deliveries,
        people: peopleOf(identity, { uploadsDir }),
        changes: new ChangeLog(),
        whoami: async () => 'sandbox operator',
        target: 'sandbox',
        now: () => TODAY,
        ...overrides,
      },
      access,
    );

  it('lists the accounts with ID, OU and environment, the access portal and a sign-in shortcut per account and permission set', async () => {
    const response = await app.request(signed('/api/environments'));
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
    // Guardrails along each account's path to the root; none bind the management account.
    const guardrails = (name: string) => (status.accounts.find((a) => a.name === name) as unknown as { guardrails: string[] }).guardrails;
    expect(guardrails('prod')).toEqual(expect.arrayContaining(['groundwork-deny-leave-organization', 'groundwork-deny-root-user']));
    expect(guardrails('prod')).not.toContain('FullAWSAccess');
    expect(guardrails('dev')).toEqual(expect.arrayContaining(['groundwork-deny-commitment-purchases']));
    expect(guardrails('prod')).not.toContain('groundwork-deny-commitment-purchases');
    expect(status.accounts.find((a) => a.name === 'management')).toMatchObject({ guardrails: [] });
  });

  it('gives an Identity Center user the sign-in shortcuts they hold, and says whose they are', async () => {
    const viewing = appWith({
      whoami: async () => 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/sample.ana',
      target: 'aws',
      viewer: async () => ({ username: 'sample.ana', access: { dev: ['Developer'], staging: ['ReadOnly'] } }),
    });
    const status = (await (await viewing.request(signed('/api/environments'))).json()) as {
      viewer: string;
      shortcuts: { account: string; permissionSet: string }[];
    };
    expect(status.viewer).toBe('sample.ana');
    expect(status.shortcuts.map((s) => `${s.account}/${s.permissionSet}`).sort()).toEqual(['dev/Developer', 'staging/ReadOnly']);
    const everyone = (await (await app.request(signed('/api/environments'))).json()) as { viewer: null; shortcuts: unknown[] };
    expect(everyone.viewer).toBeNull();
    expect(everyone.shortcuts.length).toBeGreaterThan(2);
  });

  it('shows costs per environment, marked sample in the sandbox, with how old the figures are, and drills down', async () => {
    const overview = (await (await app.request(signed('/api/costs'))).json()) as {
      sample: boolean;
      asOf: string;
      environments: { environment: string; percentOfBudget?: number }[];
    };
    expect(overview.sample).toBe(true);
    expect(overview.asOf).toBe(TODAY.toISOString());
    expect(overview.environments.map((e) => e.environment)).toEqual(['prod', 'staging']);
    expect(overview.environments[0]?.percentOfBudget).toEqual(expect.any(Number));
    const drill = await app.request(signed(`/api/costs/breakdown?by=service&month=${LAST_MONTH}&env=prod`));
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
      const bad = await app.request(signed(`/api/costs/breakdown?${query}`));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('searches every action with filters and token paging; sample events say so', async () => {
    const first = await app.request(signed('/api/audit?since=24h&limit=5'));
    expect(first.status).toBe(200);
    const page = (await first.json()) as { events: { eventId: string; sample: boolean; environment: string }[]; nextCursor?: string; source: string };
    expect(page.source).toBe('sandbox');
    expect(page.events).toHaveLength(5);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = (await (await app.request(signed(`/api/audit?since=24h&limit=5&cursor=${encodeURIComponent(page.nextCursor as string)}`))).json()) as {
      events: { eventId: string }[];
    };
    expect(next.events.map((e) => e.eventId).filter((id) => page.events.some((e) => e.eventId === id))).toEqual([]);
    const errors = (await (await app.request(signed('/api/audit?since=24h&errors=true&env=prod&limit=50'))).json()) as {
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
      const bad = await app.request(signed(`/api/audit?${query}`));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('lists people with their groups and access, and the groups', async () => {
    const people = await app.request(signed('/api/people'));
    expect(people.status).toBe(200);
    const { users } = (await people.json()) as { users: { username: string; groups: string[] }[] };
    expect(users.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Developers']);
    const { groups } = (await (await app.request(signed('/api/groups'))).json()) as {
      groups: { name: string; members: string[]; memberCount: number; access: Record<string, string[]> }[];
    };
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['Developers', 'Operators']));
    const developers = groups.find((g) => g.name === 'Developers') as { members: string[]; memberCount: number };
    expect(developers).toMatchObject({ members: expect.arrayContaining(['sample.ana']), access: { dev: ['Developer'] } });
    expect(developers.memberCount).toBe(developers.members.length);
    const light = (await (await app.request(signed('/api/groups?members=none'))).json()) as {
      groups: { name: string; members: string[]; memberCount: number }[];
    };
    expect(light.groups.find((g) => g.name === 'Developers')).toMatchObject({ members: [], memberCount: developers.memberCount });
    expect((await app.request(signed('/api/groups?members=some'))).status).toBe(400);
    expect(await (await app.request(signed('/api/audit/environments'))).json()).toEqual({ environments: [...accountsByEnvironment.keys()].sort() });
  });

  it('moves a user between groups, which the Identity Store then shows, and records each change', async () => {
    const added = await app.request(signed('/api/people/sample.ana/groups'), write('POST', { group: 'Operators' }));
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ user: 'sample.ana', group: 'Operators', changed: true });
    const removed = await app.request(signed('/api/people/sample.ana/groups/Developers'), write('DELETE'));
    expect(await removed.json()).toEqual({ user: 'sample.ana', group: 'Developers', changed: true });
    // What groundwork users list reads: the live Identity Store.
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Operators']);
    const { changes } = (await (await app.request(signed('/api/changes'))).json()) as { changes: { action: string; result: string; who: string }[] };
    expect(changes.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'remove-from-group', result: 'changed', who: 'sandbox operator' }),
      expect.objectContaining({ action: 'add-to-group', result: 'changed', who: 'sandbox operator' }),
    ]);
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses cross-site writes with 403 CSRF_REJECTED, including a JSON write from another origin', async () => {
    const crossOrigin = await app.request(
      signed('/api/people/sample.ana/groups'),
      write('POST', { group: 'Developers' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    );
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const noHeader = await app.request(signed('/api/people/sample.ana/groups'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: COOKIE },
      body: '{"group":"Developers"}',
    });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const formPost = await app.request(signed('/api/people/sample.ana/groups'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', [CSRF_HEADER]: '1', cookie: COOKIE },
      body: 'group=Developers',
    });
    expect(formPost.status).toBe(403);
    expect(((await formPost.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'sample.ana')?.groups).toEqual(['Operators']);
  });

  it('answers bad input with 400 and what is wrong, an unknown user or group with the hint, and records the failure', async () => {
    const missing = await app.request(signed('/api/people/sample.ana/groups'), write('POST', { grup: 'x' }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/Unrecognized key: "grup"|group/);
    const notJson = await app.request(signed('/api/people/sample.ana/groups'), write('POST', undefined, { 'content-length': '3' }));
    expect(notJson.status).toBe(400);
    const ghost = await app.request(signed('/api/people/nobody/groups'), write('POST', { group: 'Operators' }));
    expect(ghost.status).toBe(400);
    expect(await ghost.json()).toEqual({
      error: { code: 'USAGE', message: 'user "nobody" does not exist', hint: expect.stringContaining('groundwork users import') },
    });
    const { changes } = (await (await app.request(signed('/api/changes'))).json()) as { changes: { result: string; target: Record<string, string> }[] };
    expect(changes[0]).toMatchObject({ result: 'failed', target: { user: 'nobody', group: 'Operators' } });
  });

  it('gives 13 months per environment, and past statements to download as CSV or HTML, marked sample', async () => {
    const history = (await (await app.request(signed('/api/costs/history'))).json()) as {
      sample: boolean;
      months: { month: string; environments: Record<string, { cents: number }> }[];
    };
    expect(history.sample).toBe(true);
    expect(history.months).toHaveLength(13);
    expect(history.months.at(-1)?.month).toBe(month(0));
    expect(history.months[0]?.month).toBe(month(-12));
    // Every month has prod's costs; the current one has none yet on its 1st (the data runs to yesterday).
    const completed = TODAY.getUTCDate() === 1 ? history.months.slice(0, -1) : history.months;
    expect(completed.every((m) => (m.environments.prod?.cents ?? 0) > 0)).toBe(true);
    const csv = await app.request(signed(`/api/costs/statements/${LAST_MONTH}/prod?format=csv`));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="prod-${LAST_MONTH}.csv"`);
    const text = await csv.text();
    expect(text.split('\n')[0]).toMatch(/SAMPLE DATA/);
    expect(text).toMatch(new RegExp(`^prod,${LAST_MONTH},`, 'm'));
    const html = await app.request(signed(`/api/costs/statements/${LAST_MONTH}/staging`));
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    for (const [path, status, message] of [
      [`/api/costs/statements/${month(0)}/prod`, 400, new RegExp(`${month(0)} is not over yet`)],
      [`/api/costs/statements/${LAST_MONTH}/qa`, 400, /unknown environment "qa"/],
      [`/api/costs/statements/${LAST_MONTH}/prod?format=pdf`, 400, /format: Invalid option/],
      ['/api/costs/statements/26-10/prod', 400, /month: use YYYY-MM/],
    ] as const) {
      const bad = await app.request(signed(path));
      expect(bad.status).toBe(status);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('creates a user with groups, refuses a duplicate or a bad e-mail with the reason, and deactivates a user', async () => {
    const created = await app.request(
      signed('/api/people'),
      write('POST', { username: 'new.person', email: 'new.person@example.com', given_name: 'New', family_name: 'Person', groups: ['Developers'] }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ user: 'new.person', groups: ['Developers'] });
    let live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'new.person')).toMatchObject({ groups: ['Developers'], access: { dev: ['Developer'] } });
    // The console's own list shows it at once: a change is applied to the kept read.
    const listed = (await (await app.request(signed('/api/people'))).json()) as { users: { username: string }[] };
    expect(listed.users.some((u) => u.username === 'new.person')).toBe(true);

    const duplicate = await app.request(
      signed('/api/people'),
      write('POST', { username: 'NEW.person', email: 'x@example.com', given_name: 'A', family_name: 'B', groups: [] }),
    );
    expect(duplicate.status).toBe(400);
    expect(((await duplicate.json()) as { error: { message: string } }).error.message).toBe('user "NEW.person" already exists');
    const bad = await app.request(
      signed('/api/people'),
      write('POST', { username: 'bad one', email: 'nope', given_name: '', family_name: 'B', groups: ['Nope'] }),
    );
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { error: { message: string } }).error.message;
    for (const reason of [/username "bad one" has spaces/, /email "nope" is not a valid e-mail address/, /given_name is required/, /Nope/])
      expect(message).toMatch(reason);

    const deactivated = await app.request(signed('/api/people/new.person/deactivate'), write('POST'));
    expect(deactivated.status).toBe(200);
    expect(await deactivated.json()).toEqual({ user: 'new.person', removedFrom: ['Developers'] });
    live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'new.person')).toMatchObject({ groups: [], access: {} });
    const { changes } = (await (await app.request(signed('/api/changes'))).json()) as { changes: { action: string; result: string; summary?: string }[] };
    expect(changes[0]).toMatchObject({ action: 'deactivate-user', result: 'changed', summary: 'removed from 1 group(s)' });
    expect((await app.request(signed('/api/people/ghost/deactivate'), write('POST'))).status).toBe(400);
  });

  it('imports a CSV with the code of users import: valid rows in, each bad row reported by line', async () => {
    const csv = [
      'username,email,given_name,family_name,display_name,groups',
      'bulk.one,bulk.one@example.com,Bulk,One,,Developers',
      'bulk.two,not-an-email,Bulk,Two,,Developers',
      'bulk.three,bulk.three@example.com,Bulk,Three,,Operators;Developers',
    ].join('\n');
    const response = await app.request(signed('/api/people/import'), write('POST', { csv }));
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { created: number; rejected: { line: number; errors: string[] }[] };
    expect(summary).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(summary.rejected).toEqual([{ line: 3, errors: ['email "not-an-email" is not a valid e-mail address'] }]);
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'bulk.three')?.groups).toEqual(['Developers', 'Operators']);
    const again = (await (await app.request(signed('/api/people/import'), write('POST', { csv }))).json()) as { created: number; unchanged: number };
    expect(again).toMatchObject({ created: 0, unchanged: 2 });
    const badHeader = await app.request(signed('/api/people/import'), write('POST', { csv: 'user,mail\nx,y' }));
    expect(badHeader.status).toBe(400);
    const error = ((await badHeader.json()) as { error: { message: string } }).error.message;
    expect(error).toMatch(/^the uploaded file:1: the header must be username,email/);
    expect(error).not.toContain(uploadsDir);
  });

  it('answers a write the caller may not make with 403 naming the missing action, and records it', async () => {
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::111111111111:assumed-role/ReadOnly/ana is not authorized to perform: identitystore:CreateGroupMembership on resource: arn:aws:identitystore::111111111111:identitystore/d-1234567890',
      ),
      { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } },
    );
    const changes = new ChangeLog();
    const readOnly = appWith({
      people: { ...peopleOf(identity, { uploadsDir }), grant: async () => Promise.reject(denied) },
      changes,
      whoami: async () => 'arn:aws:sts::111111111111:assumed-role/ReadOnly/ana',
      target: 'aws',
    });
    const response = await readOnly.request(signed('/api/people/sample.ana/groups'), write('POST', { group: 'Operators' }));
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(`${error.message} ${error.hint}`).toContain('identitystore:CreateGroupMembership');
    expect(changes.list()[0]).toMatchObject({ who: 'arn:aws:sts::111111111111:assumed-role/ReadOnly/ana', action: 'add-to-group', result: 'failed' });
  });

  it('shows what runs in each environment with its digest, commit and run, and says when nothing is deployed', async () => {
    const first = await app.request(signed('/api/deliveries'));
    const before = (await first.json()) as { environments: { environment: string; state: string; current: unknown; deployments: unknown[] }[] };
    expect(first.status).toBe(200);
    expect(before.environments.map((e) => [e.environment, e.state, e.current, e.deployments])).toEqual([
      ['staging', 'not-deployed', null, []],
      ['prod', 'not-deployed', null, []],
    ]);
    const digest = `sha256:${'c'.repeat(64)}`;
    const runUrl = 'https://github.com/example-org/backend-service/actions/runs/42';
    const ecs = sandbox.emulator.clients().create(ECSClient);
    // What deploy-staging does: the next revision, pinned by digest and tagged with its run and commit. moto starts
    // no deployment on UpdateService (the deploy fails honestly), so a service created from that revision stands in.
    const deploy = deployService({
      ecs,
      elb: sandbox.emulator.clients().create(ElasticLoadBalancingV2Client),
      cluster: 'staging',
      service: 'backend',
      containerName: 'app',
      imageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@${digest}`,
      tags: { [RUN_URL_TAG]: runUrl, [REVISION_TAG]: 'a1b2c3d' },
      pollMs: 10,
      sleep: async () => {},
    });
    await expect(deploy).rejects.toThrow(/started no deployment/);
    await ecs.send(new CreateServiceCommand({ cluster: 'staging', serviceName: 'backend-next', taskDefinition: 'backend:2', desiredCount: 1 }));
    const response = await app.request(signed('/api/deliveries'));
    expect(response.status).toBe(200);
    const staging = ((await response.json()) as { environments: Record<string, unknown>[] }).environments.find((e) => e.environment === 'staging') as {
      state: string;
      current: { digest: string; revision: string; runUrl: string; since: string };
      deployments: { engine: string; delivered: { runUrl: string } | null }[];
      notes: string[];
    };
    expect(staging.state).toBe('running');
    expect(staging.current).toMatchObject({ digest, revision: 'a1b2c3d', runUrl, since: expect.any(String) });
    expect(staging.deployments[0]).toMatchObject({ engine: 'ecs', delivered: { runUrl, digest, revision: 'a1b2c3d' } });
    // moto has no ListServiceDeployments: the answer says the history is what the service holds now.
    expect(staging.notes).toEqual([expect.stringContaining('ListServiceDeployments')]);
  });

  it('answers an unexpected error with a generic 500 and logs it with the request ID', async () => {
    const broken = appWith({
      people: { ...peopleOf(identity, { uploadsDir }), list: async () => Promise.reject(new TypeError('boom')) },
      log: (l) => logged.push(l),
    });
    const response = await broken.request(signed('/api/people'));
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('boom');
    const id = /request (\S+)/.exec(error.message)?.[1] as string;
    expect(logged.some((l) => l.includes(id) && l.includes('TypeError: boom'))).toBe(true);
    expect((await broken.request(signed('/api/nothing'))).status).toBe(404);
  });

  /** The review's requests: a page of evil.example rebound to 127.0.0.1, same-origin to the browser, with the console's header and JSON. */
  const rebound = (method: string, path: string, body?: unknown, cookie = COOKIE) =>
    app.request(`http://evil.example:8080${path}`, {
      method,
      headers: {
        host: 'evil.example:8080',
        origin: 'http://evil.example:8080',
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
        [CSRF_HEADER]: '1',
        cookie,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string; hint?: string } }).error;

  it('refuses every request for another Host (DNS rebinding) with 403 HOST_REJECTED, before anything runs, even with a session', async () => {
    const before = (await listUsers(identity, await assignmentKind(identity).read())).find((u) => u.username === 'bulk.one');
    expect(before).toMatchObject({ groups: ['Developers'], email: 'bulk.one@example.com' });
    const csv = 'username,email,given_name,family_name,display_name,groups\nbulk.one,evil@evil.example,Bulk,One,,Developers;Operators\n';
    for (const response of [
      await rebound('POST', '/api/people/bulk.one/groups', { group: 'Operators' }),
      await rebound('POST', '/api/people', { username: 'rebound.user', email: 'r@evil.example', given_name: 'R', family_name: 'U', groups: ['Operators'] }),
      await rebound('POST', '/api/people/import', { csv }),
      await rebound('GET', '/api/people'),
      await rebound('GET', '/api/audit?since=24h'),
      await rebound('GET', '/api/costs'),
      await rebound('POST', '/api/login', { token: ACCESS.token }),
    ]) {
      expect(response.status).toBe(403);
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: 'HOST_REJECTED', message: 'the console does not answer for host "evil.example:8080"' });
      expect(error.hint).toContain('127.0.0.1:8080');
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    const after = await listUsers(identity, await assignmentKind(identity).read());
    expect(after.find((u) => u.username === 'bulk.one')).toMatchObject({ groups: ['Developers'], email: 'bulk.one@example.com' });
    expect(after.some((u) => u.username === 'rebound.user')).toBe(false);
    // A Host header that disagrees with the URL, or a loopback name on another port, is refused as well.
    const forgedHeader = await app.request(signed('/api/people'), { headers: { host: 'evil.example:8080', cookie: COOKIE } });
    expect((await errorOf(forgedHeader)).code).toBe('HOST_REJECTED');
    for (const host of ['127.0.0.1:9090', '127.0.0.1', 'localhost.evil.example:8080']) {
      const response = await app.request(`http://${host}/api/people`, { headers: { cookie: COOKIE } });
      expect([host, response.status]).toEqual([host, 403]);
    }
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST:8080'])
      expect([host, (await app.request(`http://${host}/api/health`, { headers: { host, cookie: COOKIE } })).status]).toEqual([host, 200]);
  });

  it('refuses every /api route without this launch’s session cookie (401): none, a wrong one, another launch’s, the token in the query only', async () => {
    const other = newConsoleToken();
    const name = sessionCookieName(new URL(ORIGIN));
    const cookies: [string, string | undefined][] = [
      ['no cookie', undefined],
      ['a wrong cookie', `${name}=wrong`],
      ['another launch’s cookie', `${name}=${other}`],
      ['the token under another port’s name', `groundwork_console_9090=${ACCESS.token}`],
    ];
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/people'],
      ['GET', '/api/audit?since=24h'],
      ['GET', '/api/costs'],
      ['GET', '/api/session'],
      ['GET', '/api/health'],
      ['GET', '/api/nothing'],
      ['POST', '/api/people/bulk.one/groups', { group: 'Operators' }],
      ['POST', '/api/people/import', { csv: 'username,email,given_name,family_name,display_name,groups\nbulk.one,evil@evil.example,B,O,,Operators\n' }],
    ];
    for (const [label, cookie] of cookies) {
      for (const [method, path, body] of routes) {
        const headers = {
          'content-type': 'application/json',
          [CSRF_HEADER]: '1',
          origin: ORIGIN,
          'sec-fetch-site': 'same-origin',
          ...(cookie ? { cookie } : {}),
        };
        const response = await app.request(`${ORIGIN}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        expect([label, method, path, response.status, (await errorOf(response)).code]).toEqual([label, method, path, 401, 'CONSOLE_UNAUTHENTICATED']);
      }
    }
    // Jupyter's ?token= works on the page's URL only: the API wants the cookie the page traded it for.
    const query = await app.request(`${ORIGIN}/api/people?token=${encodeURIComponent(ACCESS.token)}`);
    expect(query.status).toBe(401);
    const live = await listUsers(identity, await assignmentKind(identity).read());
    expect(live.find((u) => u.username === 'bulk.one')).toMatchObject({ groups: ['Developers'], email: 'bulk.one@example.com' });
  });

  it('trades the launch’s token for an HttpOnly, SameSite=Strict cookie, which then opens the API; a wrong token gets none', async () => {
    const login = (token: string, headers: Record<string, string> = {}) =>
      app.request(`${ORIGIN}/api/login`, write('POST', { token }, { cookie: '', ...headers }));
    const accepted = await login(ACCESS.token);
    expect(accepted.status).toBe(204);
    const setCookie = accepted.headers.get('set-cookie') as string;
    expect(setCookie).toBe(`${sessionCookieName(new URL(ORIGIN))}=${ACCESS.token}; Path=/; HttpOnly; SameSite=Strict`);
    const cookie = setCookie.split(';')[0] as string;
    expect((await app.request(`${ORIGIN}/api/session`, { headers: { cookie } })).status).toBe(200);
    for (const token of ['wrong', newConsoleToken(), `${ACCESS.token}x`, ACCESS.token.slice(0, -1)]) {
      const refused = await login(token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await errorOf(refused)).toMatchObject({ code: 'CONSOLE_UNAUTHENTICATED', message: 'this token is not the one this console printed' });
    }
    // The login is a write like any other: another site cannot sign the browser in either.
    const crossSite = await login(ACCESS.token, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a body over its limit before parsing it: 64 KB on a write, 6 MB on the import (413 BODY_TOO_LARGE)', async () => {
    const big = await app.request(signed('/api/people/bulk.one/groups'), write('POST', { group: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'the request body is over 64 KB' });
    // The import route takes what the 5 MB CSV check needs, and no more.
    const csvHeader = 'username,email,given_name,family_name,display_name,groups\n';
    const fiveMb = await app.request(signed('/api/people/import'), write('POST', { csv: `${csvHeader}${'x'.repeat(5_000_001 - csvHeader.length)}` }));
    expect(fiveMb.status).toBe(400);
    expect((await errorOf(fiveMb)).message).toMatch(/csv: Too big/);
    const sixMb = await app.request(signed('/api/people/import'), write('POST', { csv: 'x'.repeat(6 * 1024 * 1024) }));
    expect(sixMb.status).toBe(413);
    expect(await errorOf(sixMb)).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'the request body is over 6144 KB' });
    // A body of unknown length (a stream, as chunked encoding brings it) is cut off once past the limit, not read whole.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 16_384;
        controller.enqueue(new Uint8Array(16_384).fill(0x20));
        if (pulled >= 250 * 1024 * 1024) controller.close();
      },
    });
    const streamed = await app.request(`${ORIGIN}/api/people/import`, {
      method: 'POST',
      headers: { ...write('POST').headers },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(IMPORT_BODY_LIMIT + 1024 * 1024);
  });

  it('runs on Lambda behind API Gateway (HTTP API, payload v2)', async () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/groups',
      rawQueryString: '',
      headers: { host: 'console.example.com', accept: 'application/json' },
      cookies: [`groundwork_console=${ACCESS.token}`],
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
    // On Lambda the Host is the API's own domain, named by whoever deploys it, and the token a secret it is given
    // (each instance would draw another): the same rules, the cookie marked Secure over HTTPS.
    const onLambda = appWith({}, { token: ACCESS.token, hosts: () => new Set(['console.example.com']) });
    const result = (await handle(onLambda)(event as never)) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['Developers']));
    const signedOut = (await handle(onLambda)({ ...event, cookies: [] } as never)) as { statusCode: number };
    expect(signedOut.statusCode).toBe(401);
    const rebound = (await handle(onLambda)({ ...event, headers: { ...event.headers, host: 'evil.example' } } as never)) as { statusCode: number };
    expect(rebound.statusCode).toBe(403);
    const login = (await handle(onLambda)({
      ...event,
      rawPath: '/api/login',
      cookies: [],
      headers: { ...event.headers, 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify({ token: ACCESS.token }),
      requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST', path: '/api/login' } },
    } as never)) as { statusCode: number; cookies?: string[]; multiValueHeaders?: Record<string, string[]> };
    expect(login.statusCode).toBe(204);
    expect(login.cookies).toEqual([`groundwork_console=${ACCESS.token}; Path=/; HttpOnly; Secure; SameSite=Strict`]);
  });
});
