import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../clock.js';
import type { CostSource } from './cost-source.js';
import { isoDate, monthStart } from './time.js';

/** Options of {@link cachedCostSource}. */
export interface CostCacheOptions {
  /** Folder of the cache files (one JSON file per request). */
  readonly dir: string;
  /** @default the current time */
  readonly now?: () => Date;
  /** Ask Cost Explorer again even when a fresh answer is cached (the answer is still stored). @default false */
  readonly refresh?: boolean;
}

/** Cost Explorer refreshes its data up to three times a day. */
export const OPEN_PERIOD_TTL_MS = 6 * 3600_000;
/** A month AWS has closed (after the 5th of the next month) no longer changes; a month is long enough. */
export const CLOSED_PERIOD_TTL_MS = 30 * 24 * 3600_000;

/** How long an answer for a period ending on `end` (exclusive) stays fresh, seen on `today`. */
export function ttlFor(end: string | undefined, today: string): number {
  if (!end) return OPEN_PERIOD_TTL_MS;
  const thisMonth = monthStart(today, 0);
  const closedSince = today >= `${thisMonth.slice(0, 8)}06` ? thisMonth : monthStart(today, -1);
  return end <= closedSince ? CLOSED_PERIOD_TTL_MS : OPEN_PERIOD_TTL_MS;
}

/**
 * A cache in front of a cost source: Cost Explorer charges $0.01 per request, and the same views are asked for again
 * and again. Answers are stored per request (a hash of the operation and its input) with the time they were fetched.
 * Open periods stay fresh for 6 hours, closed months for 30 days. `hits` and `misses` count what happened, and
 * `oldestFetchedAt` says how old the oldest answer used was.
 */
export function cachedCostSource(
  inner: CostSource,
  options: CostCacheOptions,
): CostSource & { readonly stats: { hits: number; misses: number; oldestFetchedAt?: string } } {
  const now = options.now ?? systemClock;
  const stats: { hits: number; misses: number; oldestFetchedAt?: string } = { hits: 0, misses: 0 };
  /** The age of what was shown is the age of its oldest answer. */
  const saw = (fetchedAt: string) => {
    if (!stats.oldestFetchedAt || fetchedAt < stats.oldestFetchedAt) stats.oldestFetchedAt = fetchedAt;
  };
  const cached = async <T>(operation: string, input: unknown, end: string | undefined, fetch: () => Promise<T>): Promise<T> => {
    const key = createHash('sha256').update(JSON.stringify({ operation, input })).digest('hex');
    const file = join(options.dir, `${key}.json`);
    const at = now();
    if (!options.refresh) {
      try {
        const entry = JSON.parse(readFileSync(file, 'utf8')) as { fetchedAt: string; answer: T };
        if (at.getTime() - Date.parse(entry.fetchedAt) < ttlFor(end, isoDate(at))) {
          stats.hits++;
          saw(entry.fetchedAt);
          return entry.answer;
        }
      } catch {
        // No entry, or an unreadable one: ask again.
      }
    }
    const answer = await fetch();
    stats.misses++;
    saw(at.toISOString());
    mkdirSync(options.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ fetchedAt: at.toISOString(), operation, answer }));
    renameSync(tmp, file);
    return answer;
  };
  return {
    sample: inner.sample,
    stats,
    getCostAndUsage: (input) => cached('GetCostAndUsage', input, input.TimePeriod?.End, () => inner.getCostAndUsage(input)),
    getCostForecast: (input) => cached('GetCostForecast', input, undefined, () => inner.getCostForecast(input)),
  };
}
