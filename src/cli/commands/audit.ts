import type { AuditEvent } from '../../audit/audit-event.js';
import { type AuditQuery, parseDuration } from '../../audit/audit-filter.js';
import { searchAudit } from '../../audit/search.js';
import { didYouMean } from '../../config/suggest.js';
import { GroundworkError } from '../../errors.js';
import { openAuditSession } from '../audit-session.js';
import type { CommandContext } from '../context.js';
import { openOrgSession } from '../org-session.js';
import { renderTable } from '../render-table.js';

/** Options of `groundwork audit search`. */
export interface AuditSearchOptions {
  readonly since?: string;
  readonly from?: string;
  readonly to?: string;
  readonly account: string[];
  readonly user: string[];
  readonly event: string[];
  readonly service: string[];
  readonly sourceIp?: string;
  readonly errors?: boolean;
  readonly text?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly follow?: boolean;
}

function table(events: readonly AuditEvent[]): string {
  const rows = [
    ['TIME', 'ENVIRONMENT', 'ACCOUNT', 'PRINCIPAL', 'EVENT', 'REGION', 'SOURCE IP', 'ERROR'],
    ...events.map((e) => [
      e.time,
      e.environment,
      e.accountId,
      e.principal,
      `${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}${e.sample ? ' [sample]' : ''}`,
      e.region,
      e.sourceIp,
      e.errorCode ?? '',
    ]),
  ];
  return renderTable(rows);
}

/** `groundwork audit search`: organization-wide event search, as a table or JSON, paged with a cursor; `--follow` polls for new events. */
export async function auditSearchCommand(ctx: CommandContext, options: AuditSearchOptions): Promise<void> {
  const { audit, idsByName } = await openAuditSession(await openOrgSession(ctx));
  const accounts = options.account.map((name) => {
    const id = idsByName.get(name) ?? (/^\d{12}$/.test(name) ? name : undefined);
    if (!id) throw new GroundworkError('USAGE', `unknown account "${name}"`, { hint: didYouMean(name, [...idsByName.keys()]) });
    return id;
  });
  const now = ctx.now();
  if (options.since && (options.from || options.to))
    throw new GroundworkError('USAGE', '--since cannot be combined with --from/--to', { hint: 'use --since 24h, or --from and --to' });
  const from = options.from ? new Date(options.from) : new Date(now.getTime() - parseDuration(options.since ?? '24h'));
  const to = options.to ? new Date(options.to) : now;
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  const query: AuditQuery = {
    from,
    to,
    accounts,
    principals: options.user,
    eventNames: options.event,
    services: options.service,
    sourceIp: options.sourceIp,
    errorsOnly: options.errors,
    text: options.text,
    limit,
    cursor: options.cursor,
  };
  const page = await searchAudit(audit, query);
  ctx.out.result({ ...page, events: page.events }, () => {
    if (page.events.length === 0) return `No events from ${from.toISOString()} to ${to.toISOString()} match (searched: ${page.source}).`;
    const samples = page.events.filter((e) => e.sample).length;
    return [
      table(page.events),
      '',
      `${page.events.length} event(s), newest first (searched: ${page.source})${samples > 0 ? `; ${samples} marked [sample] are generated SAMPLE DATA, not real activity` : ''}.`,
      ...(page.nextCursor ? [`More: repeat the command with --cursor ${page.nextCursor}`] : []),
    ].join('\n');
  });
  if (!options.follow) return;

  ctx.out.progress('Following new events; Ctrl-C to stop.');
  // CloudTrail records times to the second and delivers events minutes late, so each poll reads a trailing window
  // and prints what it has not printed before, by event ID.
  const lookbackMs = 15 * 60_000;
  const trailing = () => {
    const at = ctx.now();
    return { ...query, from: new Date(at.getTime() - lookbackMs), to: at, cursor: undefined, limit: 1000 };
  };
  let seen = new Set([...page.events, ...(await searchAudit(audit, trailing())).events].map((e) => e.eventId));
  let stopped = false;
  process.once('SIGINT', () => {
    stopped = true;
  });
  while (!stopped) {
    await new Promise((r) => setTimeout(r, 2_000));
    if (stopped) break;
    const window = await searchAudit(audit, trailing());
    const fresh = window.events.filter((e) => !seen.has(e.eventId)).reverse();
    if (seen.size > 100_000) seen = new Set(window.events.map((e) => e.eventId));
    for (const e of fresh) seen.add(e.eventId);
    if (fresh.length === 0) continue;
    if (ctx.out.json) for (const e of fresh) process.stdout.write(`${JSON.stringify(e)}\n`);
    else ctx.out.result(null, () => table(fresh).split('\n').slice(1).join('\n'));
  }
}
