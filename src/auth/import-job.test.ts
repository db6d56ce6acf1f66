import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  ListUserImportJobsCommand,
  ListUsersCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { importAuthUsersWithJob } from './import-job.js';

const POOL = 'eu-west-1_AbCdEf123';
const ROLE = 'arn:aws:iam::444455556666:role/groundwork-auth-import';
// What GetCSVHeader answers for a pool with the standard attributes.
const HEADER = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  'cognito:mfa_enabled',
  'cognito:username',
];

function usersFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-auth-job-')), 'users.csv');
  writeFileSync(
    file,
    [
      'email,given_name,family_name,phone_number',
      'ada@example.com,Ada,Sample,+447700900100', // new
      'ben@example.com,Ben,Sample,', // exists, unchanged
      'chloe@example.com,Chloé,Sample,', // exists, renamed
      'not-an-email,Bad,Row,', // rejected
      'dev@example.com,Dev,Sample,', // new
    ].join('\n'),
  );
  return file;
}

const cognito = mockClient(CognitoIdentityProviderClient);
const logs = mockClient(CloudWatchLogsClient);
const clients = () => ({ cognito: new CognitoIdentityProviderClient({}), logs: new CloudWatchLogsClient({}) });
const uploads: { url: string; body: string; headers: Record<string, string> }[] = [];
const options = {
  environment: 'prod',
  roleArn: ROLE,
  pollMs: 1,
  sleep: async () => {},
  now: () => Date.UTC(2026, 10, 26, 9, 0, 0),
  upload: async (url: string, body: string, headers: Record<string, string>) => {
    uploads.push({ url, body, headers });
  },
};

beforeEach(() => {
  cognito.reset();
  logs.reset();
  uploads.length = 0;
  cognito.on(ListUsersCommand).resolves({
    Users: [
      {
        Username: 'u-ben',
        Attributes: [
          { Name: 'email', Value: 'ben@example.com' },
          { Name: 'given_name', Value: 'Ben' },
          { Name: 'family_name', Value: 'Sample' },
        ],
      },
      {
        Username: 'u-chloe',
        Attributes: [
          { Name: 'email', Value: 'chloe@example.com' },
          { Name: 'given_name', Value: 'Chloe' },
          { Name: 'family_name', Value: 'Sample' },
        ],
      },
    ],
  });
  cognito.on(GetCSVHeaderCommand).resolves({ CSVHeader: HEADER, UserPoolId: POOL });
  cognito
    .on(CreateUserImportJobCommand)
    .resolves({ UserImportJob: { JobId: 'import-1', JobName: 'groundwork-prod', PreSignedUrl: 'https://upload.example/presigned', Status: 'Created' } });
  cognito.on(StartUserImportJobCommand).resolves({ UserImportJob: { JobId: 'import-1', Status: 'Pending' } });
  cognito.on(AdminUpdateUserAttributesCommand).resolves({});
});

describe('bulk creation with a Cognito user import job, on recorded answers (moto has no import jobs)', () => {
  it('uploads only new users in Cognito’s columns, starts and polls the job, updates changed users in place, and counts exactly', async () => {
    cognito.on(ListUserImportJobsCommand).resolves({ UserImportJobs: [{ JobId: 'import-0', Status: 'Succeeded' }] });
    cognito
      .on(DescribeUserImportJobCommand)
      .resolvesOnce({ UserImportJob: { JobId: 'import-1', Status: 'InProgress', ImportedUsers: 1 } })
      .resolves({ UserImportJob: { JobId: 'import-1', Status: 'Succeeded', ImportedUsers: 2, FailedUsers: 0 } });
    const lines: string[] = [];
    const summary = await importAuthUsersWithJob(clients(), POOL, usersFile(), { ...options, progress: (m) => lines.push(m) });
    expect(summary).toMatchObject({ method: 'job', created: 2, updated: 1, unchanged: 1, mustResetPassword: 2, jobId: 'import-1', jobStatus: 'Succeeded' });
    expect(summary.rejected).toEqual([{ line: 5, errors: ['email "not-an-email" is not a valid e-mail address'] }]);
    expect(cognito.commandCalls(CreateUserImportJobCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      JobName: 'groundwork-prod-2026-11-26T09-00-00-000Z',
      CloudWatchLogsRoleArn: ROLE,
    });
    expect(uploads).toHaveLength(1);
    expect(uploads[0]?.headers).toEqual({ 'x-amz-server-side-encryption': 'aws:kms' });
    const [header, ...rows] = (uploads[0]?.body ?? '').trim().split('\n');
    expect(header).toBe(HEADER.join(','));
    expect(rows).toHaveLength(2);
    const record = Object.fromEntries(HEADER.map((column, i) => [column, rows[0]?.split(',')[i]]));
    expect(record).toMatchObject({
      'cognito:username': 'ada@example.com',
      email: 'ada@example.com',
      email_verified: 'true',
      given_name: 'Ada',
      phone_number: '+447700900100',
      'cognito:mfa_enabled': 'false',
    });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'chloe@example.com',
      UserAttributes: [{ Name: 'given_name', Value: 'Chloé' }],
    });
    expect(lines).toContain('import job import-1: uploading 2 user(s)');
  });

  it('reports a failed job with the rows its CloudWatch log names, by line', async () => {
    cognito.on(ListUserImportJobsCommand).resolves({ UserImportJobs: [] });
    cognito.on(DescribeUserImportJobCommand).resolves({
      UserImportJob: {
        JobId: 'import-1',
        JobName: 'groundwork-prod',
        Status: 'Failed',
        ImportedUsers: 1,
        FailedUsers: 1,
        CompletionMessage: 'Too many users have failed or been skipped during the import.',
      },
    });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: `/aws/cognito/userpools/${POOL}/groundwork-prod` }] });
    logs.on(FilterLogEventsCommand).resolves({
      events: [{ message: '[ERROR] Line Number 3 - The User Record does not set any of the auto verified attributes to true. (User: dev@example.com)' }],
    });
    const error = (await importAuthUsersWithJob(clients(), POOL, usersFile(), options).catch((e) => e)) as Error & { details: string[] };
    expect(error.message).toBe('import job import-1 ended Failed: Too many users have failed or been skipped during the import.');
    expect(error.details).toEqual([
      '[ERROR] Line Number 3 - The User Record does not set any of the auto verified attributes to true. (User: dev@example.com)',
    ]);
  });

  it('waits for a job already running for the pool, and names it when it does not finish', async () => {
    cognito.on(ListUserImportJobsCommand).resolves({ UserImportJobs: [{ JobId: 'import-9', JobName: 'someone-else', Status: 'InProgress' }] });
    let clock = 0;
    const lines: string[] = [];
    await expect(
      importAuthUsersWithJob(clients(), POOL, usersFile(), {
        ...options,
        now: () => (clock += 60_000),
        waitForRunningMs: 180_000,
        progress: (m) => lines.push(m),
      }),
    ).rejects.toThrow('another user import job is running for this pool: someone-else (import-9), InProgress');
    expect(lines[0]).toBe('waiting for import job someone-else (import-9, InProgress) to finish: Cognito runs one at a time');
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toHaveLength(0);

    cognito
      .on(ListUserImportJobsCommand)
      .resolvesOnce({ UserImportJobs: [{ JobId: 'import-9', JobName: 'someone-else', Status: 'InProgress' }] })
      .resolves({ UserImportJobs: [] });
    cognito.on(DescribeUserImportJobCommand).resolves({ UserImportJob: { JobId: 'import-1', Status: 'Succeeded', ImportedUsers: 2 } });
    expect(await importAuthUsersWithJob(clients(), POOL, usersFile(), options)).toMatchObject({ created: 2 });
  });

  it('in a dry run, counts without creating a job or changing anyone', async () => {
    const summary = await importAuthUsersWithJob(clients(), POOL, usersFile(), { ...options, dryRun: true });
    expect(summary).toMatchObject({ created: 2, updated: 1, unchanged: 1, dryRun: true });
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)).toHaveLength(0);
  });
});
