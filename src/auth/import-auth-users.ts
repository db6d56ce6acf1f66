import { existsSync } from 'node:fs';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { isError } from '../aws/aws-error.js';
import { importBatch, readRecords, writeRejected } from '../csv/records.js';
import { rateLimiter } from '../engine/rate-limit.js';
import { withRetry } from '../engine/retry.js';
import { GroundworkError } from '../errors.js';

/** The columns of an auth users file, in order: the e-mail is the user name (the pools sign in with e-mail). */
export const AUTH_USER_COLUMNS = ['email', 'given_name', 'family_name', 'phone_number'] as const;

/** One valid row. */
export interface AuthUserRow {
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  /** E.164, such as +447700900123; empty when the row has none. */
  readonly phoneNumber: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Validates one row (fields in AUTH_USER_COLUMNS order): the row, or every reason it is rejected. */
export function validateAuthUserRow(fields: readonly string[]): { row?: AuthUserRow; errors: string[] } {
  if (fields.length !== AUTH_USER_COLUMNS.length) {
    return { errors: [`has ${fields.length} field(s); expected ${AUTH_USER_COLUMNS.length} (${AUTH_USER_COLUMNS.join(',')})`] };
  }
  const [email = '', givenName = '', familyName = '', phoneNumber = ''] = fields.map((f) => f.trim());
  const errors: string[] = [];
  if (email === '') errors.push('email is required');
  else if (!EMAIL.test(email) || email.length > 254) errors.push(`email "${email}" is not a valid e-mail address`);
  if (givenName === '') errors.push('given_name is required');
  if (familyName === '') errors.push('family_name is required');
  for (const [column, value] of [
    ['given_name', givenName],
    ['family_name', familyName],
  ] as const) {
    if (value.length > 2048) errors.push(`${column} has ${value.length} characters; Cognito allows 2048`);
  }
  if (phoneNumber !== '' && !E164.test(phoneNumber))
    errors.push(`phone_number "${phoneNumber}" is not in E.164 form (+ country code and number, such as +447700900123)`);
  return errors.length > 0 ? { errors } : { row: { email: email.toLowerCase(), givenName, familyName, phoneNumber }, errors };
}

/** The summary, in the shape of `users import`. */
export interface AuthImportSummary {
  readonly environment: string;
  readonly method: 'admin' | 'job';
  created: number;
  updated: number;
  unchanged: number;
  readonly rejected: { line: number; errors: string[] }[];
  rejectedFile?: string;
  readonly dryRun: boolean;
  /** Invitation e-mails with the temporary password: sent by Cognito, or suppressed. */
  readonly invitations: 'sent' | 'suppressed';
}

/** Options of {@link importAuthUsers}. */
export interface AuthImportOptions {
  readonly environment: string;
  readonly dryRun?: boolean;
  readonly suppressInvites?: boolean;
  /** AdminCreateUser calls per second, under the account's 50/s quota shared with sign-ups. @default 40 */
  readonly ratePerSecond?: number;
  /** @default 8 */
  readonly concurrency?: number;
  /** Rows held at a time: memory stays flat as the file grows. @default 200 */
  readonly batchSize?: number;
  readonly onProgress?: (done: number) => void;
}

const attributesOf = (row: AuthUserRow): AttributeType[] => [
  { Name: 'email', Value: row.email },
  { Name: 'email_verified', Value: 'true' },
  { Name: 'given_name', Value: row.givenName },
  { Name: 'family_name', Value: row.familyName },
  ...(row.phoneNumber ? [{ Name: 'phone_number', Value: row.phoneNumber }] : []),
];

/** The attributes of a stored user that differ from the row's (the e-mail is the user name, so never among them in effect). */
export function changedAttributes(row: AuthUserRow, stored: readonly AttributeType[]): AttributeType[] {
  const current = new Map(stored.map((a) => [a.Name, a.Value ?? '']));
  return attributesOf(row).filter((a) => a.Name !== 'email_verified' && current.get(a.Name) !== a.Value);
}

/**
 * The valid rows of an auth users file, streamed with their lines. Every row is checked (attributes, formats, an e-mail
 * seen earlier in the file); a bad one is added to `rejected` with its reasons and to `rejectedRows` as the line that
 * goes to FILE.rejected.csv. Both import methods read files through this.
 */
export async function* validAuthRows(
  file: string,
  rejected: { line: number; errors: string[] }[],
  rejectedRows: string[][],
): AsyncGenerator<{ line: number; row: AuthUserRow }> {
  if (!existsSync(file)) {
    throw new GroundworkError('USAGE', `auth users file not found: ${file}`, { hint: `pass a CSV file with the columns ${AUTH_USER_COLUMNS.join(',')}` });
  }
  const seen = new Map<string, number>();
  for await (const { line, fields } of readRecords(file, AUTH_USER_COLUMNS, 'examples/auth-users.csv')) {
    const { row, errors } = validateAuthUserRow(fields);
    const email = (fields[0] ?? '').trim().toLowerCase();
    const first = email ? seen.get(email) : undefined;
    if (first !== undefined) errors.push(`email "${fields[0]}" already appears on line ${first} (e-mails are case-insensitive)`);
    else if (email) seen.set(email, line);
    if (!row || errors.length > 0) {
      rejected.push({ line, errors });
      rejectedRows.push([...fields, errors.join('; ')]);
      continue;
    }
    yield { line, row };
  }
}

/**
 * Creates the users of a CSV file in an environment's pool with AdminCreateUser (the admin method): every row is
 * validated first (bad rows reported by line and written to FILE.rejected.csv), valid rows are created at most
 * `ratePerSecond`, throttling retried; a user who exists is `updated` when the row changes an attribute, else
 * `unchanged`, so re-running a file creates no one twice. Invitations are e-mailed by Cognito unless suppressed.
 */
export async function importAuthUsers(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  file: string,
  options: AuthImportOptions,
): Promise<AuthImportSummary> {
  const summary: AuthImportSummary = {
    environment: options.environment,
    method: 'admin',
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    dryRun: options.dryRun ?? false,
    invitations: options.suppressInvites ? 'suppressed' : 'sent',
  };
  const acquire = rateLimiter(options.ratePerSecond ?? 40);
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    await acquire();
    return (await withRetry(fn, { maxAttempts: 8 })) as T;
  };
  const importRow = async (row: AuthUserRow) => {
    if (!summary.dryRun) {
      try {
        await call(() =>
          cognito.send(
            new AdminCreateUserCommand({
              UserPoolId: userPoolId,
              Username: row.email,
              UserAttributes: attributesOf(row),
              DesiredDeliveryMediums: ['EMAIL'],
              ...(options.suppressInvites ? { MessageAction: 'SUPPRESS' as const } : {}),
            }),
          ),
        );
        summary.created++;
        return;
      } catch (error) {
        if (!isError(error, 'UsernameExistsException')) throw error;
      }
    }
    let stored: AttributeType[] | undefined;
    try {
      stored = (await call(() => cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: row.email })))).UserAttributes ?? [];
    } catch (error) {
      if (!isError(error, 'UserNotFoundException')) throw error;
    }
    if (!stored) {
      summary.created++; // a dry run: would create
      return;
    }
    const changes = changedAttributes(row, stored);
    if (changes.length === 0) {
      summary.unchanged++;
      return;
    }
    if (!summary.dryRun)
      await call(() => cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: row.email, UserAttributes: changes })));
    summary.updated++;
  };

  const rejectedRows: string[][] = [];
  let batch: AuthUserRow[] = [];
  let done = 0;
  const flush = async () => {
    await importBatch(batch, options.concurrency ?? 8, importRow, summary);
    done += batch.length;
    options.onProgress?.(done);
    batch = [];
  };
  for await (const { row } of validAuthRows(file, summary.rejected, rejectedRows)) {
    batch.push(row);
    if (batch.length >= (options.batchSize ?? 200)) await flush();
  }
  await flush();
  if (rejectedRows.length > 0 && !summary.dryRun) summary.rejectedFile = writeRejected(file, AUTH_USER_COLUMNS, rejectedRows);
  return summary;
}
