import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { elapsedMs, fixedClock, systemClock } from './clock.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));

/** Every TypeScript source under src/, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('one clock', () => {
  it('a fixed clock answers the same instant every time, as a new Date each call', () => {
    const clock = fixedClock('2028-02-29T23:59:59Z');
    const first = clock();
    first.setUTCFullYear(1999);
    expect(clock().toISOString()).toBe('2028-02-29T23:59:59.000Z');
    expect(() => fixedClock('not a date')).toThrow('fixedClock: "not a date" is not a date');
  });

  it('the system clock is the wall clock; elapsed time only grows', () => {
    expect(Math.abs(systemClock().getTime() - Date.now())).toBeLessThan(5_000);
    const before = elapsedMs();
    expect(elapsedMs()).toBeGreaterThanOrEqual(before);
  });

  it('no domain code or server reads the wall clock itself: only clock.ts, the browser pages and the build script do', () => {
    // The edges that may: the clock itself; the console's pages, which run in the browser on its clock; the web build's stamp.
    const allowed = (file: string) => file === 'clock.ts' || file === 'console/build-web.ts' || file.startsWith('console/web/');
    const readers = sources(SRC)
      .map((file) => relative(SRC, file))
      .filter((file) => !allowed(file))
      .filter((file) => /\bDate\.now\(\)|new Date\(\)/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(readers).toEqual([]);
  });
});
