import { type CloudWatchLogsClient, DescribeLogGroupsCommand, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import {
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  ListUserImportJobsCommand,
  paginateListUsers,
  StartUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { stringify } from 'csv-stringify/sync';
import { writeRejected } from '../csv/records.js';
import { GroundworkError } from '../errors.js';
import { AUTH_USER_COLUMNS, type AuthImportSummary, type AuthUserRow, changedAttributes, validAuthRows } from './import-auth-users.js';

/** Puts the CSV at the job's pre-signed URL; the real one is an HTTPS PUT, tests pass a recorder. */
export type Upload = (url: string, body: string, headers: Record<string, string>) => Promise<void>;

/** The PUT Cognito's pre-signed URL expects: the CSV, server-side encrypted. */
export const httpsUpload: Upload = async (url, body, headers) => {
  const response = await fetch(url, { method: 'PUT', body, headers });
  if (!response.ok) {
    throw new GroundworkError('AWS_REQUEST_FAILED', `the upload to the import job's URL failed: HTTP ${response.status} ${await response.text()}`, {
      hint: 'the URL is valid for 15 minutes: run the import again',
    });
  }
};

/** What the job method needs. */
export interface ImportJobOptions {
  readonly environment: string;
  /** The role the job writes its CloudWatch Logs with (the auth template's import role). */
  readonly roleArn: string;
  readonly dryRun?: boolean;
  readonly upload?: Upload;
  /** @default 10 s */
  readonly pollMs?: number;
  /** Longest wait for another job of the pool to finish before this one starts. @default 10 minutes */
  readonly waitForRunningMs?: number;
  /** Longest wait for this job. @default 60 minutes */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly progress?: (message: string) => void;
}

/** The summary of the job method: `users import`'s shape, plus what the job reported. */
export interface ImportJobSummary extends AuthImportSummary {
  readonly jobId?: string;
  readonly jobStatus?: string;
  /** Imported users must reset their password at first sign-in (Cognito's RESET_REQUIRED state). */
  mustResetPassword: number;
}

const RUNNING = new Set(['Created', 'Pending', 'InProgress', 'Stopping']);

/** The value of each of Cognito's CSV columns for a row: the ones Groundwork knows, the rest empty. */
function cognitoRecord(header: readonly string[], row: AuthUserRow): string[] {
  const values: Record<string, string> = {
    'cognito:username': row.email,
    email: row.email,
    email_verified: 'true',
    given_name: row.givenName,
    family_name: row.familyName,
    phone_number: row.phoneNumber,
    phone_number_verified: 'false',
    'cognito:mfa_enabled': 'false',
  };
  return header.map((column) => values[column] ?? '');
}

async function runningJob(cognito: CognitoIdentityProviderClient, userPoolId: string): Promise<UserImportJobType | undefined> {
  const { UserImportJobs } = await cognito.send(new ListUserImportJobsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  return UserImportJobs?.find((j) => RUNNING.has(j.Status ?? ''));
}

/** The failed rows the job logged, each with the line it came from when the log names the user. */
async function failedRows(logs: CloudWatchLogsClient, userPoolId: string, job: UserImportJobType): Promise<string[]> {
  const prefix = `/aws/cognito/userpools/${userPoolId}`;
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }));
  const messages: string[] = [];
  for (const group of logGroups ?? []) {
    if (!group.logGroupName?.includes(job.JobName ?? '\u0000') && !group.logGroupName?.includes(job.JobId ?? '\u0000')) continue;
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: group.logGroupName })) {
      for (const event of page.events ?? []) if (event.message) messages.push(event.message.trim());
    }
  }
  return messages;
}

/**
 * Bulk creation with a Cognito user import job: users not in the pool go into one CSV in Cognito's own columns
 * (GetCSVHeader), uploaded to the job's pre-signed URL (15 minutes, server-side encrypted), and the job is started and
 * polled; failed rows are read from the job's CloudWatch log. Users who exist already are `unchanged`, or `updated` in
 * place (a job cannot update). One job runs per pool at a time: a running one is waited for, then named.
 */
export async function importAuthUsersWithJob(
  clients: { readonly cognito: CognitoIdentityProviderClient; readonly logs: CloudWatchLogsClient },
  userPoolId: string,
  file: string,
  options: ImportJobOptions,
): Promise<ImportJobSummary> {
  const progress = options.progress ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const { cognito } = clients;
  const existing = new Map<string, AttributeType[]>();
  for await (const page of paginateListUsers({ client: cognito }, { UserPoolId: userPoolId })) {
    for (const user of page.Users ?? []) {
      const email = user.Attributes?.find((a) => a.Name === 'email')?.Value?.toLowerCase();
      if (email) existing.set(email, user.Attributes ?? []);
    }
  }
  const { CSVHeader } = await cognito.send(new GetCSVHeaderCommand({ UserPoolId: userPoolId }));
  const header = CSVHeader ?? [];
  const records: string[][] = [];
  const lineOf = new Map<string, number>();
  const rejectedRows: string[][] = [];
  const updates: { row: AuthUserRow; changes: AttributeType[] }[] = [];
  const summary: ImportJobSummary = {
    environment: options.environment,
    method: 'job',
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    dryRun: options.dryRun ?? false,
    invitations: 'suppressed',
    mustResetPassword: 0,
  };
  for await (const { line, row } of validAuthRows(file, summary.rejected, rejectedRows)) {
    lineOf.set(row.email, line);
    const stored = existing.get(row.email);
    if (!stored) {
      records.push(cognitoRecord(header, row));
      continue;
    }
    const changes = changedAttributes(row, stored);
    if (changes.length === 0) summary.unchanged++;
    else updates.push({ row, changes });
  }
  if (summary.dryRun) {
    summary.created = records.length;
    summary.updated = updates.length;
    return summary;
  }
  if (rejectedRows.length > 0) summary.rejectedFile = writeRejected(file, AUTH_USER_COLUMNS, rejectedRows);
  for (const { row, changes } of updates) {
    await cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: row.email, UserAttributes: changes }));
    summary.updated++;
  }
  if (records.length === 0) return summary;

  const waitStarted = now();
  for (let running = await runningJob(cognito, userPoolId); running; running = await runningJob(cognito, userPoolId)) {
    if (now() - waitStarted > (options.waitForRunningMs ?? 10 * 60_000)) {
      throw new GroundworkError('APPLY_FAILED', `another user import job is running for this pool: ${running.JobName} (${running.JobId}), ${running.Status}`, {
        hint: 'Cognito runs one import job at a time: wait for it to finish (or stop it with StopUserImportJob), then import again',
      });
    }
    progress(`waiting for import job ${running.JobName} (${running.JobId}, ${running.Status}) to finish: Cognito runs one at a time`);
    await sleep(options.pollMs ?? 10_000);
  }
  const jobName = `groundwork-${options.environment}-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
  const { UserImportJob: created } = await cognito.send(
    new CreateUserImportJobCommand({ UserPoolId: userPoolId, JobName: jobName, CloudWatchLogsRoleArn: options.roleArn }),
  );
  if (!created?.JobId || !created.PreSignedUrl)
    throw new GroundworkError('AWS_REQUEST_FAILED', 'Cognito created no import job URL', { hint: 'run the import again' });
  progress(`import job ${created.JobId}: uploading ${records.length} user(s)`);
  await (options.upload ?? httpsUpload)(created.PreSignedUrl, stringify([header, ...records]), { 'x-amz-server-side-encryption': 'aws:kms' });
  await cognito.send(new StartUserImportJobCommand({ UserPoolId: userPoolId, JobId: created.JobId }));
  const started = now();
  let job: UserImportJobType | undefined = created;
  for (;;) {
    job = (await cognito.send(new DescribeUserImportJobCommand({ UserPoolId: userPoolId, JobId: created.JobId }))).UserImportJob;
    if (job && !RUNNING.has(job.Status ?? '')) break;
    if (now() - started > (options.timeoutMs ?? 60 * 60_000)) {
      throw new GroundworkError('APPLY_FAILED', `import job ${created.JobId} is still ${job?.Status} after ${Math.round((now() - started) / 60_000)} minutes`, {
        hint: 'it keeps running in Cognito: check it later with aws cognito-idp describe-user-import-job',
      });
    }
    progress(`import job ${created.JobId}: ${job?.Status}, ${job?.ImportedUsers ?? 0} imported, ${job?.FailedUsers ?? 0} failed`);
    await sleep(options.pollMs ?? 10_000);
  }
  summary.created = job?.ImportedUsers ?? 0;
  summary.mustResetPassword = summary.created;
  Object.assign(summary, { jobId: created.JobId, jobStatus: job?.Status });
  if ((job?.FailedUsers ?? 0) > 0 || job?.Status !== 'Succeeded') {
    const logged = await failedRows(clients.logs, userPoolId, job ?? created);
    for (const message of logged) {
      const email = [...lineOf.keys()].find((e) => message.toLowerCase().includes(e));
      summary.rejected.push({ line: email ? (lineOf.get(email) as number) : 0, errors: [`the import job: ${message}`] });
    }
    if (job?.Status !== 'Succeeded') {
      throw new GroundworkError('APPLY_FAILED', `import job ${created.JobId} ended ${job?.Status}: ${job?.CompletionMessage ?? 'no message'}`, {
        details: logged,
        hint: 'read the job’s CloudWatch log above, fix the rows, and import again: users already imported count as unchanged',
      });
    }
  }
  return summary;
}
