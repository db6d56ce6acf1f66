import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import { mapLimit } from '../engine/concurrency.js';
import type { OrgContext } from './org-context.js';

/** What a member account's root user still has, as IAM's account summary says. */
export type RootCredentials =
  | {
      readonly state: 'present';
      readonly password: boolean;
      readonly accessKeys: boolean;
      readonly signingCertificates: boolean;
      /** MFA on the root user: not a credential to sign in with, shown because a root with a password and no MFA is the worst case. */
      readonly mfa: boolean;
    }
  | { readonly state: 'absent' }
  /** The sandbox's emulator does not report the root user's password (moto's GetAccountSummary has no AccountPasswordPresent). */
  | { readonly state: 'not-emulated'; readonly reason: string }
  /** The account could not be read (its access role, a missing key): the reason says which. */
  | { readonly state: 'unknown'; readonly reason: string };

/** The IAM account-summary keys that say whether the root user has a credential. */
export const ROOT_CREDENTIAL_KEYS = ['AccountPasswordPresent', 'AccountAccessKeysPresent', 'AccountSigningCertificatesPresent'] as const;

/**
 * Root credentials from one account's IAM summary (GetAccountSummary's SummaryMap, read in that account): a password,
 * access keys or signing certificates. With centralized root access on, member accounts should have none: the
 * management account deletes them (runbook) and runs root tasks through root sessions instead.
 */
export function rootCredentialsFrom(summary: Readonly<Record<string, number>> | undefined, sandbox: boolean): RootCredentials {
  const map = summary ?? {};
  const missing = ROOT_CREDENTIAL_KEYS.filter((key) => map[key] === undefined);
  if (missing.length > 0) {
    const reason = `the account summary has no ${missing.join(', ')}`;
    return sandbox ? { state: 'not-emulated', reason: `${reason} (moto does not report the root user's credentials)` } : { state: 'unknown', reason };
  }
  const password = (map.AccountPasswordPresent ?? 0) > 0;
  const accessKeys = (map.AccountAccessKeysPresent ?? 0) > 0;
  const signingCertificates = (map.AccountSigningCertificatesPresent ?? 0) > 0;
  if (!password && !accessKeys && !signingCertificates) return { state: 'absent' };
  return { state: 'present', password, accessKeys, signingCertificates, mfa: (map.AccountMFAEnabled ?? 0) > 0 };
}

/** Reads the root credentials of each member account through its access role (IAM is global: us-east-1 in the aws partition). */
export async function readRootCredentials(ctx: OrgContext, accountIds: readonly string[]): Promise<Map<string, RootCredentials>> {
  const sandbox = ctx.clients.settings.target === 'sandbox';
  const region = ctx.clients.settings.region.startsWith('us-gov-')
    ? 'us-gov-west-1'
    : ctx.clients.settings.region.startsWith('cn-')
      ? 'cn-northwest-1'
      : 'us-east-1';
  const read = await mapLimit(accountIds, ctx.readConcurrency, async (accountId): Promise<[string, RootCredentials]> => {
    try {
      const { SummaryMap } = await ctx.clients.create(IAMClient, { accountId, region }).send(new GetAccountSummaryCommand({}));
      return [accountId, rootCredentialsFrom(SummaryMap, sandbox)];
    } catch (error) {
      return [accountId, { state: 'unknown', reason: `${(error as Error).name}: ${(error as Error).message}` }];
    }
  });
  return new Map(read);
}
