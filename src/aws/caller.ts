import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GroundworkError } from '../errors.js';
import { toGroundworkError } from './aws-error.js';
import type { ClientFactory } from './client-factory.js';

/** Who the commands act as: shown before anything is written to real AWS. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  /** Absent when the account is not in an organization yet. */
  readonly organizationId?: string;
  readonly managementAccountId?: string;
}

/** Reads the caller's account and, if any, organization. */
export async function describeCaller(factory: ClientFactory): Promise<CallerIdentity> {
  let identity: { Account?: string; Arn?: string };
  try {
    identity = await factory.create(STSClient).send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw toGroundworkError(error, 'reading the caller identity', factory.settings.endpoint);
  }
  try {
    const { Organization } = await factory.create(OrganizationsClient).send(new DescribeOrganizationCommand({}));
    return {
      accountId: identity.Account ?? '',
      arn: identity.Arn ?? '',
      organizationId: Organization?.Id,
      managementAccountId: Organization?.MasterAccountId,
    };
  } catch (error) {
    if ((error as Error).name === 'AWSOrganizationsNotInUseException') return { accountId: identity.Account ?? '', arn: identity.Arn ?? '' };
    throw toGroundworkError(error, 'reading the organization', factory.settings.endpoint);
  }
}

/** Refuses a caller that is a member of an organization: Groundwork runs as the management account. */
export function assertManagementCaller(caller: CallerIdentity): void {
  if (caller.organizationId && caller.managementAccountId !== caller.accountId) {
    throw new GroundworkError(
      'AWS_NOT_ORGANIZATION_MANAGEMENT',
      `account ${caller.accountId} is a member of organization ${caller.organizationId}; Groundwork must run as its management account ${caller.managementAccountId}`,
      {
        hint: 'use credentials (--profile) of the management account',
        actionHint: "set role-to-assume of assume-role-via-oidc to a role in the management account (foundation-bootstrap.json's roles)",
      },
    );
  }
}
