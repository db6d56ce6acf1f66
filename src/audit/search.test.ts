import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../test/helpers/test-emulator.js';
import { ClientFactory } from '../aws/client-factory.js';
import { generateSampleActivity } from '../sandbox/sample-activity.js';
import { writeTrailRecords } from '../sandbox/trail-recorder.js';
import type { AuditEvent } from './audit-event.js';
import { type AuditContext, searchAudit } from './search.js';

// The events go into the emulator's CloudWatch Logs, which (like AWS) refuses events older than 14 days or more than
// 2 hours ahead: they are built relative to the real now, not on a fixed day.
const NOW = new Date();
const ACCOUNTS = [
  { id: '111111111111', name: 'management' },
  { id: '222222222222', name: 'prod' },
  { id: '333333333333', name: 'dev' },
];
const environments = new Map(ACCOUNTS.map((a) => [a.id, a.name]));
const records = generateSampleActivity({ now: NOW, accounts: ACCOUNTS, count: 5200, hours: 48, seed: 7 });
const window = { from: new Date(NOW.getTime() - 48 * 3_600_000), to: NOW };

describe('search in the sandbox, over 5,200 seeded events', () => {
  let emulator: TestEmulator;
  let ctx: AuditContext;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    await writeTrailRecords(emulator.clients().create(CloudWatchLogsClient), 'seed', records);
    ctx = { clients: emulator.clients(), environments, logRetentionDays: 90 };
  });
  afterAll(() => emulator.stop());

  /** Every page of a search, followed by cursor. */
  async function all(query: Parameters<typeof searchAudit>[1]): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchAudit(ctx, { ...query, cursor });
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    return events;
  }

  it('pages through every event exactly once, newest first', async () => {
    const events = await all({ ...window, limit: 1000 });
    expect(events).toHaveLength(5200);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(5200);
    for (let i = 1; i < events.length; i++) expect((events[i - 1] as AuditEvent).time >= (events[i] as AuditEvent).time).toBe(true);
  });

  it('filters by account, user, event and errors with the right results', async () => {
    const expected = records.filter((r) => r.recipientAccountId === '222222222222' && r.errorCode && (r.userIdentity?.arn ?? '').includes('ana.garcia'));
    const found = await all({ ...window, accounts: ['222222222222'], principals: ['ana.garcia'], errorsOnly: true, limit: 7 });
    expect(found.map((e) => e.eventId).sort()).toEqual(expected.map((r) => r.eventID).sort());
    expect(found.every((e) => e.environment === 'prod' && e.errorCode && e.sample)).toBe(true);

    const deletes = await all({ ...window, eventNames: ['DeleteBucket'], limit: 1000 });
    expect(deletes.length).toBe(records.filter((r) => r.eventName === 'DeleteBucket').length);
    expect(deletes.every((e) => e.errorCode === 'AccessDenied')).toBe(true);
  });

  it('reports sign-ins and role assumptions by several people across the accounts', async () => {
    const page = await searchAudit(ctx, { ...window, eventNames: ['ConsoleLogin', 'AssumeRole'], limit: 1000 });
    expect(new Set(page.events.map((e) => e.principal.split('/').pop())).size).toBeGreaterThan(3);
    expect(new Set(page.events.map((e) => e.accountId)).size).toBe(3);
  });
});

describe('search beyond the log retention goes to Athena', () => {
  const athena = mockClient(AthenaClient);
  afterAll(() => athena.restore());

  it('runs the parameterised SQL in the audit workgroup and parses recorded results', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const header = [
      'eventversion',
      'identity_type',
      'identity_arn',
      'identity_username',
      'identity_principalid',
      'identity_accountid',
      'identity_invokedby',
      'eventtime',
      'eventsource',
      'eventname',
      'awsregion',
      'sourceipaddress',
      'useragent',
      'errorcode',
      'errormessage',
      'eventid',
      'recipientaccountid',
    ];
    const row = [
      '1.09',
      'IAMUser',
      'arn:aws:iam::222222222222:user/ana',
      'ana',
      'AIDA1',
      '222222222222',
      '',
      '2025-01-05T10:00:00Z',
      's3.amazonaws.com',
      'DeleteBucket',
      'us-east-1',
      '10.0.0.1',
      'aws-cli',
      'AccessDenied',
      'denied',
      'evt-1',
      '222222222222',
    ];
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { Rows: [{ Data: header.map((v) => ({ VarCharValue: v })) }, { Data: row.map((v) => ({ VarCharValue: v })) }] } });
    const ctx: AuditContext = {
      clients: new ClientFactory({ target: 'aws', region: 'us-east-1' }),
      environments: new Map([['222222222222', 'prod']]),
      logRetentionDays: 90,
      logArchiveAccountId: '999999999999',
      now: () => new Date('2026-11-20T00:00:00Z'),
    };
    const page = await searchAudit(ctx, { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z'), eventNames: ["'); DROP"], limit: 10 });
    expect(page.source).toBe('athena');
    expect(page.events).toEqual([
      expect.objectContaining({ eventId: 'evt-1', principal: 'ana', environment: 'prod', errorCode: 'AccessDenied', eventName: 'DeleteBucket' }),
    ]);
    const input = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.WorkGroup).toBe('groundwork-audit');
    expect(input?.QueryString).not.toContain('DROP');
    expect(input?.ExecutionParameters).toContain("'''); DROP'");
  });
});
