import { GuardDutyClient, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import {
  CreateOrganizationCommand,
  DescribePolicyCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListDelegatedAdministratorsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { applyOrg, configWith, planOrg, summary } from '../../test/helpers/org.js';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';
import { DATA_PERIMETER_POLICY } from '../config/security-catalog.js';
import { planToJson } from '../engine/plan.js';
import { GroundworkError } from '../errors.js';
import { DELEGATED_ADMINISTRATOR_NOT_EMULATED, SERVICE_ACCESS_NOT_EMULATED } from './kinds/security-kinds.js';
import { createOrgContext } from './org-context.js';
import { readRootCredentials } from './root-credentials.js';

// One emulator, one apply of the default organization: the tests below run in order on what it built (each apply of
// the default organization costs seconds), and the last one starts afresh.
const sandbox = useTestEmulator();
const orgs = () => sandbox.emulator.clients().create(OrganizationsClient);

describe('the security parts of the organization graph, on the emulator', () => {
  it('plans the security account, trusted access, delegated administrators and root access, naming what moto lacks', async () => {
    const plan = await planOrg(configWith(), sandbox.emulator.clients());
    const lines = summary(plan);
    expect(lines).toContain('create account:security');
    expect(lines).toEqual(expect.arrayContaining(['create trusted-access:guardduty.amazonaws.com', 'create trusted-access:securityhub.amazonaws.com']));
    expect(lines).toEqual(expect.arrayContaining(['create delegated-administrator:access-analyzer.amazonaws.com']));
    expect(lines).toEqual(
      expect.arrayContaining([
        'create delegated-administrator:guardduty.amazonaws.com@us-east-1',
        'create delegated-administrator:guardduty.amazonaws.com@eu-west-1',
      ]),
    );
    // Config and the data perimeter are opt-in: nothing of theirs by default.
    expect(lines.filter((l) => /config|rcp|RESOURCE_CONTROL/.test(l))).toEqual([]);
    const named = (plan.notEmulated ?? []).map((f) => `${f.kind} ${f.name}`);
    expect(named).toEqual(
      expect.arrayContaining([
        'trusted-access iam.amazonaws.com',
        'delegated-administrator securityhub.amazonaws.com@us-east-1',
        'delegated-administrator securityhub.amazonaws.com@eu-west-1',
      ]),
    );
    expect(planToJson(plan).notEmulated).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'trusted-access', name: 'iam.amazonaws.com' })]));
  });

  it('applies them, and a second plan has nothing left to do', async () => {
    const config = configWith();
    const { result } = await applyOrg(config, sandbox.emulator.clients());
    expect(result.failed).toEqual([]);
    expect(result.done.map((c) => c.id)).not.toContain('trusted-access:iam.amazonaws.com');
    const client = orgs();
    const accounts = (await client.send(new ListAccountsCommand({}))).Accounts ?? [];
    const security = accounts.find((a) => a.Name === 'security');
    expect(security).toBeDefined();
    const { DelegatedAdministrators } = await client.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'access-analyzer.amazonaws.com' }));
    expect(DelegatedAdministrators?.map((a) => a.Id)).toEqual([security?.Id]);
    for (const region of config.organization.governedRegions) {
      const gd = sandbox.emulator.clients(region).create(GuardDutyClient, { region });
      const { AdminAccounts } = await gd.send(new ListOrganizationAdminAccountsCommand({}));
      expect(AdminAccounts?.map((a) => a.AdminAccountId)).toEqual([security?.Id]);
    }
    // moto's account summary has no AccountPasswordPresent: the root credentials are named as not emulated, never as absent.
    const roots = await readRootCredentials(createOrgContext(config, sandbox.emulator.clients()), [security?.Id as string]);
    expect(roots.get(security?.Id as string)?.state).toBe('not-emulated');
    const again = await planOrg(config, sandbox.emulator.clients());
    expect(summary(again)).toEqual([]);
    // Root access is named as not emulated once the organization exists to ask about it.
    expect((again.notEmulated ?? []).map((f) => `${f.kind} ${f.name}`)).toEqual(
      expect.arrayContaining(['root-access RootCredentialsManagement', 'root-access RootSessions']),
    );
  });

  it('leaves a delegated administrator that the config gives to another account to a person', async () => {
    const client = orgs();
    const { Accounts } = await client.send(new ListAccountsCommand({}));
    const logArchive = Accounts?.find((a) => a.Name === 'log-archive')?.Id as string;
    const security = Accounts?.find((a) => a.Name === 'security')?.Id as string;
    // Someone made log-archive the Config administrator by hand; the config now turns Config on with security.
    await client.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'config-multiaccountsetup.amazonaws.com' }));
    await client.send(new RegisterDelegatedAdministratorCommand({ AccountId: logArchive, ServicePrincipal: 'config-multiaccountsetup.amazonaws.com' }));
    const plan = await planOrg(
      configWith((raw) => {
        raw.security.config = { enabled: true };
      }),
      sandbox.emulator.clients(),
    );
    expect(summary(plan).filter((l) => l.includes('delegated-administrator:config'))).toEqual([]);
    expect(plan.attention.map((f) => f.message)).toContainEqual(
      `account ${logArchive} is delegated administrator of config-multiaccountsetup.amazonaws.com, not security; remove it first (docs/runbooks/security.md, moving the administrator)`,
    );
    expect((plan.notEmulated ?? []).map((f) => f.name)).toContain('config.amazonaws.com');
    expect(security).not.toBe(logArchive);
  });

  it('enables resource control policies and attaches the data perimeter with the organization ID filled in', async () => {
    const config = configWith((raw) => {
      raw.security.resourceControlPolicies = { dataPerimeter: true, targets: { organizationalUnits: ['Stage'] } };
    });
    const first = await applyOrg(config, sandbox.emulator.clients());
    expect(summary(first.plan)).toEqual(
      expect.arrayContaining([
        'create policy-type:RESOURCE_CONTROL_POLICY',
        `create rcp:${DATA_PERIMETER_POLICY}`,
        `create rcp-attachment:${DATA_PERIMETER_POLICY} → OU Stage`,
      ]),
    );
    const client = orgs();
    const root = (await client.send(new ListRootsCommand({}))).Roots?.[0];
    expect(root?.PolicyTypes).toContainEqual({ Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' });
    const policies = (await client.send(new ListPoliciesCommand({ Filter: 'RESOURCE_CONTROL_POLICY' }))).Policies ?? [];
    const perimeter = policies.find((p) => p.Name === DATA_PERIMETER_POLICY);
    const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: perimeter?.Id as string }));
    const { Organization } = await client.send(new (await import('@aws-sdk/client-organizations')).DescribeOrganizationCommand({}));
    expect(Policy?.Content).not.toContain('{{organizationId}}');
    expect(JSON.parse(Policy?.Content ?? '{}').Statement[0].Condition.StringNotEqualsIfExists['aws:PrincipalOrgID']).toBe(Organization?.Id);
    // SCPs and RCPs stay apart: the SCP kinds see no RCP, and the Stage OU's SCPs are unchanged.
    const stage = (
      await client.send(new (await import('@aws-sdk/client-organizations')).ListOrganizationalUnitsForParentCommand({ ParentId: root?.Id as string }))
    ).OrganizationalUnits?.find((o) => o.Name === 'Stage');
    const rcpsOnStage =
      (await client.send(new ListPoliciesForTargetCommand({ TargetId: stage?.Id as string, Filter: 'RESOURCE_CONTROL_POLICY' }))).Policies ?? [];
    expect(rcpsOnStage.map((p) => p.Name)).toContain(DATA_PERIMETER_POLICY);
    const again = await planOrg(config, sandbox.emulator.clients());
    expect(summary(again)).toEqual([]);

    // Turned off, the managed RCP is detached and deleted, as a managed SCP is.
    const off = await planOrg(
      configWith((raw) => {
        raw.security.resourceControlPolicies = { dataPerimeter: false };
      }),
      sandbox.emulator.clients(),
    );
    expect(summary(off)).toEqual([`delete rcp:${DATA_PERIMETER_POLICY}`]);
  });

  it('refuses a plan that would put more RCPs on a target than AWS allows, counting those Groundwork does not manage', async () => {
    const client = orgs();
    const root = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const { CreatePolicyCommand, AttachPolicyCommand } = await import('@aws-sdk/client-organizations');
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '*' }] });
    for (const n of [1, 2, 3, 4]) {
      const { Policy } = await client.send(
        new CreatePolicyCommand({ Name: `hand-made-${n}`, Description: 'by hand', Content: doc, Type: 'RESOURCE_CONTROL_POLICY' }),
      );
      await client.send(new AttachPolicyCommand({ PolicyId: Policy?.PolicySummary?.Id as string, TargetId: root }));
    }
    const error = await planOrg(
      configWith((raw) => {
        raw.security.resourceControlPolicies = { dataPerimeter: true };
      }),
      sandbox.emulator.clients(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroundworkError);
    expect((error as Error).message).toMatch(/^Root would carry 6 RCPs \(.*groundwork-data-perimeter.*\); AWS allows 5$/);
  });

  it('names as not emulated only what moto 5.2 really refuses (the lists stay true)', async () => {
    await sandbox.emulator.reset();
    const client = orgs();
    await client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (const principal of SERVICE_ACCESS_NOT_EMULATED) {
      const error = await client.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal })).catch((e: unknown) => e);
      expect((error as Error).name).toBe('InvalidInputException');
    }
    for (const principal of ['guardduty.amazonaws.com', 'securityhub.amazonaws.com', 'config.amazonaws.com', 'config-multiaccountsetup.amazonaws.com']) {
      await expect(client.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }))).resolves.toBeDefined();
    }
    const { CreateAccountCommand } = await import('@aws-sdk/client-organizations');
    await client.send(new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' }));
    const member = (await client.send(new ListAccountsCommand({}))).Accounts?.find((a) => a.Name === 'member')?.Id as string;
    for (const principal of DELEGATED_ADMINISTRATOR_NOT_EMULATED) {
      const error = await client.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: principal })).catch((e: unknown) => e);
      expect((error as Error).name).toBe('InvalidInputException');
    }
    await expect(
      client.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: 'access-analyzer.amazonaws.com' })),
    ).resolves.toBeDefined();
    // moto answers IAM actions it lacks with an HTML error page (500), not an AWS error: the SDK cannot even parse it.
    const iam = sandbox.emulator.clients().create(IAMClient, { maxAttempts: 1 });
    const missing = (await iam.send(new ListOrganizationsFeaturesCommand({})).catch((e: unknown) => e)) as Error & { $metadata?: { httpStatusCode?: number } };
    expect(missing.$metadata?.httpStatusCode).toBe(500);
    expect(missing.message).toMatch(/XML parse error: mismatched tags <html>/);
  });
});
