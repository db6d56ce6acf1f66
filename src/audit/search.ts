import { AthenaClient, GetQueryResultsCommand as GetAthenaResultsCommand, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient, GetQueryResultsCommand, paginateFilterLogEvents, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { isError } from '../aws/aws-error.js';
import type { ClientFactory } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';
import { pollUntil } from '../engine/concurrency.js';
import { GroundworkError } from '../errors.js';
import { type AuditEvent, type CloudTrailRecord, normalizeEvent } from './audit-event.js';
import { type AuditQuery, type CursorPosition, decodeCursor, encodeCursor, queryFingerprint, validateQuery } from './audit-filter.js';
import { AUDIT_DATABASE, AUDIT_TABLE, AUDIT_WORKGROUP, TRAIL_LOG_GROUP } from './audit-names.js';
import { matchesQuery, toAthenaQuery, toLogsInsightsQuery } from './compile-query.js';

/** The trail's log group (CloudWatch Logs copy of the organization trail, and the sandbox's recorder target). */

/** Where a search ran. */
export type AuditSource = 'sandbox' | 'logs-insights' | 'athena';

/** One page of results. */
export interface AuditPage {
  readonly events: readonly AuditEvent[];
  readonly nextCursor?: string;
  readonly source: AuditSource;
}

/** What search needs to know about the organization. */
export interface AuditContext {
  readonly clients: ClientFactory;
  /** Account ID → environment name. */
  readonly environments: ReadonlyMap<string, string>;
  /** Days the log group keeps events; older windows go to Athena. */
  readonly logRetentionDays: number;
  /** The log-archive account (Athena lives there). */
  readonly logArchiveAccountId?: string;
  /** What time it is, to tell whether a window is inside the log retention. @default the system clock */
  readonly now?: Clock;
}

const byNewest = (a: AuditEvent, b: AuditEvent) => b.time.localeCompare(a.time) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** Drops what earlier pages returned, and cuts a page with the cursor for the next. */
export function paginate(events: AuditEvent[], limit: number, query: AuditQuery, position?: CursorPosition): { events: AuditEvent[]; nextCursor?: string } {
  const after = position ? events.filter((e) => e.time < position.before || (e.time === position.before && e.eventId > position.afterId)) : events;
  after.sort(byNewest);
  const page = after.slice(0, limit);
  if (after.length <= limit) return { events: page };
  const last = page[page.length - 1] as AuditEvent;
  return {
    events: page,
    nextCursor: encodeCursor({
      before: last.time,
      afterId: last.eventId,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      query: queryFingerprint(query),
    }),
  };
}

/** Searches organization-wide events: the sandbox's log group, Logs Insights for windows inside the retention, Athena beyond. */
export async function searchAudit(ctx: AuditContext, requested: AuditQuery): Promise<AuditPage> {
  const limit = validateQuery(requested);
  const position = requested.cursor ? decodeCursor(requested.cursor, requested) : undefined;
  // A later page keeps the window of the first one.
  const query = position ? { ...requested, from: new Date(position.from), to: new Date(position.to) } : requested;
  const now = (ctx.now ?? systemClock)();
  if (ctx.clients.settings.target === 'sandbox') {
    const events = await readSandboxEvents(ctx, query);
    return {
      ...paginate(
        events.filter((e) => matchesQuery(e, query)),
        limit,
        query,
        position,
      ),
      source: 'sandbox',
    };
  }
  const retentionStart = now.getTime() - ctx.logRetentionDays * 86_400_000;
  if (query.from.getTime() >= retentionStart) {
    const events = await runLogsInsights(ctx, query, limit, position);
    return { ...paginate(events, limit, query, position), source: 'logs-insights' };
  }
  const events = await runAthena(ctx, query, limit, position);
  return { ...paginate(events, limit, query, position), source: 'athena' };
}

function parseRecord(message: string | undefined): CloudTrailRecord | undefined {
  try {
    const record = JSON.parse(message ?? '') as CloudTrailRecord;
    return record.eventTime && record.eventName ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Every event of the window from the sandbox log group. moto's Logs Insights honours only fields/sort/limit, so filters run in-process. */
async function readSandboxEvents(ctx: AuditContext, query: AuditQuery): Promise<AuditEvent[]> {
  const logs = ctx.clients.create(CloudWatchLogsClient);
  const events: AuditEvent[] = [];
  try {
    for await (const page of paginateFilterLogEvents(
      { client: logs },
      { logGroupName: TRAIL_LOG_GROUP, startTime: query.from.getTime(), endTime: query.to.getTime() },
    )) {
      for (const e of page.events ?? []) {
        const record = parseRecord(e.message);
        if (record) events.push(normalizeEvent(record, ctx.environments));
      }
    }
  } catch (error) {
    if (isError(error, 'ResourceNotFoundException')) return [];
    throw error;
  }
  return events;
}

async function runLogsInsights(ctx: AuditContext, query: AuditQuery, limit: number, position?: CursorPosition): Promise<AuditEvent[]> {
  const logs = ctx.clients.create(CloudWatchLogsClient);
  const queryString = toLogsInsightsQuery(query, limit + 1, position);
  const { queryId } = await logs.send(
    new StartQueryCommand({
      logGroupName: TRAIL_LOG_GROUP,
      startTime: Math.floor(query.from.getTime() / 1000),
      endTime: Math.ceil(query.to.getTime() / 1000),
      queryString,
    }),
  );
  const results = await pollUntil(
    async () => {
      const r = await logs.send(new GetQueryResultsCommand({ queryId }));
      if (r.status === 'Failed' || r.status === 'Cancelled' || r.status === 'Timeout')
        throw new GroundworkError('AWS_REQUEST_FAILED', `the Logs Insights query ended ${r.status}`, { hint: 'narrow the time range and try again' });
      return r.status === 'Complete' ? (r.results ?? []) : undefined;
    },
    { intervalMs: 500, timeoutMs: 5 * 60_000, what: 'the Logs Insights query' },
  );
  return results.flatMap((row) => {
    const record = parseRecord(row.find((f) => f.field === '@message')?.value);
    return record ? [normalizeEvent(record, ctx.environments)] : [];
  });
}

/** Turns Athena result rows (header first) into CloudTrail records. */
export function athenaRowsToRecords(rows: readonly { Data?: { VarCharValue?: string }[] }[]): CloudTrailRecord[] {
  const [header, ...data] = rows;
  const names = (header?.Data ?? []).map((d) => d.VarCharValue ?? '');
  return data.map((row) => {
    const v = (name: string) => row.Data?.[names.indexOf(name)]?.VarCharValue || undefined;
    return {
      eventVersion: v('eventversion'),
      eventTime: v('eventtime') ?? '',
      eventSource: v('eventsource') ?? '',
      eventName: v('eventname') ?? '',
      awsRegion: v('awsregion') ?? '',
      sourceIPAddress: v('sourceipaddress'),
      userAgent: v('useragent'),
      errorCode: v('errorcode'),
      errorMessage: v('errormessage'),
      eventID: v('eventid') ?? '',
      recipientAccountId: v('recipientaccountid'),
      userIdentity: {
        type: v('identity_type'),
        arn: v('identity_arn'),
        userName: v('identity_username'),
        principalId: v('identity_principalid'),
        accountId: v('identity_accountid'),
        invokedBy: v('identity_invokedby'),
      },
    };
  });
}

async function runAthena(ctx: AuditContext, query: AuditQuery, limit: number, position?: CursorPosition): Promise<AuditEvent[]> {
  if (!ctx.logArchiveAccountId) {
    throw new GroundworkError('USAGE', 'searching beyond the log retention needs Athena in the log-archive account, and none is configured', {
      hint: 'set audit.logArchiveAccount, or narrow --since',
    });
  }
  const athena = ctx.clients.create(AthenaClient, { accountId: ctx.logArchiveAccountId });
  const compiled = toAthenaQuery(query, limit + 1, `${AUDIT_DATABASE}.${AUDIT_TABLE}`, position);
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: compiled.sql,
      ExecutionParameters: [...compiled.parameters],
      WorkGroup: AUDIT_WORKGROUP,
      QueryExecutionContext: { Database: AUDIT_DATABASE },
    }),
  );
  await pollUntil(
    async () => {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new GroundworkError('AWS_REQUEST_FAILED', `the Athena query ${state}: ${QueryExecution?.Status?.StateChangeReason ?? ''}`, {
          hint: 'see the query in the groundwork-audit workgroup',
        });
      }
      return state === 'SUCCEEDED' ? true : undefined;
    },
    { intervalMs: 1_000, timeoutMs: 10 * 60_000, what: 'the Athena query' },
  );
  const rows: { Data?: { VarCharValue?: string }[] }[] = [];
  let token: string | undefined;
  do {
    const page = await athena.send(new GetAthenaResultsCommand({ QueryExecutionId, NextToken: token }));
    const pageRows = page.ResultSet?.Rows ?? [];
    rows.push(...pageRows);
    token = page.NextToken;
  } while (token);
  return athenaRowsToRecords(rows).map((r) => normalizeEvent(r, ctx.environments));
}
