import { describe, expect, it } from 'vitest';
import { type CloudTrailRecord, normalizeEvent, principalOf, SAMPLE_USER_AGENT } from './audit-event.js';
import type { AuditQuery } from './audit-filter.js';
import { insightsString, matchesQuery, sqlString, toAthenaQuery, toLogsInsightsQuery } from './compile-query.js';

const base: AuditQuery = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') };

describe('the Logs Insights compiler', () => {
  it('turns every filter into a quoted filter line', () => {
    const q = toLogsInsightsQuery(
      { ...base, accounts: ['111111111111'], eventNames: ['DeleteBucket', 'PutObject'], services: ['s3'], sourceIp: '10.0.0.1', errorsOnly: true },
      50,
    );
    expect(q).toBe(
      [
        'fields @timestamp, @message',
        '| filter (recipientAccountId = "111111111111")',
        '| filter (eventName = "DeleteBucket" or eventName = "PutObject")',
        '| filter (eventSource = "s3.amazonaws.com")',
        '| filter sourceIPAddress = "10.0.0.1"',
        '| filter ispresent(errorCode)',
        '| sort eventTime desc',
        '| limit 50',
      ].join('\n'),
    );
  });

  it('cannot be changed by a value such as `" | filter 1=1`', () => {
    const q = toLogsInsightsQuery({ ...base, eventNames: ['" | filter 1=1'], principals: ['x" or "1"="1'], text: 'a\nb' }, 10);
    expect(q).toContain('eventName = "\\" | filter 1=1"');
    expect(q).toContain('userIdentity.userName = "x\\" or \\"1\\"=\\"1"');
    expect(q).not.toMatch(/\n\| filter 1=1/);
    expect(q.split('\n').filter((l) => l.startsWith('| filter'))).toHaveLength(3);
  });

  it('escapes backslashes before quotes', () => {
    expect(insightsString('a\\" b')).toBe('"a\\\\\\" b"');
  });
});

describe('the Athena compiler', () => {
  it('prunes partitions by date and puts every value in an execution parameter', () => {
    const { sql, parameters } = toAthenaQuery(
      { ...base, accounts: ['111111111111'], eventNames: ['DeleteBucket'], errorsOnly: true },
      100,
      'groundwork_audit.cloudtrail',
    );
    expect(sql).toContain('FROM groundwork_audit.cloudtrail');
    expect(sql).toContain('WHERE date BETWEEN ? AND ?');
    expect(sql).toContain('account IN (?)');
    expect(sql).toContain('eventname IN (?)');
    expect(sql).toContain('errorcode IS NOT NULL');
    expect(sql).toMatch(/LIMIT 100$/);
    expect(parameters).toEqual([
      "'2026/11/01'",
      "'2026/11/02'",
      "'2026-11-01T00:00:00.000Z'",
      "'2026-11-02T00:00:00.000Z'",
      "'111111111111'",
      "'DeleteBucket'",
    ]);
  });

  it("cannot be changed by a value such as `'); DROP`", () => {
    const { sql, parameters } = toAthenaQuery({ ...base, eventNames: ["'); DROP TABLE cloudtrail; --"], principals: ["' OR '1'='1"] }, 10, 't');
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("'1'='1");
    expect(parameters).toContain("'''); DROP TABLE cloudtrail; --'");
    expect(parameters).toContain("''' OR ''1''=''1'");
    // The SQL text holds no literal but the fixed ones: every value is a ? placeholder.
    expect(sql.replace(/'[^']*'/g, '')).toBe(sql.replace(/''/g, ''));
  });

  it('quotes SQL strings by doubling single quotes', () => {
    expect(sqlString("O'Brien")).toBe("'O''Brien'");
  });

  it('continues after a cursor with keyset pagination', () => {
    const { sql, parameters } = toAthenaQuery(base, 10, 't', { before: '2026-11-01T10:00:00Z', afterId: 'abc', from: '', to: '', query: '' });
    expect(sql).toContain('(eventtime < ? OR (eventtime = ? AND eventid > ?))');
    expect(parameters.slice(-3)).toEqual(["'2026-11-01T10:00:00Z'", "'2026-11-01T10:00:00Z'", "'abc'"]);
  });
});

const record = (over: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventTime: '2026-11-01T12:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'DeleteBucket',
  awsRegion: 'eu-west-1',
  eventID: 'e1',
  recipientAccountId: '222222222222',
  sourceIPAddress: '10.0.0.1',
  userIdentity: { type: 'IAMUser', userName: 'ana', arn: 'arn:aws:iam::222222222222:user/ana', accountId: '222222222222' },
  ...over,
});

describe('event normalisation', () => {
  it('names the principal as a person reads it', () => {
    expect(principalOf(record())).toBe('ana');
    expect(principalOf(record({ userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/AWSReservedSSO_Dev_x/ana@example.com' } }))).toBe(
      'AWSReservedSSO_Dev_x/ana@example.com',
    );
    expect(principalOf(record({ userIdentity: { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' } }))).toBe('cloudformation.amazonaws.com');
    expect(principalOf(record({ userIdentity: { type: 'Root', arn: 'arn:aws:iam::1:root' } }))).toBe('root');
  });

  it('fills the environment from the account and keeps the raw record', () => {
    const event = normalizeEvent(record({ errorCode: 'AccessDenied', errorMessage: 'no' }), new Map([['222222222222', 'prod']]));
    expect(event).toMatchObject({
      environment: 'prod',
      accountId: '222222222222',
      principal: 'ana',
      errorCode: 'AccessDenied',
      region: 'eu-west-1',
      sample: false,
    });
    expect(event.raw.eventID).toBe('e1');
  });

  it('marks sample activity by its user agent', () => {
    expect(normalizeEvent(record({ userAgent: SAMPLE_USER_AGENT }), new Map()).sample).toBe(true);
  });
});

describe('the in-process predicate', () => {
  const event = normalizeEvent(record({ errorCode: 'AccessDenied' }), new Map());
  it('matches on every filter it is given', () => {
    expect(
      matchesQuery(event, {
        ...base,
        accounts: ['222222222222'],
        principals: ['ana'],
        eventNames: ['DeleteBucket'],
        services: ['s3'],
        errorsOnly: true,
        sourceIp: '10.0.0.1',
        text: 'eu-west-1',
      }),
    ).toBe(true);
  });
  it('rejects on any filter that does not match', () => {
    for (const q of [
      { accounts: ['1'] },
      { principals: ['ben'] },
      { eventNames: ['PutObject'] },
      { services: ['ec2'] },
      { sourceIp: '1.1.1.1' },
      { text: 'nothing-like-this' },
    ]) {
      expect(matchesQuery(event, { ...base, ...q })).toBe(false);
    }
    expect(matchesQuery(normalizeEvent(record(), new Map()), { ...base, errorsOnly: true })).toBe(false);
    expect(matchesQuery(event, { ...base, from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') })).toBe(false);
  });
});
