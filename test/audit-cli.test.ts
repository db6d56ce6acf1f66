import { describe, expect, it } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

describe('groundwork audit search', () => {
  it("finds Groundwork's own calls against the sandbox, recorded as CloudTrail events", async () => {
    expect((await cli(['apply', '--yes', ...sandbox.at])).code).toBe(0);
    const run = await cli(['audit', 'search', '--since', '1h', '--event', 'CreateAccount', '--json', ...sandbox.at]);
    expect(run.code).toBe(0);
    const page = JSON.parse(run.stdout);
    expect(page.source).toBe('sandbox');
    // One per member account groundwork.yaml declares: log-archive, security, cicd, dev, staging and prod.
    expect(page.events).toHaveLength(6);
    expect(page.events[0]).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      principal: 'groundwork-operator',
      environment: 'management',
      sample: false,
    });
  });

  it('filters calls made in member accounts by account name', async () => {
    const page = JSON.parse((await cli(['audit', 'search', '--since', '1h', '--account', 'dev', '--json', '--limit', '1000', ...sandbox.at])).stdout);
    expect(page.events.length).toBeGreaterThan(0);
    expect(
      page.events.every(
        (e: { environment: string; principal: string }) => e.environment === 'dev' && e.principal === 'OrganizationAccountAccessRole/groundwork',
      ),
    ).toBe(true);
  });

  it('prints a readable table with a cursor for the next page', async () => {
    const run = await cli(['audit', 'search', '--since', '1h', '--limit', '3', ...sandbox.at]);
    expect(run.stdout).toMatch(/^TIME\s+ENVIRONMENT\s+ACCOUNT\s+PRINCIPAL\s+EVENT/);
    expect(run.stdout).toMatch(/3 event\(s\), newest first \(searched: sandbox\)\.\nMore: repeat the command with --cursor \S+/);
  });

  it('refuses a cursor from --account dev when the search is for --account staging', async () => {
    const first = JSON.parse((await cli(['audit', 'search', '--since', '1h', '--account', 'dev', '--limit', '1', '--json', ...sandbox.at])).stdout);
    expect(first.nextCursor).toEqual(expect.any(String));
    const same = await cli(['audit', 'search', '--since', '1h', '--account', 'dev', '--limit', '1', '--cursor', first.nextCursor, '--json', ...sandbox.at]);
    expect(same.code).toBe(0);
    const other = await cli(['audit', 'search', '--since', '1h', '--account', 'staging', '--limit', '1', '--cursor', first.nextCursor, ...sandbox.at]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/the cursor belongs to a search with other filters/);
  });

  it('rejects bad input with a clear message', async () => {
    for (const [args, pattern] of [
      [['--from', '2026-11-25T10:00:00Z', '--to', '2026-11-24T00:00:00Z'], /starts .* after it ends/],
      [['--limit', '0'], /limit 0 is out of range/],
      [['--account', 'prd'], /unknown account "prd"\nhint: did you mean "prod"\?/],
      [['--cursor', 'zzz'], /the cursor "zzz" is malformed/],
      [['--since', 'yesterday'], /"yesterday" is not a duration/],
    ] as const) {
      const run = await cli(['audit', 'search', ...args, ...sandbox.at]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(pattern);
    }
  });
});

describe('groundwork audit search --follow', () => {
  it('prints events as they arrive, until interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
    const { writeTrailRecords } = await import('../src/sandbox/trail-recorder.js');
    const { SHARED_PATHS } = await import('./helpers/paths.js');
    const child = spawn(process.execPath, [SHARED_PATHS.bin, 'audit', 'search', '--since', '5m', '--event', 'FollowMe', '--follow', ...sandbox.at], {
      cwd: SHARED_PATHS.root,
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    let exited = false;
    child.on('exit', () => (exited = true));
    // A deadline for a loaded machine (the CLI's start-up alone can take many seconds there), not a timed assertion.
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 300 && !exited && !pattern.test(stdout); i++) await new Promise((r) => setTimeout(r, 200));
      return stdout;
    };
    expect(await waitFor(/No events/)).toMatch(/No events/);
    await writeTrailRecords(sandbox.emulator.clients().create(CloudWatchLogsClient), 'follow-test', [
      {
        eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        eventSource: 's3.amazonaws.com',
        eventName: 'FollowMe',
        awsRegion: 'us-east-1',
        eventID: 'follow-1',
        recipientAccountId: '123456789012',
        userIdentity: { type: 'IAMUser', userName: 'follower' },
      },
    ]);
    expect(await waitFor(/follower\s+s3:FollowMe/)).toMatch(/follower\s+s3:FollowMe/);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  }, 180_000);
});
