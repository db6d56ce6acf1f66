import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Where the measured per-file durations live (written by `npm run test:durations` from a whole run's JSON report). */
export const DURATIONS_FILE = new URL('./file-durations.json', import.meta.url);

/**
 * Starts the longest test files first, so that the four workers finish together instead of one running the slowest
 * file alone at the end. Vitest does this itself from its cache of the last run, but a fresh clone (CI) has no cache
 * and vitest then starts the largest files first, which are not the slowest (up.test.ts is small and takes minutes).
 * A file's weight is its duration in this machine's last run if vitest has it, else its committed duration
 * (file-durations.json); a file in neither (a new one) goes first, as vitest's own order does with unknown files.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed = readDurations();
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration;
      return cached ?? committed[file] ?? Number.MAX_SAFE_INTEGER;
    };
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}

function readDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}
