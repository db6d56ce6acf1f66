import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../aws/client-factory.js';
import { loadConfig } from '../config/load-config.js';
import { type PreflightCheck, runPreflight, STACKSETS_PRINCIPAL } from './preflight.js';

// AWS's answers (moto has no quotas, trusted-access listing for StackSets or opt-in regions): each failing check must give its fix.
const orgs = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const sso = mockClient(SSOAdminClient);
const ce = mockClient(CostExplorerClient);
const ec2 = mockClient(EC2Client);
const quotas = mockClient(ServiceQuotasClient);

const config = loadConfig('groundwork.yaml');
const clients = new ClientFactory({ target: 'aws', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const run = () => runPreflight({ clients, config, sandbox: false, newStackSets: 3 });
const byId = (checks: PreflightCheck[], id: string) => checks.find((c) => c.id === id);

function healthy(): void {
  for (const m of [orgs, sts, cfn, sso, ce, ec2, quotas]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/ops' });
  orgs.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111', FeatureSet: 'ALL' } });
  orgs.on(ListAWSServiceAccessForOrganizationCommand).resolves({ EnabledServicePrincipals: [{ ServicePrincipal: STACKSETS_PRINCIPAL }] });
  orgs.on(ListAccountsCommand).resolves({ Accounts: [{ Name: 'management' }, { Name: 'prod' }] });
  sso.on(ListInstancesCommand).resolves({ Instances: [{ InstanceArn: 'arn:aws:sso:::instance/ssoins-1', IdentityStoreId: 'd-1' }] });
  ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
  cfn.on(ListStackSetsCommand).resolves({ Summaries: [] });
  ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
  quotas
    .on(ListServiceQuotasCommand, { ServiceCode: 'organizations' })
    .resolves({ Quotas: [{ QuotaName: 'Default maximum number of accounts', Value: 10 }] })
    .on(ListServiceQuotasCommand, { ServiceCode: 'cloudformation' })
    .resolves({ Quotas: [{ QuotaName: 'Stack sets per administrator account', Value: 100 }] });
}

describe('deploy preflight', () => {
  beforeEach(healthy);

  it('passes every check for a ready management account, reading only', async () => {
    const checks = await run();
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['caller', 'pass'],
      ['all-features', 'pass'],
      ['stacksets-access', 'pass'],
      ['identity-center', 'pass'],
      ['cost-explorer', 'pass'],
      ['account-quota', 'pass'],
      ['stackset-quota', 'pass'],
      ['regions', 'pass'],
    ]);
    expect(byId(checks, 'account-quota')?.detail).toBe('7 account(s) after deploy, quota 10');
  });

  it('refuses a member account, and names a delegated administrator for what it is', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222' });
    let caller = byId(await run(), 'caller');
    expect(caller).toMatchObject({ status: 'fail', fix: 'use credentials (--profile) of the management account 111111111111' });
    expect(caller?.detail).toBe('account 222222222222 is a member of organization o-abcdefghij, not its management account 111111111111');
    orgs.on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [{ Id: '222222222222' }] });
    caller = byId(await run(), 'caller');
    expect(caller?.detail).toMatch(/delegated administrator for StackSets .* \(CallAs DELEGATED_ADMIN\) but not the organization/);
  });

  it('accepts an account with no organization yet: deploy creates it', async () => {
    orgs.on(DescribeOrganizationCommand).rejects(Object.assign(new Error('not in use'), { name: 'AWSOrganizationsNotInUseException' }));
    const checks = await run();
    expect(byId(checks, 'caller')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/has no organization yet/) });
    expect(byId(checks, 'stacksets-access')?.status).toBe('fixed-by-deploy');
  });

  it('gives the fix for consolidated billing only, no Identity Center, Cost Explorer off, a quota too low and a region not enabled', async () => {
    orgs
      .on(DescribeOrganizationCommand)
      .resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111', FeatureSet: 'CONSOLIDATED_BILLING' } });
    sso.on(ListInstancesCommand).resolves({ Instances: [] });
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('User not enabled for cost explorer access'), { name: 'AccessDeniedException' }));
    quotas.on(ListServiceQuotasCommand, { ServiceCode: 'organizations' }).resolves({ Quotas: [{ QuotaName: 'Default maximum number of accounts', Value: 4 }] });
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'not-opted-in' }] });
    const checks = await run();
    expect(byId(checks, 'all-features')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/^aws organizations enable-all-features/) });
    expect(byId(checks, 'identity-center')).toMatchObject({ status: 'fail', fix: expect.stringContaining('docs/runbooks/identity-center.md') });
    expect(byId(checks, 'cost-explorer')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/Cost Explorer .* once to enable it/) });
    expect(byId(checks, 'account-quota')).toMatchObject({
      status: 'fail',
      detail: '7 account(s) after deploy, over the quota of 4',
      fix: expect.stringContaining('to at least 7'),
    });
    expect(byId(checks, 'regions')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/^enable us-east-1/) });
  });

  it('says trusted access for StackSets is off, which deploy turns on itself', async () => {
    orgs.on(ListAWSServiceAccessForOrganizationCommand).resolves({ EnabledServicePrincipals: [{ ServicePrincipal: 'sso.amazonaws.com' }] });
    expect(byId(await run(), 'stacksets-access')).toMatchObject({ status: 'fixed-by-deploy', detail: expect.stringContaining('ActivateOrganizationsAccess') });
  });
});
