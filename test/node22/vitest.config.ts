import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The suite's fast part, for scripts/test-node22.sh: every test file under src/ that runs in this process alone (no
 * emulator, no child process, no browser), found by what it imports so that a new pure test joins by itself. The CDK
 * stack tests are left out: synthesis is slow and runs on Node 24 in the full suite.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const needsMore = /emulator|inject\(|fork-server|node24|chromium|playwright|child_process|spawn|execFile/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

export const fastFiles = testFiles(join(root, 'src'))
  .map((file) => relative(root, file))
  .filter((file) => !file.startsWith('src/infra/') && !needsMore.test(readFileSync(join(root, file), 'utf8')))
  .sort();

export default defineConfig({
  root,
  test: {
    include: fastFiles,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
