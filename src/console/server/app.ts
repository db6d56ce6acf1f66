import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { z } from 'zod';
import { type AuditQuery, parseDuration } from '../../audit/audit-filter.js';
import type { AuditPage } from '../../audit/search.js';
import { toGroundworkError } from '../../aws/aws-error.js';
import { type Clock, systemClock } from '../../clock.js';
import type { Delivery } from '../../delivery/deliveries.js';
import { GroundworkError } from '../../errors.js';
import type { OrganizationStatus } from '../../foundation/organization-status.js';
import type { ImportSummary } from '../../identity/people/import-users.js';
import type { UserAccess } from '../../identity/people/list-users.js';
import type { NewUser } from '../../identity/people/manage-user.js';
import type { MembershipChange } from '../../identity/people/membership.js';
import type { SecurityPosture } from '../../security/security-posture.js';
import { bodyLimits, type ConsoleAccess, hostGuard, LOGIN_PATH, openSession, sessionGuard } from './access.js';
import type { ChangeLog, ConsoleChange } from './change-log.js';
import type { ConsoleCosts } from './costs.js';

/** What the console's routes call: domain code, opened once for the target; routes make no AWS calls of their own. */
export interface ConsoleDeps {
  /** Accounts with ID, OU, environment and status; the access portal and the sign-in shortcuts. */
  readonly environments: () => Promise<OrganizationStatus>;
  /** GuardDuty and Security Hub per account, with the active high findings; absent where the console has no organization session. */
  readonly security?: () => Promise<SecurityPosture>;
  readonly people: {
    list(): Promise<UserAccess[]>;
    /** Every group with its members and what it is assigned where. */
    groups(): Promise<GroupView[]>;
    grant(user: string, group: string): Promise<MembershipChange>;
    revoke(user: string, group: string): Promise<MembershipChange>;
    create(user: NewUser): Promise<{ user: string; groups: readonly string[] }>;
    deactivate(user: string): Promise<{ user: string; removedFrom: readonly string[] }>;
    /** A users file's content, imported by the same code as `groundwork users import`. */
    importCsv(csv: string): Promise<ImportSummary>;
  };
  /** What runs in each environment with a workload, and its last deployments. */
  readonly deliveries: () => Promise<{ readonly environments: readonly Delivery[] }>;
  readonly costs: ConsoleCosts;
  readonly audit: {
    /** Environment → its account IDs, for the environment filter. */
    readonly accountsByEnvironment: ReadonlyMap<string, readonly string[]>;
    search(query: AuditQuery): Promise<AuditPage>;
  };
  readonly changes: ChangeLog;
  /** Who acts: the caller's identity (AWS) or the sandbox. */
  readonly whoami: () => Promise<string>;
  /** Where the console points: the sandbox (the emulator) or AWS. */
  readonly target: 'sandbox' | 'aws';
  /**
   * The Identity Center user behind the caller (an `AWSReservedSSO_…/user` session), with the permission sets they
   * hold per account; undefined for any other caller. @default none
   */
  readonly viewer?: () => Promise<{ readonly username: string; readonly access: Readonly<Record<string, readonly string[]>> } | undefined>;
  /** Where the unexpected errors go, with their request ID. @default stderr */
  readonly log?: (line: string) => void;
  /** What time it is: the current month, the audit window, when a change was made. @default the system clock */
  readonly now?: Clock;
}

/** A group as the People page shows it. */
export interface GroupView {
  readonly name: string;
  readonly memberCount: number;
  /** Empty with `?members=none`. */
  readonly members: readonly string[];
  /** Account name → permission set names assigned to the group there. */
  readonly access: Readonly<Record<string, readonly string[]>>;
}

/** The header every write must carry: a page of another site cannot set it without a CORS preflight, which never passes. */
export const CSRF_HEADER = 'x-groundwork-console';

type Variables = { requestId: string };

const STATUS: Partial<Record<string, 400 | 401 | 403 | 404 | 413 | 503>> = {
  USAGE: 400,
  CONFIG_INVALID: 400,
  CONSOLE_UNAUTHENTICATED: 401,
  HOST_REJECTED: 403,
  CSRF_REJECTED: 403,
  BODY_TOO_LARGE: 413,
  AWS_ACCESS_DENIED: 403,
  AWS_RESOURCE_NOT_FOUND: 404,
  IDENTITY_CENTER_NOT_ENABLED: 503,
  EMULATOR_NOT_RUNNING: 503,
};

const Login = z.strictObject({ token: z.string().min(1).max(256) });
const GroupChange = z.strictObject({ group: z.string().min(1).max(128) });
const field = z.string().max(1024);
const CreateUser = z.strictObject({
  username: field,
  email: field,
  given_name: field,
  family_name: field,
  display_name: field.default(''),
  groups: z.array(z.string().min(1).max(128)).max(100).default([]),
});
/** 5 MB of CSV: some 50,000 people. */
const ImportCsv = z.strictObject({ csv: z.string().min(1).max(5_000_000) });
const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined,
  );
const AuditSearch = z.strictObject({
  since: z.string().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  env: list,
  user: list,
  event: list,
  service: list,
  errors: z.enum(['true', 'false']).optional(),
  text: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().optional(),
});
const Statement = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'use YYYY-MM'),
  env: z.string().min(1),
  format: z.enum(['html', 'csv']),
});
const Breakdown = z.strictObject({
  by: z.enum(['service', 'usage-type', 'day']),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'use YYYY-MM')
    .optional(),
  env: z.string().optional(),
});

type Outcome = Pick<ConsoleChange, 'result' | 'summary'>;
const membershipOutcome = (r: MembershipChange): Outcome => ({ result: r.changed ? 'changed' : 'unchanged' });

/**
 * The writes' guard against cross-site requests. Hono's `csrf` middleware lets `application/json` through, so every
 * write here must be JSON-typed (when it has a body), carry the console's own header, and, when the browser says
 * where it comes from (`Sec-Fetch-Site`, `Origin`), come from this very origin.
 */
function sameOriginWrite(request: Request): string | undefined {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `a ${site} request may not change anything`;
  const origin = request.headers.get('origin');
  if (origin && origin !== new URL(request.url).origin) return `origin ${origin} may not change anything here`;
  if (request.headers.get(CSRF_HEADER) !== '1') return `a write needs the ${CSRF_HEADER}: 1 header`;
  const hasBody = request.headers.get('content-length') !== null && request.headers.get('content-length') !== '0';
  if ((hasBody || request.method === 'POST') && !request.headers.get('content-type')?.startsWith('application/json')) {
    return 'a write needs Content-Type: application/json';
  }
  return undefined;
}

/**
 * The operator console's API as a Hono app: the same app runs on `@hono/node-server` and on Lambda (`hono/aws-lambda`).
 * Before any route: a `Host` outside `access.hosts` is refused (403 HOST_REJECTED, every path), an `/api` request
 * without the launch's session cookie (401 CONSOLE_UNAUTHENTICATED; `POST /api/login` trades the token for it), a
 * cross-site write (403 CSRF_REJECTED), a body over its limit before it is parsed (413 BODY_TOO_LARGE).
 * One error shape, `{"error":{"code","message"}}`: a GroundworkError answers with its status (403 names the missing
 * action), anything else a generic 500 whose request ID is logged. Every change is recorded: who, what, when, result.
 */
export function createApp(deps: ConsoleDeps, access: ConsoleAccess): Hono<{ Variables: Variables }> {
  const app = new Hono<{ Variables: Variables }>();
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = deps.now ?? systemClock;
  const currentMonth = () => now().toISOString().slice(0, 7);
  app.use(requestId());
  app.use(hostGuard(access));
  app.use('/api/*', sessionGuard(access));
  app.use('/api/*', async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const refused = sameOriginWrite(c.req.raw);
      if (refused) throw new GroundworkError('CSRF_REJECTED', refused, { hint: 'change things from the console page itself; scripts use the groundwork CLI' });
    }
    await next();
  });
  app.use('/api/*', bodyLimits());

  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: { code: 'USAGE', message: error.message } }, error.status);
    const mapped = error instanceof GroundworkError ? error : toGroundworkError(error);
    const status = STATUS[mapped.code];
    if (status) return c.json({ error: { code: mapped.code, message: mapped.message, ...(mapped.hint ? { hint: mapped.hint } : {}) } }, status);
    log(`console: request ${c.get('requestId')} failed: ${(error as Error).stack ?? String(error)}`);
    return c.json({ error: { code: 'INTERNAL', message: `something went wrong; the server log has request ${c.get('requestId')}` } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  const body = async <T extends z.ZodType>(request: Request, schema: T, hint: string): Promise<z.output<T>> => {
    let raw: unknown;
    try {
      raw = await request.json();
    } catch {
      throw new GroundworkError('USAGE', 'the body is not JSON', { hint: 'send a JSON object' });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new GroundworkError('USAGE', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), {
        hint,
      });
    }
    return parsed.data;
  };

  /** Runs a change and records it, whatever its outcome. */
  const recorded = async <R>(requestId: string, action: string, target: Record<string, string>, change: () => Promise<R>, outcome: (r: R) => Outcome) => {
    const who = await deps.whoami();
    const at = now().toISOString();
    try {
      const result = await change();
      deps.changes.record({ at, who, action, target, ...outcome(result), requestId });
      return result;
    } catch (error) {
      deps.changes.record({ at, who, action, target, result: 'failed', error: (error as Error).message, requestId });
      throw error;
    }
  };

  const knownEnvironment = (env: string) => {
    if (!deps.costs.environments.includes(env)) {
      throw new GroundworkError('USAGE', `unknown environment "${env}"`, { hint: `one of ${deps.costs.environments.join(', ')}` });
    }
  };

  app.post(LOGIN_PATH, async (c) => {
    const { token } = await body(c.req.raw, Login, 'open the URL with the token that groundwork console printed');
    openSession(c, access, token);
    return c.body(null, 204);
  });
  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  app.get('/api/session', async (c) => c.json({ target: deps.target, caller: await deps.whoami() }));
  app.get('/api/environments', async (c) => {
    const [status, viewer] = await Promise.all([deps.environments(), deps.viewer?.()]);
    // An Identity Center user sees the shortcuts they can use; any other caller, every shortcut the config defines.
    const shortcuts = viewer ? status.shortcuts.filter((s) => viewer.access[s.account]?.includes(s.permissionSet)) : status.shortcuts;
    return c.json({ ...status, shortcuts, viewer: viewer?.username ?? null });
  });
  app.get('/api/security', async (c) => {
    if (!deps.security) return c.json({ error: { code: 'NOT_FOUND', message: 'this console reads no security services' } }, 404);
    return c.json({ ...(await deps.security()), target: deps.target });
  });
  app.get('/api/costs', async (c) => c.json(await deps.costs.overview()));
  app.get('/api/costs/history', async (c) => c.json(await deps.costs.history()));
  app.get('/api/costs/statements/:month/:env', async (c) => {
    const parsed = Statement.safeParse({ ...c.req.param(), format: c.req.query('format') ?? 'html' });
    if (!parsed.success) {
      throw new GroundworkError('USAGE', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), {
        hint: 'ask for /api/costs/statements/YYYY-MM/ENV?format=html|csv',
      });
    }
    const { month, env, format } = parsed.data;
    if (month >= currentMonth())
      throw new GroundworkError('USAGE', `${month} is not over yet`, { hint: 'statements are for past months; the current month is on the Costs page' });
    knownEnvironment(env);
    const statement = await deps.costs.statement(month, env, format);
    if (!statement) throw new GroundworkError('AWS_RESOURCE_NOT_FOUND', `no statement for ${env} in ${month}`, { hint: 'pick another month' });
    return c.body(statement.body, 200, {
      'content-type': statement.contentType,
      'content-disposition': `attachment; filename="${statement.fileName}"`,
    });
  });
  app.get('/api/costs/breakdown', async (c) => {
    const parsed = Breakdown.safeParse(c.req.query());
    if (!parsed.success) {
      throw new GroundworkError('USAGE', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), {
        hint: 'ask for ?by=service|usage-type|day, optionally &month=YYYY-MM and &env=NAME',
      });
    }
    const { by, month = currentMonth(), env } = parsed.data;
    if (month > currentMonth()) throw new GroundworkError('USAGE', `${month} is in the future`, { hint: 'ask for this month or an earlier one' });
    if (env) knownEnvironment(env);
    return c.json(await deps.costs.breakdown({ by, month, environment: env }));
  });
  app.get('/api/audit/environments', (c) => c.json({ environments: [...deps.audit.accountsByEnvironment.keys()].sort() }));
  app.get('/api/audit', async (c) => {
    const parsed = AuditSearch.safeParse(c.req.query());
    if (!parsed.success) {
      throw new GroundworkError('USAGE', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), {
        hint: 'filters: since (such as 1h) or from and to (ISO 8601), env, user, event, service (comma-separated), errors=true, text, limit (1-1000), cursor',
      });
    }
    const q = parsed.data;
    if (q.since && (q.from || q.to)) throw new GroundworkError('USAGE', 'since cannot be combined with from/to', { hint: 'use since=24h, or from and to' });
    const unknown = (q.env ?? []).filter((e) => !deps.audit.accountsByEnvironment.has(e));
    if (unknown.length > 0) {
      throw new GroundworkError('USAGE', `unknown environment ${unknown.map((e) => `"${e}"`).join(', ')}`, {
        hint: `one of ${[...deps.audit.accountsByEnvironment.keys()].join(', ')}`,
      });
    }
    const at = now();
    return c.json(
      await deps.audit.search({
        from: q.from ? new Date(q.from) : new Date(at.getTime() - parseDuration(q.since ?? '24h')),
        to: q.to ? new Date(q.to) : at,
        accounts: q.env?.flatMap((e) => deps.audit.accountsByEnvironment.get(e) ?? []),
        principals: q.user,
        eventNames: q.event,
        services: q.service,
        errorsOnly: q.errors === 'true',
        text: q.text,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      }),
    );
  });
  app.get('/api/people', async (c) => c.json({ users: await deps.people.list() }));
  app.get('/api/groups', async (c) => {
    const members = c.req.query('members') ?? 'all';
    if (members !== 'all' && members !== 'none')
      throw new GroundworkError('USAGE', `members: "${members}" is not all or none`, { hint: 'ask for ?members=none for names and counts only' });
    const groups = await deps.people.groups();
    return c.json({ groups: members === 'all' ? groups : groups.map((g) => ({ ...g, members: [] })) });
  });
  app.post('/api/people/:user/groups', async (c) => {
    const user = c.req.param('user');
    const { group } = await body(c.req.raw, GroupChange, 'send {"group": "NAME"}');
    return c.json(await recorded(c.get('requestId'), 'add-to-group', { user, group }, () => deps.people.grant(user, group), membershipOutcome));
  });
  app.delete('/api/people/:user/groups/:group', async (c) => {
    const { user, group } = c.req.param();
    return c.json(await recorded(c.get('requestId'), 'remove-from-group', { user, group }, () => deps.people.revoke(user, group), membershipOutcome));
  });
  app.post('/api/people', async (c) => {
    const user = await body(c.req.raw, CreateUser, 'send {"username","email","given_name","family_name","display_name","groups":[...]}');
    const created = await recorded(
      c.get('requestId'),
      'create-user',
      { user: user.username, groups: user.groups.join(';') },
      () => deps.people.create({ ...user, groups: user.groups.join(';') }),
      () => ({ result: 'changed', summary: 'created' }),
    );
    return c.json(created, 201);
  });
  app.post('/api/people/:user/deactivate', async (c) => {
    const user = c.req.param('user');
    return c.json(
      await recorded(
        c.get('requestId'),
        'deactivate-user',
        { user },
        () => deps.people.deactivate(user),
        (r) => ({ result: r.removedFrom.length > 0 ? 'changed' : 'unchanged', summary: `removed from ${r.removedFrom.length} group(s)` }),
      ),
    );
  });
  app.post('/api/people/import', async (c) => {
    const { csv } = await body(c.req.raw, ImportCsv, 'send {"csv": "username,email,given_name,family_name,display_name,groups\\n..."}');
    return c.json(
      await recorded(
        c.get('requestId'),
        'import-users',
        { rows: String(Math.max(0, csv.trim().split('\n').length - 1)) },
        () => deps.people.importCsv(csv),
        (r) => ({
          result: r.created + r.updated > 0 ? 'changed' : 'unchanged',
          summary: `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected.length} rejected`,
        }),
      ),
    );
  });
  app.get('/api/deliveries', async (c) => c.json(await deps.deliveries()));
  app.get('/api/changes', (c) => c.json({ changes: deps.changes.list() }));
  return app;
}
