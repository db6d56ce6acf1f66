/** Calendar arithmetic on ISO dates (`YYYY-MM-DD`), in UTC, as Cost Explorer counts days. */

/** `2026-11-25T10:00:00Z` → `2026-11-25`. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The day `days` after `day` (negative for before). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDate(date);
}

/** The first day of the month `offset` months after the month of `day`: `monthStart('2026-11-25', -1)` → `2026-10-01`. */
export function monthStart(day: string, offset = 0): string {
  const [year, month] = day.split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** `YYYY-MM` → its first day and the first day of the next month (the exclusive end Cost Explorer takes). */
export function monthPeriod(month: string): { Start: string; End: string } {
  const start = `${month}-01`;
  return { Start: start, End: monthStart(start, 1) };
}

/** True for `YYYY-MM` with a month from 01 to 12. */
export function isMonth(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}
