import {
  CreateDetectorCommand,
  DescribeOrganizationConfigurationCommand as DescribeGuardDutyOrganizationCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand as UpdateGuardDutyOrganizationCommand,
} from '@aws-sdk/client-guardduty';
import {
  CreateConfigurationPolicyCommand,
  CreateFindingAggregatorCommand,
  DescribeHubCommand,
  DescribeOrganizationConfigurationCommand,
  EnableSecurityHubCommand,
  GetConfigurationPolicyAssociationCommand,
  GetConfigurationPolicyCommand,
  GetFindingAggregatorCommand,
  ListConfigurationPoliciesCommand,
  ListFindingAggregatorsCommand,
  SecurityHubClient,
  StartConfigurationPolicyAssociationCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith } from '../../test/helpers/org.js';
import { ClientFactory } from '../aws/client-factory.js';
import type { ChangeSpec, Finding } from '../engine/types.js';
import { createOrgContext } from '../org/org-context.js';
import { guardDutyDifferences, guardDutyKind } from './guardduty-kind.js';
import { aggregatorSettings, SECURITY_HUB_POLICY_NAME, securityHubDifferences, securityHubKind } from './security-hub-kind.js';

// moto has no GuardDuty organization configuration and no Security Hub aggregators or configuration policies, so the
// AWS path is tested on recorded answers in the shapes of the SDK's types (field names from dist-types).
const guardDuty = mockClient(GuardDutyClient);
const securityHub = mockClient(SecurityHubClient);
afterEach(() => {
  guardDuty.reset();
  securityHub.reset();
});

const SECURITY = '222233334444';
const FSBP = 'arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0';

function awsContext(edit: Parameters<typeof configWith>[0] = () => {}) {
  const config = configWith(edit);
  const ctx = createOrgContext(config, new ClientFactory({ target: 'aws', region: 'us-east-1' }), { pollIntervalMs: 1 });
  ctx.registry.managementAccountId = '111122223333';
  ctx.registry.rootId = 'r-abcd';
  ctx.registry.accountIds.set('security', SECURITY);
  return ctx;
}

const changesOf = (outcomes: readonly (ChangeSpec | Omit<Finding, 'kind'>)[]) => outcomes.filter((o): o is ChangeSpec => 'run' in o);
const findingsOf = (outcomes: readonly (ChangeSpec | Omit<Finding, 'kind'>)[]) => outcomes.filter((o) => !('run' in o)) as Omit<Finding, 'kind'>[];

describe('GuardDuty for the organization', () => {
  it('wants a detector in the security account in every governed region', () => {
    const kind = guardDutyKind(awsContext());
    expect(kind.desired().map((d) => kind.identity(d))).toEqual(['security/us-east-1', 'security/eu-west-1']);
  });

  it('wants nothing when security.guardDuty.enabled is false', () => {
    expect(
      guardDutyKind(
        awsContext((raw) => {
          raw.security.guardDuty.enabled = false;
        }),
      ).desired(),
    ).toEqual([]);
  });

  it('creates the detector with the opted-in plans on, the others off, and enables every member account, new ones included', async () => {
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    guardDuty.on(CreateDetectorCommand).resolves({ DetectorId: 'det-1' });
    guardDuty.on(UpdateGuardDutyOrganizationCommand).resolves({});
    const kind = guardDutyKind(
      awsContext((raw) => {
        raw.security.guardDuty.protectionPlans = ['S3_DATA_EVENTS'];
      }),
    );
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    const [change] = changesOf(kind.diff(desired, undefined));
    expect(change?.action).toBe('create');
    expect(change?.details).toMatchObject({
      account: 'security',
      region: 'us-east-1',
      detector: 'create',
      organization: { AutoEnableOrganizationMembers: 'ALL' },
    });
    await change?.run(() => {});
    const created = guardDuty.commandCalls(CreateDetectorCommand)[0]?.args[0].input;
    expect(created?.Enable).toBe(true);
    expect(created?.FindingPublishingFrequency).toBe('FIFTEEN_MINUTES');
    expect(created?.Features).toContainEqual({ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' });
    expect(created?.Features).toContainEqual({ Name: 'EBS_MALWARE_PROTECTION', Status: 'DISABLED' });
    const org = guardDuty.commandCalls(UpdateGuardDutyOrganizationCommand)[0]?.args[0].input;
    expect(org?.DetectorId).toBe('det-1');
    expect(org?.AutoEnableOrganizationMembers).toBe('ALL');
    expect(org?.Features).toContainEqual({ Name: 'S3_DATA_EVENTS', AutoEnable: 'ALL' });
    expect(org?.Features).toContainEqual({ Name: 'RUNTIME_MONITORING', AutoEnable: 'NONE' });
  });

  it('reads an existing detector and turns off the plans GuardDuty enabled by default that the config does not opt into', async () => {
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: ['det-9'] });
    guardDuty.on(GetDetectorCommand).resolves({
      Status: 'ENABLED',
      ServiceRole: 'arn:aws:iam::222233334444:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty',
      FindingPublishingFrequency: 'SIX_HOURS',
      Features: [
        { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
        { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' },
        { Name: 'EBS_MALWARE_PROTECTION', Status: 'DISABLED' },
        { Name: 'RDS_LOGIN_EVENTS', Status: 'DISABLED' },
        { Name: 'LAMBDA_NETWORK_LOGS', Status: 'DISABLED' },
        { Name: 'RUNTIME_MONITORING', Status: 'DISABLED' },
        { Name: 'CLOUD_TRAIL', Status: 'ENABLED' },
      ],
    });
    guardDuty.on(DescribeGuardDutyOrganizationCommand).resolves({ MemberAccountLimitReached: false, AutoEnableOrganizationMembers: 'NEW', Features: [] });
    guardDuty.on(UpdateDetectorCommand).resolves({});
    guardDuty.on(UpdateGuardDutyOrganizationCommand).resolves({});
    const kind = guardDutyKind(awsContext());
    const live = await kind.read();
    expect(live[0]?.detector).toMatchObject({ id: 'det-9', enabled: true, features: { S3_DATA_EVENTS: 'ENABLED', EKS_AUDIT_LOGS: 'DISABLED' } });
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    const [change] = changesOf(kind.diff(desired, live[0]));
    expect(change?.action).toBe('update');
    expect(change?.details.detector).toEqual({
      FindingPublishingFrequency: { from: 'SIX_HOURS', to: 'FIFTEEN_MINUTES' },
      S3_DATA_EVENTS: { from: 'ENABLED', to: 'DISABLED' },
    });
    expect(change?.details.organization).toMatchObject({ AutoEnableOrganizationMembers: { from: 'NEW', to: 'ALL' } });
    await change?.run(() => {});
    expect(guardDuty.commandCalls(CreateDetectorCommand)).toHaveLength(0);
    expect(guardDuty.commandCalls(UpdateDetectorCommand)[0]?.args[0].input).toMatchObject({
      DetectorId: 'det-9',
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
    });
  });

  it('plans nothing when the detector and the organization configuration are as the config says', () => {
    const desired = { account: 'security', region: 'us-east-1', protectionPlans: [] as const };
    const off = {
      S3_DATA_EVENTS: 'DISABLED',
      EKS_AUDIT_LOGS: 'DISABLED',
      EBS_MALWARE_PROTECTION: 'DISABLED',
      RDS_LOGIN_EVENTS: 'DISABLED',
      LAMBDA_NETWORK_LOGS: 'DISABLED',
      RUNTIME_MONITORING: 'DISABLED',
    } as const;
    const none = Object.fromEntries(Object.keys(off).map((k) => [k, 'NONE']));
    expect(
      guardDutyDifferences(desired, {
        account: 'security',
        region: 'us-east-1',
        detector: { id: 'd', enabled: true, findingPublishingFrequency: 'FIFTEEN_MINUTES', features: off },
        organization: { autoEnableMembers: 'ALL', features: none },
      }),
    ).toEqual({ detector: {}, organization: {} });
  });

  it('in the sandbox, names the organization configuration as not emulated instead of planning it forever', () => {
    const config = configWith();
    const ctx = createOrgContext(config, new ClientFactory({ target: 'sandbox', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }));
    ctx.registry.accountIds.set('security', SECURITY);
    const kind = guardDutyKind(ctx);
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    const off = Object.fromEntries(
      ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'].map((k) => [
        k,
        'DISABLED',
      ]),
    );
    const outcomes = kind.diff(desired, {
      account: 'security',
      region: 'us-east-1',
      detector: { id: 'd', enabled: true, findingPublishingFrequency: 'FIFTEEN_MINUTES', features: off },
      organization: 'not-emulated',
    });
    expect(changesOf(outcomes)).toEqual([]);
    expect(findingsOf(outcomes)).toEqual([expect.objectContaining({ notEmulated: true, message: expect.stringContaining('UpdateOrganizationConfiguration') })]);
  });
});

describe('Security Hub with central configuration', () => {
  it('links the other governed regions to the home region, or none', () => {
    expect(aggregatorSettings(['eu-west-1'])).toEqual({ RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['eu-west-1'] });
    expect(aggregatorSettings([])).toEqual({ RegionLinkingMode: 'NO_REGIONS' });
  });

  it('enables the hub, the aggregator, CENTRAL, the groundwork policy with FSBP, and applies it to the root', async () => {
    securityHub.on(DescribeHubCommand).rejects(Object.assign(new Error('Account is not subscribed to AWS Security Hub'), { name: 'InvalidAccessException' }));
    securityHub.on(EnableSecurityHubCommand).resolves({});
    securityHub.on(ListFindingAggregatorsCommand).resolves({ FindingAggregators: [] });
    securityHub.on(CreateFindingAggregatorCommand).resolves({ FindingAggregatorArn: 'arn:aws:securityhub:us-east-1:222233334444:finding-aggregator/1' });
    securityHub.on(UpdateOrganizationConfigurationCommand).resolves({});
    securityHub
      .on(DescribeOrganizationConfigurationCommand)
      .resolvesOnce({ AutoEnable: false, OrganizationConfiguration: { ConfigurationType: 'LOCAL', Status: 'ENABLED' } })
      .resolvesOnce({ AutoEnable: false, OrganizationConfiguration: { ConfigurationType: 'CENTRAL', Status: 'PENDING' } })
      .resolves({ AutoEnable: false, OrganizationConfiguration: { ConfigurationType: 'CENTRAL', Status: 'ENABLED' } });
    securityHub.on(ListConfigurationPoliciesCommand).resolves({ ConfigurationPolicySummaries: [] });
    securityHub.on(GetConfigurationPolicyAssociationCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    securityHub.on(CreateConfigurationPolicyCommand).resolves({ Id: 'policy-1', Name: SECURITY_HUB_POLICY_NAME });
    securityHub.on(StartConfigurationPolicyAssociationCommand).resolves({ ConfigurationPolicyId: 'policy-1', TargetId: 'r-abcd', TargetType: 'ROOT' });

    const kind = securityHubKind(awsContext());
    const live = await kind.read();
    expect(live).toEqual([{ account: 'security', region: 'us-east-1', hub: false, central: undefined }]);
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    expect(desired).toMatchObject({ account: 'security', region: 'us-east-1', standards: [FSBP], linkedRegions: ['eu-west-1'], central: true });
    const [change] = changesOf(kind.diff(desired, live[0]));
    expect(change?.action).toBe('create');
    expect(Object.keys(change?.details ?? {})).toEqual(
      expect.arrayContaining(['hub', 'findingAggregator', 'configurationType', 'configurationPolicy', 'rootAssociation']),
    );
    const messages: string[] = [];
    await change?.run((m) => messages.push(m));

    expect(securityHub.commandCalls(EnableSecurityHubCommand)[0]?.args[0].input).toMatchObject({
      EnableDefaultStandards: false,
      ControlFindingGenerator: 'SECURITY_CONTROL',
    });
    expect(securityHub.commandCalls(CreateFindingAggregatorCommand)[0]?.args[0].input).toEqual({
      RegionLinkingMode: 'SPECIFIED_REGIONS',
      Regions: ['eu-west-1'],
    });
    expect(securityHub.commandCalls(UpdateOrganizationConfigurationCommand)[0]?.args[0].input).toEqual({
      AutoEnable: false,
      AutoEnableStandards: 'NONE',
      OrganizationConfiguration: { ConfigurationType: 'CENTRAL' },
    });
    expect(messages).toContain('Security Hub: central configuration pending');
    expect(securityHub.commandCalls(CreateConfigurationPolicyCommand)[0]?.args[0].input).toMatchObject({
      Name: SECURITY_HUB_POLICY_NAME,
      ConfigurationPolicy: {
        SecurityHub: { ServiceEnabled: true, EnabledStandardIdentifiers: [FSBP], SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] } },
      },
    });
    expect(securityHub.commandCalls(StartConfigurationPolicyAssociationCommand)[0]?.args[0].input).toEqual({
      ConfigurationPolicyIdentifier: 'policy-1',
      Target: { RootId: 'r-abcd' },
    });
  });

  it("fails with Security Hub's reason when the switch to central configuration fails", async () => {
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:us-east-1:222233334444:hub/default' });
    securityHub.on(ListFindingAggregatorsCommand).resolves({ FindingAggregators: [{ FindingAggregatorArn: 'arn:agg' }] });
    securityHub.on(GetFindingAggregatorCommand).resolves({ FindingAggregatorArn: 'arn:agg', RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['eu-west-1'] });
    securityHub.on(UpdateOrganizationConfigurationCommand).resolves({});
    securityHub
      .on(DescribeOrganizationConfigurationCommand)
      .resolvesOnce({ OrganizationConfiguration: { ConfigurationType: 'LOCAL', Status: 'ENABLED' } })
      .resolves({ OrganizationConfiguration: { ConfigurationType: 'CENTRAL', Status: 'FAILED', StatusMessage: 'no finding aggregator in the home Region' } });
    securityHub.on(ListConfigurationPoliciesCommand).resolves({ ConfigurationPolicySummaries: [] });
    securityHub.on(GetConfigurationPolicyAssociationCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const kind = securityHubKind(awsContext());
    const live = await kind.read();
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    const [change] = changesOf(kind.diff(desired, live[0]));
    expect(change?.details).not.toHaveProperty('findingAggregator');
    await expect(change?.run(() => {})).rejects.toThrow(/no finding aggregator in the home Region/);
    expect(securityHub.commandCalls(CreateConfigurationPolicyCommand)).toHaveLength(0);
  });

  it('plans nothing when hub, aggregator, CENTRAL, the policy and its root association are in place', async () => {
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:hub' });
    securityHub.on(ListFindingAggregatorsCommand).resolves({ FindingAggregators: [{ FindingAggregatorArn: 'arn:agg' }] });
    securityHub.on(GetFindingAggregatorCommand).resolves({ RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['eu-west-1'] });
    securityHub.on(DescribeOrganizationConfigurationCommand).resolves({ OrganizationConfiguration: { ConfigurationType: 'CENTRAL', Status: 'ENABLED' } });
    securityHub.on(ListConfigurationPoliciesCommand).resolves({ ConfigurationPolicySummaries: [{ Id: 'p-1', Name: SECURITY_HUB_POLICY_NAME }] });
    securityHub
      .on(GetConfigurationPolicyCommand)
      .resolves({ Id: 'p-1', ConfigurationPolicy: { SecurityHub: { ServiceEnabled: true, EnabledStandardIdentifiers: [FSBP] } } });
    securityHub
      .on(GetConfigurationPolicyAssociationCommand)
      .resolves({ ConfigurationPolicyId: 'p-1', AssociationType: 'APPLIED', AssociationStatus: 'SUCCESS' });
    const kind = securityHubKind(awsContext());
    const live = await kind.read();
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    expect(kind.diff(desired, live[0])).toEqual([]);
  });

  it('reads an enabled hub of an account not yet designated administrator as having no central configuration, instead of failing the plan', async () => {
    const denied = () => Object.assign(new Error('not the administrator'), { name: 'AccessDeniedException' });
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:hub' });
    securityHub.on(ListFindingAggregatorsCommand).resolves({ FindingAggregators: [] });
    securityHub.on(DescribeOrganizationConfigurationCommand).rejects(denied());
    securityHub.on(ListConfigurationPoliciesCommand).rejects(denied());
    securityHub.on(GetConfigurationPolicyAssociationCommand).rejects(denied());
    const kind = securityHubKind(awsContext());
    const live = await kind.read();
    expect(live[0]).toMatchObject({ hub: true, central: { aggregator: undefined, configurationType: undefined, policy: undefined, rootPolicyId: undefined } });
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    const [change] = changesOf(kind.diff(desired, live[0]));
    expect(Object.keys(change?.details ?? {})).toEqual([
      'account',
      'region',
      'findingAggregator',
      'configurationType',
      'configurationPolicy',
      'rootAssociation',
    ]);
  });

  it('a changed standard updates the policy, and a policy only inherited by the root is applied again', () => {
    const desired = {
      account: 'security',
      region: 'us-east-1',
      standards: [FSBP, 'arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0'],
      linkedRegions: [],
      central: true,
    };
    const differences = securityHubDifferences(desired, {
      account: 'security',
      region: 'us-east-1',
      hub: true,
      central: {
        aggregator: { arn: 'a', mode: 'NO_REGIONS', regions: [] },
        configurationType: 'CENTRAL',
        policy: { id: 'p-1', serviceEnabled: true, standards: [FSBP] },
      },
    });
    expect(Object.keys(differences)).toEqual(['configurationPolicy', 'rootAssociation']);
  });

  it('with the management account as administrator, enables its hub only and says central configuration needs a member account', () => {
    const ctx = awsContext((raw) => {
      delete raw.security.administratorAccount;
      raw.organization.accounts = raw.organization.accounts.filter((a: { name: string }) => a.name !== 'security');
    });
    const kind = securityHubKind(ctx);
    const [desired] = kind.desired();
    if (!desired) throw new Error('no desired item');
    expect(desired.central).toBe(false);
    const outcomes = kind.diff(desired, { account: desired.account, region: 'us-east-1', hub: true });
    expect(changesOf(outcomes)).toEqual([]);
    expect(findingsOf(outcomes)[0]?.message).toMatch(/needs a member account as delegated administrator/);
  });
});
