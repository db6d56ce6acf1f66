import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { startTestEmulator, type TestEmulator } from './helpers/test-emulator.js';

let emulator: TestEmulator;
let at: string[];
beforeAll(async () => {
  emulator = await startTestEmulator();
  at = ['--endpoint', emulator.endpoint];
});
afterAll(() => emulator.stop());

describe('groundwork audit search', () => {
  it("finds Groundwork's own calls against the sandbox, recorded as CloudTrail events", async () => {
    expect((await cli(['apply', '--yes', ...at])).code).toBe(0);
    const run = await cli(['audit', 'search', '--since', '1h', '--event', 'CreateAccount', '--json', ...at]);
    expect(run.code).toBe(0);
    const page = JSON.parse(run.stdout);
    expect(page.source).toBe('sandbox');
    expect(page.events).toHaveLength(5);
    expect(page.events[0]).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      principal: 'groundwork-operator',
      environment: 'management',
      sample: false,
    });
  });

  it('filters calls made in member accounts by account name', async () => {
    const page = JSON.parse((await cli(['audit', 'search', '--since', '1h', '--account', 'dev', '--json', '--limit', '1000', ...at])).stdout);
    expect(page.events.length).toBeGreaterThan(0);
    expect(
      page.events.every(
        (e: { environment: string; principal: string }) => e.environment === 'dev' && e.principal === 'OrganizationAccountAccessRole/groundwork',
      ),
    ).toBe(true);
  });

  it('prints a readable table with a cursor for the next page', async () => {
    const run = await cli(['audit', 'search', '--since', '1h', '--limit', '3', ...at]);
    expect(run.stdout).toMatch(/^TIME\s+ENVIRONMENT\s+ACCOUNT\s+PRINCIPAL\s+EVENT/);
    expect(run.stdout).toMatch(/3 event\(s\), newest first \(searched: sandbox\)\.\nMore: repeat the command with --cursor \S+/);
  });

  it('rejects bad input with a clear message', async () => {
    for (const [args, pattern] of [
      [['--from', '2026-11-25T10:00:00Z', '--to', '2026-11-24T00:00:00Z'], /starts .* after it ends/],
      [['--limit', '0'], /limit 0 is out of range/],
      [['--account', 'prd'], /unknown account "prd"\nhint: did you mean "prod"\?/],
      [['--cursor', 'zzz'], /the cursor "zzz" is malformed/],
      [['--since', 'yesterday'], /"yesterday" is not a duration/],
    ] as const) {
      const run = await cli(['audit', 'search', ...args, ...at]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(pattern);
    }
  });
});
