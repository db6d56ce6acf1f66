import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from './helpers/paths.js';
import { fastFiles } from './node22/vitest.config.js';

describe('the fast part that scripts/test-node22.sh runs on Node 22', () => {
  it('holds the pure test files under src/, and none that needs the emulator, a child process or a browser', () => {
    expect(fastFiles.length).toBeGreaterThan(20);
    expect(fastFiles).toContain('src/clock.test.ts');
    expect(fastFiles).toContain('src/config/load-config.test.ts');
    for (const file of fastFiles) {
      const text = readFileSync(join(SHARED_PATHS.root, file), 'utf8');
      expect({ file, needsMore: /test-emulator|inject\(|child_process|chromium/.test(text) }).toEqual({ file, needsMore: false });
    }
    expect(fastFiles.some((file) => file.startsWith('src/infra/') || file.startsWith('test/'))).toBe(false);
  });
});
