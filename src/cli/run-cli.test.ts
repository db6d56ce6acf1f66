import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/helpers/run-cli.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-cli-')), 'groundwork.yaml');
  writeFileSync(file, text);
  return file;
}

describe('groundwork validate', () => {
  it('exits 0 on the shipped config', async () => {
    const run = await cli(['validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/groundwork\.yaml is valid: 4 OUs, 6 accounts/);
  });

  it('prints every error with its position, exit 1, and no stack trace', async () => {
    const file = configFile('organization:\n  homeRegon: x\n  acounts: []\n');
    const run = await cli(['validate', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/:2:3 organization\.homeRegon: unknown key "homeRegon" \(did you mean "homeRegion"\?\)/);
    expect(run.stderr).toMatch(/:3:3 organization\.acounts: unknown key "acounts" \(did you mean "accounts"\?\)/);
    expect(run.stderr).toMatch(/^hint: /m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('shows the stack trace with --verbose', async () => {
    const run = await cli(['validate', '--config', '/nonexistent.yaml', '--verbose']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('puts only JSON on stdout with --json, errors included', async () => {
    const ok = await cli(['validate', '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, accounts: 6 });
    const bad = await cli(['validate', '--json', '--config', '/nonexistent.yaml']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      error: { code: 'CONFIG_NOT_FOUND', message: 'config file not found: /nonexistent.yaml', hint: expect.any(String), details: [] },
    });
  });

  it('reports tabs, duplicate keys and wrong types through the CLI', async () => {
    for (const [text, pattern] of [
      ['organization:\n\thomeRegion: x\n', /:2:1 \(root\): tab used for indentation/],
      ['audit: {}\naudit: {}\n', /:2:1 \(root\): duplicate key/],
      ['audit:\n  cloudWatchLogsRetentionDays: lots\n', /:2:32 audit\.cloudWatchLogsRetentionDays: expected number, got string "lots"/],
      ['', /:1:1 \(root\): the file is empty/],
    ] as const) {
      const run = await cli(['validate', '--config', configFile(text)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(pattern);
    }
  });
});

describe('usage errors', () => {
  it('rejects an unknown command with exit 1 and a hint', async () => {
    const run = await cli(['frobnicate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: unknown command 'frobnicate'\nhint: see `groundwork --help`/);
  });

  it('rejects a bad --target value', async () => {
    const run = await cli(['validate', '--target', 'prod']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--target.*'prod' is invalid/);
  });

  it('prints help for every command with exit 0', async () => {
    for (const args of [['--help'], ['validate', '--help'], ['emulator', 'start', '--help'], ['synth', '--help'], ['up', '--help']]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: groundwork/);
    }
  });

  it('reports an emulator that is not running when a sandbox command needs it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gw-home-'));
    const run = await cli(['emulator', 'status', '--json'], { ...process.env, GROUNDWORK_HOME: home, AWS_ENDPOINT_URL: '' });
    expect(JSON.parse(run.stdout)).toEqual({ running: false, endpoint: 'http://127.0.0.1:4566' });
  });
});

describe('groundwork auth import', () => {
  it('refuses flags that do not fit the method before any AWS call, saying which fits', async () => {
    const sandboxJob = await cli(['auth', 'import', 'examples/auth-users.csv', '--env', 'staging', '--method', 'job']);
    expect(sandboxJob.code).toBe(1);
    expect(sandboxJob.stderr).toMatch(/the sandbox emulator \(moto\) has no Cognito user import jobs/);
    const rate = await cli(['auth', 'import', 'examples/auth-users.csv', '--env', 'staging', '--target', 'aws', '--method', 'job', '--rate', '5']);
    expect(rate.code).toBe(1);
    expect(rate.stderr).toMatch(/--rate applies to --method admin/);
    const tooFast = await cli(['auth', 'import', 'examples/auth-users.csv', '--env', 'staging', '--method', 'admin', '--rate', '80']);
    expect(tooFast.stderr).toMatch(/--rate 80 is out of range\nhint: use 1 to 50 calls per second/);
  });
});

describe('groundwork console --host', () => {
  it('refuses a value that is not a host name before starting anything', async () => {
    for (const value of ['*', 'evil example', 'http://devbox', 'devbox:99999', '']) {
      const run = await cli(['console', '--host', value]);
      expect([value, run.code]).toEqual([value, 1]);
      expect(run.stderr).toContain(`"${value}" is not a host name; use NAME or NAME:PORT`);
    }
  });
});
