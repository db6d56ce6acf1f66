import { createHash } from 'node:crypto';
import { GroundworkError } from '../errors.js';

/** What to search for; every field but the window is optional. */
export interface AuditQuery {
  readonly from: Date;
  readonly to: Date;
  /** Account IDs. */
  readonly accounts?: readonly string[];
  /** User name, role session name or principal ARN fragment. */
  readonly principals?: readonly string[];
  readonly eventNames?: readonly string[];
  /** Service short names (`s3`) or event sources (`s3.amazonaws.com`). */
  readonly services?: readonly string[];
  readonly sourceIp?: string;
  readonly errorsOnly?: boolean;
  /** Free text found anywhere in the event. */
  readonly text?: string;
  /** 1-1000. @default 50 */
  readonly limit?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** Where the next page starts: events older than `before`, or at `before` with an event ID after `afterId` (results are ordered by time, newest first, then event ID). */
export interface CursorPosition {
  readonly before: string;
  readonly afterId: string;
  /** The window of the search it continues, so `--since 1h` keeps the same window across pages. */
  readonly from: string;
  readonly to: string;
  /** Fingerprint of the query it belongs to. */
  readonly query: string;
}

/** The longest window one search may cover. */
export const MAX_WINDOW_DAYS = 400;

/** `s3` → `s3.amazonaws.com`; full event sources pass through. */
export function eventSourceOf(service: string): string {
  return service.includes('.') ? service : `${service}.amazonaws.com`;
}

/**
 * A SHA-256 digest of the filters (not the window, cursor or limit) in a canonical form: keys sorted, list filters
 * sorted and de-duplicated (they are sets), empty ones left out. A cursor carries it, so it cannot be replayed against
 * other filters.
 */
export function queryFingerprint(query: AuditQuery): string {
  const { cursor: _cursor, limit: _limit, from: _from, to: _to, ...filters } = query;
  const canonical: [string, unknown][] = [];
  for (const key of Object.keys(filters).sort()) {
    const value = (filters as Record<string, unknown>)[key];
    if (value === undefined || value === false || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) canonical.push([key, [...new Set(value.map(String))].sort()]);
    } else canonical.push([key, value]);
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** Encodes a cursor. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, ...position })).toString('base64url');
}

/** Decodes and checks a cursor; a malformed one, or one from another query, is a clear error. */
export function decodeCursor(cursor: string, query: AuditQuery): CursorPosition {
  let parsed: { v?: number; before?: unknown; afterId?: unknown; from?: unknown; to?: unknown; query?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new GroundworkError('USAGE', `the cursor "${cursor.slice(0, 40)}" is malformed`, {
      hint: 'pass the cursor exactly as the previous page printed it, or leave it out to start over',
    });
  }
  if (
    parsed.v !== 1 ||
    typeof parsed.before !== 'string' ||
    typeof parsed.afterId !== 'string' ||
    typeof parsed.from !== 'string' ||
    typeof parsed.to !== 'string' ||
    typeof parsed.query !== 'string' ||
    Number.isNaN(Date.parse(parsed.before))
  ) {
    throw new GroundworkError('USAGE', `the cursor "${cursor.slice(0, 40)}" is malformed`, {
      hint: 'pass the cursor exactly as the previous page printed it, or leave it out to start over',
    });
  }
  if (parsed.query !== queryFingerprint(query)) {
    throw new GroundworkError('USAGE', 'the cursor belongs to a search with other filters', {
      hint: 'repeat the same filters with the cursor, or leave it out to start over',
    });
  }
  return { before: parsed.before, afterId: parsed.afterId, from: parsed.from, to: parsed.to, query: parsed.query };
}

/** Checks a query: window order and length, limit, cursor. Returns the limit to use. */
export function validateQuery(query: AuditQuery): number {
  if (Number.isNaN(query.from.getTime()) || Number.isNaN(query.to.getTime())) {
    throw new GroundworkError('USAGE', 'the time range has an invalid date', { hint: 'use ISO 8601, e.g. --from 2026-11-01T00:00:00Z, or --since 24h' });
  }
  if (query.from > query.to) {
    throw new GroundworkError('USAGE', `the time range starts (${query.from.toISOString()}) after it ends (${query.to.toISOString()})`, {
      hint: 'swap --from and --to',
    });
  }
  const days = (query.to.getTime() - query.from.getTime()) / 86_400_000;
  if (days > MAX_WINDOW_DAYS) {
    throw new GroundworkError('USAGE', `the time range covers ${Math.ceil(days)} days; at most ${MAX_WINDOW_DAYS} are allowed in one search`, {
      hint: 'narrow --from/--to, or query Athena directly (docs/runbooks/audit.md)',
    });
  }
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new GroundworkError('USAGE', `limit ${query.limit} is out of range`, { hint: 'use 1 to 1000, and the cursor for more' });
  }
  if (query.cursor !== undefined) decodeCursor(query.cursor, query);
  return limit;
}

/** `24h`, `30m`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*(m|h|d)$/.exec(text.trim());
  if (!match) throw new GroundworkError('USAGE', `"${text}" is not a duration`, { hint: 'use minutes, hours or days, e.g. 30m, 24h, 7d' });
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
