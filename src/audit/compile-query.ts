import type { AuditEvent } from './audit-event.js';
import type { AuditQuery, CursorPosition } from './audit-filter.js';
import { eventSourceOf } from './audit-filter.js';

/** A Logs Insights string literal: double-quoted, with backslashes and quotes escaped, and no line breaks. */
export function insightsString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\r\n]/g, ' ')}"`;
}

/** A Presto/Trino string literal for an Athena execution parameter: single quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The Logs Insights query for a search (AWS, windows inside the log group's retention). Every value is a quoted literal. */
export function toLogsInsightsQuery(query: AuditQuery, limit: number, position?: CursorPosition): string {
  const filters: string[] = [];
  const anyOf = (field: string, values: readonly string[] | undefined, map = (v: string) => v) => {
    if (values && values.length > 0) filters.push(`(${values.map((v) => `${field} = ${insightsString(map(v))}`).join(' or ')})`);
  };
  anyOf('recipientAccountId', query.accounts);
  anyOf('eventName', query.eventNames);
  anyOf('eventSource', query.services, eventSourceOf);
  if (query.principals && query.principals.length > 0) {
    filters.push(
      `(${query.principals
        .map(
          (p) =>
            `userIdentity.userName = ${insightsString(p)} or userIdentity.arn like ${insightsString(p)} or userIdentity.principalId like ${insightsString(p)}`,
        )
        .join(' or ')})`,
    );
  }
  if (query.sourceIp) filters.push(`sourceIPAddress = ${insightsString(query.sourceIp)}`);
  if (query.errorsOnly) filters.push('ispresent(errorCode)');
  if (query.text) filters.push(`@message like ${insightsString(query.text)}`);
  if (position) filters.push(`eventTime <= ${insightsString(position.before)}`);
  const lines = [
    'fields @timestamp, @message',
    ...filters.map((f) => `| filter ${f}`),
    '| sort eventTime desc',
    // Events at `before` that earlier pages returned are dropped after the query; fetch enough to cover them.
    `| limit ${position ? Math.min(10_000, limit * 4) : limit}`,
  ];
  return lines.join('\n');
}

/** An Athena query with its execution parameters; the SQL has only `?` where values go. */
export interface AthenaQuery {
  readonly sql: string;
  readonly parameters: readonly string[];
}

const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '/');

/** The Athena SQL for a search over the partition-projected table. Values travel only as execution parameters. */
export function toAthenaQuery(query: AuditQuery, limit: number, table: string, position?: CursorPosition): AthenaQuery {
  const where: string[] = ['date BETWEEN ? AND ?', 'eventtime BETWEEN ? AND ?'];
  const parameters: string[] = [sqlString(day(query.from)), sqlString(day(query.to)), sqlString(query.from.toISOString()), sqlString(query.to.toISOString())];
  const inList = (column: string, values: readonly string[] | undefined, map = (v: string) => v) => {
    if (!values || values.length === 0) return;
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    parameters.push(...values.map((v) => sqlString(map(v))));
  };
  inList('account', query.accounts);
  inList('eventname', query.eventNames);
  inList('eventsource', query.services, eventSourceOf);
  if (query.principals && query.principals.length > 0) {
    where.push(`(${query.principals.map(() => '(useridentity.username = ? OR strpos(useridentity.arn, ?) > 0)').join(' OR ')})`);
    for (const p of query.principals) parameters.push(sqlString(p), sqlString(p));
  }
  if (query.sourceIp) {
    where.push('sourceipaddress = ?');
    parameters.push(sqlString(query.sourceIp));
  }
  if (query.errorsOnly) where.push('errorcode IS NOT NULL');
  if (query.text) {
    where.push('(strpos(requestparameters, ?) > 0 OR strpos(responseelements, ?) > 0 OR strpos(errormessage, ?) > 0 OR strpos(eventname, ?) > 0)');
    parameters.push(...Array.from({ length: 4 }, () => sqlString(query.text as string)));
  }
  if (position) {
    where.push('(eventtime < ? OR (eventtime = ? AND eventid > ?))');
    parameters.push(sqlString(position.before), sqlString(position.before), sqlString(position.afterId));
  }
  const sql = [
    'SELECT eventversion, useridentity.type AS identity_type, useridentity.arn AS identity_arn, useridentity.username AS identity_username,',
    '  useridentity.principalid AS identity_principalid, useridentity.accountid AS identity_accountid, useridentity.invokedby AS identity_invokedby,',
    '  eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode, errormessage, eventid, recipientaccountid',
    `FROM ${table}`,
    `WHERE ${where.join('\n  AND ')}`,
    'ORDER BY eventtime DESC, eventid',
    `LIMIT ${limit}`,
  ].join('\n');
  return { sql, parameters };
}

/** The same filters as an in-process predicate, used by the sandbox over the events of the window. */
export function matchesQuery(event: AuditEvent, query: AuditQuery): boolean {
  const time = Date.parse(event.time);
  if (time < query.from.getTime() || time > query.to.getTime()) return false;
  if (query.accounts?.length && !query.accounts.includes(event.accountId)) return false;
  if (query.eventNames?.length && !query.eventNames.includes(event.eventName)) return false;
  if (query.services?.length && !query.services.map(eventSourceOf).includes(event.eventSource)) return false;
  if (query.principals?.length) {
    const id = event.raw.userIdentity;
    const hit = query.principals.some((p) => id?.userName === p || event.principal === p || (id?.arn ?? '').includes(p) || (id?.principalId ?? '').includes(p));
    if (!hit) return false;
  }
  if (query.sourceIp && event.sourceIp !== query.sourceIp) return false;
  if (query.errorsOnly && !event.errorCode) return false;
  if (query.text && !JSON.stringify(event.raw).includes(query.text)) return false;
  return true;
}
