import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from './helpers/paths.js';

/** Runs bin/groundwork.js on this Node, told it is `version` (a preload rewrites process.versions.node before the entry point reads it). */
function runAs(version: string, ...args: string[]) {
  const preload = join(mkdtempSync(join(tmpdir(), 'gw-node-version-')), 'as.mjs');
  writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
  return spawnSync(process.execPath, ['--import', preload, SHARED_PATHS.bin, ...args], { encoding: 'utf8', cwd: SHARED_PATHS.root });
}

describe('the CLI on an unsupported Node.js', () => {
  it('refuses Node 20 and 22.11 with the version it found and how to get a supported one, exit 1', () => {
    for (const version of ['20.19.5', '22.11.0']) {
      const result = runAs(version, '--version');
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`groundwork needs Node.js 22.12 or newer (24 recommended); this is Node.js ${version}`);
      expect(result.stderr).toContain('Hint: install Node.js 24');
    }
  });

  it('runs on 22.12, the oldest it supports', () => {
    const result = runAs('22.12.0', '--version');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
