import {
  EnableOrganizationAdminAccountCommand as EnableGuardDutyAdmin,
  GuardDutyClient,
  ListOrganizationAdminAccountsCommand as ListGuardDutyAdmins,
} from '@aws-sdk/client-guardduty';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GetAccountSummaryCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { ListDelegatedAdministratorsCommand, ListDelegatedServicesForAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  EnableOrganizationAdminAccountCommand as EnableSecurityHubAdmin,
  ListOrganizationAdminAccountsCommand as ListSecurityHubAdmins,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configWith, summary } from '../../test/helpers/org.js';
import { ClientFactory } from '../aws/client-factory.js';
import { applyPlan } from '../engine/apply.js';
import { buildPlan } from '../engine/plan.js';
import { delegatedAdministratorKind, rootAccessKind } from './kinds/security-kinds.js';
import { createOrgContext } from './org-context.js';
import { readRootCredentials, rootCredentialsFrom } from './root-credentials.js';

// AWS's answers, in the SDK's field names: moto has none of IAM's organization features, no Security Hub
// ListOrganizationAdminAccounts and no root-password key in GetAccountSummary.
const iam = mockClient(IAMClient);
const orgs = mockClient(OrganizationsClient);
const guardDuty = mockClient(GuardDutyClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);

const SECURITY = '222222222222';
const clients = () => new ClientFactory({ target: 'aws', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

function context(config = configWith()) {
  const ctx = createOrgContext(config, clients());
  ctx.registry.organizationId = 'o-abcdefghij';
  ctx.registry.managementAccountId = '111111111111';
  ctx.registry.accountIds.set('security', SECURITY);
  ctx.registry.accountIds.set('prod', '333333333333');
  return ctx;
}

beforeEach(() => {
  for (const m of [iam, orgs, guardDuty, securityHub, sts]) m.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(8_000_000_000_000) },
  });
});

describe('centralized root access on AWS (recorded answers)', () => {
  it('plans only the feature that is off, and enables it with IAM', async () => {
    iam.on(ListOrganizationsFeaturesCommand).resolves({ OrganizationId: 'o-abcdefghij', EnabledFeatures: ['RootCredentialsManagement'] });
    iam.on(EnableOrganizationsRootSessionsCommand).resolves({ OrganizationId: 'o-abcdefghij', EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });
    const plan = await buildPlan([rootAccessKind(context())]);
    expect(summary(plan)).toEqual(['create root-access:RootSessions']);
    expect(plan.changes[0]?.details).toEqual({ feature: 'RootSessions', api: 'iam:EnableOrganizationsRootSessions' });
    const result = await applyPlan(plan);
    expect(result.failed).toEqual([]);
    expect(iam.commandCalls(EnableOrganizationsRootSessionsCommand)).toHaveLength(1);
    expect(iam.commandCalls(EnableOrganizationsRootCredentialsManagementCommand)).toHaveLength(0);
  });

  it('reads nothing before IAM has trusted access, and plans both features', async () => {
    const error = Object.assign(new Error('Service access for IAM is not enabled'), { name: 'ServiceAccessNotEnabledException' });
    iam.on(ListOrganizationsFeaturesCommand).rejects(error);
    expect(summary(await buildPlan([rootAccessKind(context())]))).toEqual(['create root-access:RootCredentialsManagement', 'create root-access:RootSessions']);
  });

  it('plans nothing when turned off, and reports features left on as not declared', async () => {
    iam.on(ListOrganizationsFeaturesCommand).resolves({ EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] });
    const plan = await buildPlan([rootAccessKind(context(configWith((raw) => (raw.security.rootAccess = { enabled: false }))))]);
    expect(plan.changes).toEqual([]);
    expect(iam.commandCalls(ListOrganizationsFeaturesCommand)).toHaveLength(0);
  });
});

describe('delegated administrators on AWS (recorded answers)', () => {
  it('designates the security account for GuardDuty and Security Hub in each governed region where it is not yet', async () => {
    orgs.on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [{ Id: SECURITY, Name: 'security' }] });
    orgs.on(ListDelegatedServicesForAccountCommand).resolves({ DelegatedServices: [{ ServicePrincipal: 'access-analyzer.amazonaws.com' }] });
    guardDuty.on(ListGuardDutyAdmins).resolves({ AdminAccounts: [{ AdminAccountId: SECURITY, AdminStatus: 'ENABLED' }] });
    securityHub.on(ListSecurityHubAdmins).resolves({ AdminAccounts: [] });
    securityHub.on(EnableSecurityHubAdmin).resolves({ AdminAccountId: SECURITY });
    const plan = await buildPlan([delegatedAdministratorKind(context())]);
    expect(summary(plan)).toEqual([
      'create delegated-administrator:securityhub.amazonaws.com@us-east-1',
      'create delegated-administrator:securityhub.amazonaws.com@eu-west-1',
    ]);
    const result = await applyPlan(plan);
    expect(result.failed).toEqual([]);
    expect(securityHub.commandCalls(EnableSecurityHubAdmin).map((c) => c.args[0].input)).toEqual([{ AdminAccountId: SECURITY }, { AdminAccountId: SECURITY }]);
    expect(guardDuty.commandCalls(EnableGuardDutyAdmin)).toHaveLength(0);
  });

  it('registers nothing when no security account is declared: the management account administers', async () => {
    const config = configWith((raw) => {
      raw.organization.accounts = raw.organization.accounts.filter((a: { name: string }) => a.name !== 'security');
    });
    orgs.on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [] });
    const plan = await buildPlan([delegatedAdministratorKind(context(config))]);
    expect(plan.changes).toEqual([]);
  });
});

describe('root credentials of member accounts', () => {
  it('reads them from the account summary in each member', async () => {
    iam.on(GetAccountSummaryCommand).resolves({
      SummaryMap: { AccountPasswordPresent: 1, AccountAccessKeysPresent: 0, AccountSigningCertificatesPresent: 0, AccountMFAEnabled: 0, Users: 3 },
    });
    const roots = await readRootCredentials(context(), ['333333333333']);
    expect(roots.get('333333333333')).toEqual({ state: 'present', password: true, accessKeys: false, signingCertificates: false, mfa: false });
  });

  it('says absent when no credential is left, unknown when the role fails, and not emulated in the sandbox', () => {
    expect(rootCredentialsFrom({ AccountPasswordPresent: 0, AccountAccessKeysPresent: 0, AccountSigningCertificatesPresent: 0 }, false)).toEqual({
      state: 'absent',
    });
    expect(rootCredentialsFrom({ AccountAccessKeysPresent: 0, AccountMFAEnabled: 0 }, true)).toEqual({
      state: 'not-emulated',
      reason: "the account summary has no AccountPasswordPresent, AccountSigningCertificatesPresent (moto does not report the root user's credentials)",
    });
    expect(rootCredentialsFrom(undefined, false).state).toBe('unknown');
  });

  it('reports an account it cannot read as unknown, with the reason', async () => {
    iam.on(GetAccountSummaryCommand).rejects(Object.assign(new Error('not authorized to perform iam:GetAccountSummary'), { name: 'AccessDenied' }));
    const roots = await readRootCredentials(context(), ['333333333333']);
    expect(roots.get('333333333333')).toEqual({ state: 'unknown', reason: expect.stringMatching(/^AccessDenied: not authorized/) });
  });
});
