import { EC2Client, EnableEbsEncryptionByDefaultCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { GetAccountPasswordPolicyCommand, IAMClient, type PasswordPolicy, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { isError } from '../../aws/aws-error.js';
import type { ResourceKind } from '../../engine/types.js';
import type { OrgContext } from '../org-context.js';
import { accountSettingKind, type SettingState, settingClientOptions } from './account-setting-kind.js';

/** All four S3 Block Public Access settings on, account-wide. */
export const BLOCK_PUBLIC_ACCESS = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } as const;

/** The password policy for break-glass IAM users (people sign in through Identity Center). */
export const PASSWORD_POLICY = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
  HardExpiry: false,
} as const;

function differencesFrom<T extends Record<string, unknown>>(desired: T, actual: Partial<Record<keyof T, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    const current = actual?.[key as keyof T];
    if (current !== value) out[key] = { from: current ?? null, to: value };
  }
  return out;
}

/** Account-level S3 Block Public Access, all four settings on. */
export function s3BlockPublicAccessKind(ctx: OrgContext): ResourceKind<SettingState<typeof BLOCK_PUBLIC_ACCESS>, SettingState<typeof BLOCK_PUBLIC_ACCESS>> {
  return accountSettingKind(ctx, {
    kind: 's3-block-public-access',
    regional: false,
    desired: BLOCK_PUBLIC_ACCESS,
    async read(target, region) {
      try {
        const { PublicAccessBlockConfiguration: c } = await ctx.clients
          .create(S3ControlClient, settingClientOptions(target, region, false))
          .send(new GetPublicAccessBlockCommand({ AccountId: target.accountId }));
        return c as typeof BLOCK_PUBLIC_ACCESS;
      } catch (error) {
        if (isError(error, 'NoSuchPublicAccessBlockConfiguration')) return undefined;
        throw error;
      }
    },
    async write(target, region) {
      await ctx.clients
        .create(S3ControlClient, settingClientOptions(target, region, true))
        .send(new PutPublicAccessBlockCommand({ AccountId: target.accountId, PublicAccessBlockConfiguration: BLOCK_PUBLIC_ACCESS }));
    },
    differences: (actual) => differencesFrom(BLOCK_PUBLIC_ACCESS, actual),
  });
}

/** EBS encryption by default, in every governed region. */
export function ebsEncryptionKind(ctx: OrgContext): ResourceKind<SettingState<boolean>, SettingState<boolean>> {
  return accountSettingKind(ctx, {
    kind: 'ebs-encryption-by-default',
    regional: true,
    desired: true,
    async read(target, region) {
      const { EbsEncryptionByDefault } = await ctx.clients
        .create(EC2Client, settingClientOptions(target, region, false))
        .send(new GetEbsEncryptionByDefaultCommand({}));
      return EbsEncryptionByDefault === true ? true : undefined;
    },
    async write(target, region) {
      await ctx.clients.create(EC2Client, settingClientOptions(target, region, true)).send(new EnableEbsEncryptionByDefaultCommand({}));
    },
    differences: (actual) => (actual === true ? {} : { EbsEncryptionByDefault: { from: false, to: true } }),
  });
}

/** The IAM account password policy. */
export function passwordPolicyKind(ctx: OrgContext): ResourceKind<SettingState<PasswordPolicy>, SettingState<PasswordPolicy>> {
  return accountSettingKind<PasswordPolicy>(ctx, {
    kind: 'iam-password-policy',
    regional: false,
    desired: PASSWORD_POLICY,
    async read(target, region) {
      try {
        const { PasswordPolicy } = await ctx.clients
          .create(IAMClient, settingClientOptions(target, region, false))
          .send(new GetAccountPasswordPolicyCommand({}));
        return PasswordPolicy;
      } catch (error) {
        if (isError(error, 'NoSuchEntityException', 'NoSuchEntity')) return undefined;
        throw error;
      }
    },
    async write(target, region) {
      const { HardExpiry, ...rest } = PASSWORD_POLICY;
      await ctx.clients.create(IAMClient, settingClientOptions(target, region, true)).send(new UpdateAccountPasswordPolicyCommand({ ...rest, HardExpiry }));
    },
    differences: (actual) => differencesFrom(PASSWORD_POLICY, actual as Record<string, unknown> | undefined),
  });
}
