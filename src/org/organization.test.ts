import { EC2Client, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { DeleteAccountPasswordPolicyCommand, GetAccountPasswordPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
} from '@aws-sdk/client-organizations';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyOrg, configWith, planOrg, removeAccount, renameAccount, summary } from '../../test/helpers/org.js';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';
import { applyPlan } from '../engine/apply.js';
import { GroundworkError } from '../errors.js';
import { closeAccounts } from './kinds/account-kind.js';
import { BLOCK_PUBLIC_ACCESS, PASSWORD_POLICY } from './kinds/baseline-kinds.js';
import { createOrgContext } from './org-context.js';

const sandbox = useTestEmulator();
beforeEach(() => sandbox.emulator.reset());

const orgs = () => sandbox.emulator.clients().create(OrganizationsClient);

async function tree() {
  const client = orgs();
  const root = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
  const ous = (await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits ?? [];
  const result: Record<string, { id: string; accounts: string[]; policies: string[] }> = {};
  for (const ou of ous) {
    const accounts: string[] = [];
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: ou.Id as string }))
      accounts.push(...(page.Accounts ?? []).map((a) => a.Name as string));
    const policies = (await client.send(new ListPoliciesForTargetCommand({ TargetId: ou.Id as string, Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? [];
    result[ou.Name as string] = { id: ou.Id as string, accounts: accounts.sort(), policies: policies.map((p) => p.Name as string).sort() };
  }
  const rootPolicies = (await client.send(new ListPoliciesForTargetCommand({ TargetId: root, Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? [];
  return { root, ous: result, rootPolicies: rootPolicies.map((p) => p.Name as string).sort() };
}

async function accountId(name: string): Promise<string> {
  const { Accounts } = await orgs().send(new ListAccountsCommand({}));
  return Accounts?.find((a) => a.Name === name)?.Id as string;
}

describe('applying the default organization', () => {
  it('creates every OU, account, placement, SCP and attachment', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const t = await tree();
    expect(Object.keys(t.ous).sort()).toEqual(['CICD', 'Playground', 'Security', 'Stage']);
    expect(t.ous.Stage?.accounts).toEqual(['prod', 'staging']);
    expect(t.ous.Playground?.accounts).toEqual(['dev']);
    expect(t.ous.CICD?.accounts).toEqual(['cicd']);
    expect(t.ous.Security?.accounts).toEqual(['log-archive', 'security']);
    expect(t.rootPolicies).toEqual([
      'FullAWSAccess',
      'groundwork-deny-leave-organization',
      'groundwork-deny-root-user',
      'groundwork-protect-audit-trail',
      'groundwork-protect-groundwork-roles',
    ]);
    expect(t.ous.Playground?.policies).toEqual(['FullAWSAccess', 'groundwork-deny-commitment-purchases']);
    expect(t.ous.Stage?.policies).toEqual(['FullAWSAccess']);
    expect(t.ous.CICD?.policies).toEqual(['FullAWSAccess', 'groundwork-protect-delivery-repository']);
  });

  it('stores each guardrail document exactly as configured, and tags what it creates', async () => {
    const config = configWith();
    await applyOrg(config, sandbox.emulator.clients());
    const client = orgs();
    const t = await tree();
    const attached = (await client.send(new ListPoliciesForTargetCommand({ TargetId: t.root, Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? [];
    const leave = attached.find((p) => p.Name === 'groundwork-deny-leave-organization');
    const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: leave?.Id as string }));
    expect(Policy?.Content).toBe(config.serviceControlPolicies.find((p) => p.name === 'groundwork-deny-leave-organization')?.content);
    for (const id of [leave?.Id as string, t.ous.Stage?.id as string, await accountId('prod')]) {
      expect((await client.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toContainEqual({ Key: 'groundwork:managed', Value: 'true' });
    }
  });

  it('applies the account baseline in every member account', async () => {
    const config = configWith();
    await applyOrg(config, sandbox.emulator.clients());
    for (const account of config.organization.accounts) {
      const id = await accountId(account.name);
      const s3 = sandbox.emulator.clients().create(S3ControlClient, { accountId: id });
      expect((await s3.send(new GetPublicAccessBlockCommand({ AccountId: id }))).PublicAccessBlockConfiguration).toEqual(BLOCK_PUBLIC_ACCESS);
      for (const region of config.organization.governedRegions) {
        const ec2 = sandbox.emulator.clients(region).create(EC2Client, { accountId: id });
        expect((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
      }
      const iam = sandbox.emulator.clients().create(IAMClient, { accountId: id });
      expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({
        MinimumPasswordLength: PASSWORD_POLICY.MinimumPasswordLength,
        RequireSymbols: true,
      });
    }
  });

  it('re-plans to no changes after apply', async () => {
    const config = configWith();
    await applyOrg(config, sandbox.emulator.clients());
    const again = await planOrg(config, sandbox.emulator.clients());
    expect(summary(again)).toEqual([]);
    expect(again.unmanaged).toEqual([]);
  });
});

describe('the Playground guard', () => {
  it('creates the deny-new-spend SCP unattached, and leaves the budget action attachment alone', async () => {
    const config = configWith();
    await applyOrg(config, sandbox.emulator.clients());
    const client = orgs();
    const { Policies } = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    const guard = Policies?.find((p) => p.Name === 'groundwork-deny-new-spend');
    expect(guard?.Id).toMatch(/^p-/);
    expect((await client.send(new ListTargetsForPolicyCommand({ PolicyId: guard?.Id as string }))).Targets).toEqual([]);
    const { Policy } = await client.send(new DescribePolicyCommand({ PolicyId: guard?.Id as string }));
    expect(JSON.parse(Policy?.Content ?? '{}').Statement[0].Action).toContain('ec2:RunInstances');

    // What AWS Budgets does when dev's budget is spent:
    const dev = await accountId('dev');
    await client.send(new AttachPolicyCommand({ PolicyId: guard?.Id as string, TargetId: dev }));
    const again = await planOrg(config, sandbox.emulator.clients());
    expect(summary(again)).toEqual([]);
    expect(again.unmanaged.map((u) => u.message)).toContainEqual(expect.stringMatching(/attached to account dev by the Playground budget action; left as is/));
  });

  it('keeps room for the guard on the account when counting SCPs per target', async () => {
    const crowded = () =>
      configWith((raw) => {
        for (const n of [1, 2, 3, 4]) {
          raw.serviceControlPolicies.push({ name: `extra-${n}`, guardrail: 'deny-root-user', targets: { accounts: ['dev'] } });
        }
      });
    expect(crowded).toThrow(/account \\"dev\\" would carry 6 SCPs/);
  });
});

describe('minimal plans', () => {
  it('renaming an OU is one update, and accounts stay put', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const renamed = configWith((raw) => {
      raw.organization.organizationalUnits[2].name = 'Delivery';
      raw.organization.accounts.find((a: { name: string }) => a.name === 'cicd').organizationalUnit = 'Delivery';
      // Every reference to the OU follows the rename, as in a real edit of the config (the guardrail on it too).
      raw.serviceControlPolicies.find((p: { name: string }) => p.name === 'groundwork-protect-delivery-repository').targets.organizationalUnits = ['Delivery'];
    });
    const plan = await planOrg(renamed, sandbox.emulator.clients());
    // The OU is one update; the guardrail attached to it is planned again under the OU's new name, and stays attached.
    expect(summary(plan)).toEqual([
      'update ou:Delivery',
      'create scp-attachment:groundwork-protect-delivery-repository → OU Delivery',
      'delete scp-attachment:groundwork-protect-delivery-repository → OU CICD',
    ]);
    expect(plan.changes[0]?.details).toMatchObject({ rename: { from: 'CICD', to: 'Delivery' } });
    await applyPlan(plan);
    expect((await tree()).ous.Delivery?.accounts).toEqual(['cicd']);
    expect((await tree()).ous.Delivery?.policies).toEqual(['FullAWSAccess', 'groundwork-protect-delivery-repository']);
    expect(summary(await planOrg(renamed, sandbox.emulator.clients()))).toEqual([]);
  });

  it('adding an account creates only it and its baseline', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const added = configWith((raw) => raw.organization.accounts.push({ name: 'qa', organizationalUnit: 'Stage', environment: 'qa' }));
    const plan = await planOrg(added, sandbox.emulator.clients());
    expect(summary(plan)).toEqual([
      'create account:qa',
      'create s3-block-public-access:qa',
      'create ebs-encryption-by-default:qa/us-east-1',
      'create ebs-encryption-by-default:qa/eu-west-1',
      'create iam-password-policy:qa',
    ]);
    await applyPlan(plan);
    expect((await tree()).ous.Stage?.accounts).toEqual(['prod', 'qa', 'staging']);
  });

  it('moving an account between OUs is one move', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const moved = configWith((raw) => {
      raw.organization.accounts.find((a: { name: string }) => a.name === 'staging').organizationalUnit = 'Playground';
    });
    const plan = await planOrg(moved, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['move account:staging']);
    expect(plan.changes[0]?.details).toMatchObject({ from: 'Stage', to: 'Playground' });
    await applyPlan(plan);
    expect((await tree()).ous.Playground?.accounts).toEqual(['dev', 'staging']);
    expect(summary(await planOrg(moved, sandbox.emulator.clients()))).toEqual([]);
  });

  it('renaming an account (same e-mail) is one update, not a new account', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const renamed = configWith((raw) => {
      renameAccount(raw, 'dev', 'sandbox');
      raw.organization.accounts.find((a: { name: string }) => a.name === 'sandbox').email = 'aws+dev@example.com';
    });
    const plan = await planOrg(renamed, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['update account:sandbox']);
    expect(plan.changes[0]?.details).toMatchObject({ rename: { from: 'dev', to: 'sandbox' } });
    const result = await applyPlan(plan);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.error).toBeInstanceOf(GroundworkError);
    expect(String((result.failed[0]?.error as Error | undefined)?.message)).toMatch(
      /needs account:PutAccountName, which the emulator \(moto\) does not implement/,
    );
  });

  it('changing a guardrail document is one update', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const changed = configWith((raw) => {
      raw.organization.governedRegions = ['us-east-1', 'eu-west-1', 'eu-central-1'];
      raw.serviceControlPolicies.find((p: { name: string }) => p.name === 'groundwork-region-allow-list').enabled = true;
    });
    const plan = await planOrg(changed, sandbox.emulator.clients());
    expect(summary(plan).filter((line) => line.includes('scp'))).toEqual([
      'create scp:groundwork-region-allow-list',
      'create scp-attachment:groundwork-region-allow-list → OU Stage',
      'create scp-attachment:groundwork-region-allow-list → OU Playground',
      'create scp-attachment:groundwork-region-allow-list → OU CICD',
      'create scp-attachment:groundwork-region-allow-list → OU Security',
    ]);
  });

  it('disabling a guardrail detaches and deletes it', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const disabled = configWith((raw) => {
      raw.serviceControlPolicies.find((p: { name: string }) => p.name === 'groundwork-deny-commitment-purchases').enabled = false;
    });
    const plan = await planOrg(disabled, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['delete scp:groundwork-deny-commitment-purchases']);
    await applyPlan(plan);
    expect((await tree()).ous.Playground?.policies).toEqual(['FullAWSAccess']);
  });
});

describe('ownership', () => {
  it('leaves an unmanaged OU, account and policy alone and reports them', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const client = orgs();
    const { root } = await tree();
    await client.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Legacy' }));
    await client.send(new CreateAccountCommand({ AccountName: 'legacy-app', Email: 'legacy@example.com' }));
    await client.send(
      new CreatePolicyCommand({
        Name: 'legacy-policy',
        Description: 'hand-made',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}',
      }),
    );
    const plan = await planOrg(configWith(), sandbox.emulator.clients());
    expect(summary(plan)).toEqual([]);
    expect(plan.unmanaged.map((f) => `${f.kind} ${f.name}`).sort()).toEqual(['account legacy-app', 'ou Legacy', 'scp legacy-policy']);
    await applyPlan(plan);
    const t = await tree();
    expect(t.ous.Legacy).toBeDefined();
    expect(await accountId('legacy-app')).toMatch(/^\d{12}$/);
  });

  it('never closes an account removed from the config; it says so instead', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const fewer = configWith((raw) => {
      removeAccount(raw, 'cicd');
    });
    const plan = await planOrg(fewer, sandbox.emulator.clients());
    expect(summary(plan)).toEqual([]);
    expect(plan.attention.map((f) => f.message)).toEqual([
      expect.stringMatching(/account "cicd" \(\d{12}\) has left the config; it stays open\. Closing it needs `apply --allow-close`/),
    ]);
    await applyPlan(plan);
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts?.find((a) => a.Name === 'cicd')?.Status).toBe('ACTIVE');
  });

  it('closes such an account only by name, and refuses any other', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const fewer = configWith((raw) => {
      removeAccount(raw, 'cicd');
    });
    await expect(closeAccounts(createOrgContext(fewer, sandbox.emulator.clients()), ['prod'], () => {})).rejects.toThrow(
      /cannot close "prod": only accounts that Groundwork created \(tag groundwork:origin=created\) and that have left the config can be closed/,
    );
    await closeAccounts(createOrgContext(fewer, sandbox.emulator.clients()), ['cicd'], () => {});
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts?.find((a) => a.Name === 'cicd')?.Status).toBe('SUSPENDED');
  });

  it('adopts an existing account with the same e-mail instead of creating another', async () => {
    const client = orgs();
    await applyOrg(
      configWith((raw) => {
        raw.organization.accounts = [];
        delete raw.cost.playgroundGuard;
        raw.identityCenter = {};
        raw.workloads = {};
        raw.auth = {};
      }),
      sandbox.emulator.clients(),
    );
    await client.send(new CreateAccountCommand({ AccountName: 'Production', Email: 'aws+prod@example.com' }));
    const plan = await planOrg(configWith(), sandbox.emulator.clients());
    expect(summary(plan).filter((l) => l.includes(':prod') && !l.includes('/'))).toEqual(
      expect.arrayContaining(['update account:prod', 'update account:prod (adopt)', 'move account:prod:move']),
    );
    expect(summary(plan)).not.toContain('create account:prod');
  });
});

describe('accounts Groundwork adopted', () => {
  it('are tagged origin=adopted, reported but never closable once they leave the config', async () => {
    const client = orgs();
    await applyOrg(
      configWith((raw) => {
        raw.organization.accounts = raw.organization.accounts.filter((a: { name: string }) => a.name !== 'cicd');
        for (const a of raw.identityCenter.assignments) a.accounts = (a.accounts ?? []).filter((n: string) => n !== 'cicd');
        raw.workloads.backendService.pipelineAccount = 'dev';
      }),
      sandbox.emulator.clients(),
    );
    // An account that existed before Groundwork, then declared: adopted.
    await client.send(new CreateAccountCommand({ AccountName: 'cicd', Email: 'aws+cicd@example.com' }));
    await applyOrg(configWith(), sandbox.emulator.clients());
    const tags = (await client.send(new ListTagsForResourceCommand({ ResourceId: await accountId('cicd') }))).Tags ?? [];
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'groundwork:managed', Value: 'true' },
        { Key: 'groundwork:origin', Value: 'adopted' },
      ]),
    );
    const created = (await client.send(new ListTagsForResourceCommand({ ResourceId: await accountId('prod') }))).Tags ?? [];
    expect(created).toEqual(expect.arrayContaining([{ Key: 'groundwork:origin', Value: 'created' }]));

    // Removed from the config again: reported, never closable.
    const fewer = configWith((raw) => removeAccount(raw, 'cicd'));
    const plan = await planOrg(fewer, sandbox.emulator.clients());
    expect(plan.attention.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /account "cicd" \(\d{12}\) has left the config; it stays open, and Groundwork will never close it: it was adopted, not created, by Groundwork/,
      ),
    ]);
    await expect(closeAccounts(createOrgContext(fewer, sandbox.emulator.clients()), ['cicd'], () => {})).rejects.toThrow(/cannot close "cicd"/);
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts?.find((a) => a.Name === 'cicd')?.Status).toBe('ACTIVE');
  });
});

describe('renaming an account with the templated e-mail', () => {
  it('with renamedFrom, plans one rename update and no create, keeping the e-mail AWS has', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const renamed = configWith((raw) => {
      renameAccount(raw, 'dev', 'sandbox');
      raw.organization.accounts.find((a: { name: string }) => a.name === 'sandbox').renamedFrom = 'dev';
    });
    const plan = await planOrg(renamed, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['update account:sandbox']);
    expect(plan.changes[0]?.details).toMatchObject({ rename: { from: 'dev', to: 'sandbox' }, id: await accountId('dev') });
    expect(plan.attention).toEqual([]);
  });

  it('without renamedFrom, flags a possible rename and refuses to create the new account until told which it is', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const renamed = configWith((raw) => renameAccount(raw, 'dev', 'sandbox'));
    const plan = await planOrg(renamed, sandbox.emulator.clients());
    expect(plan.attention.map((f) => f.message)).toContainEqual(
      expect.stringMatching(
        /account "sandbox" is new in OU Playground, while managed account "dev" \(\d{12}\) has left the config from that OU; .*add `renamedFrom: dev` to "sandbox", for another account add `createNew: true`/,
      ),
    );
    const result = await applyPlan(plan);
    expect(result.failed.map((f) => `${f.change.id}: ${(f.error as GroundworkError).code}`)).toEqual(['account:sandbox: ACCOUNT_AMBIGUOUS']);
    // Its baseline waited for it and was skipped; no account was created.
    expect(result.skipped.map((c) => c.id)).toContain('s3-block-public-access:sandbox');
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Name)).not.toContain('sandbox');

    const confirmed = configWith((raw) => {
      renameAccount(raw, 'dev', 'sandbox');
      raw.organization.accounts.find((a: { name: string }) => a.name === 'sandbox').createNew = true;
    });
    const next = await planOrg(confirmed, sandbox.emulator.clients());
    expect(summary(next)).toContain('create account:sandbox');
    expect(next.attention.map((f) => f.message).join('\n')).not.toMatch(/new in OU/);
  });
});

describe('drift and limits', () => {
  it('shows drift when someone changes the baseline by hand, and repairs it', async () => {
    const config = configWith();
    await applyOrg(config, sandbox.emulator.clients());
    const id = await accountId('dev');
    await sandbox.emulator
      .clients()
      .create(S3ControlClient, { accountId: id })
      .send(new PutPublicAccessBlockCommand({ AccountId: id, PublicAccessBlockConfiguration: { ...BLOCK_PUBLIC_ACCESS, BlockPublicPolicy: false } }));
    await sandbox.emulator.clients().create(IAMClient, { accountId: id }).send(new DeleteAccountPasswordPolicyCommand({}));
    const plan = await planOrg(config, sandbox.emulator.clients());
    expect(summary(plan)).toEqual(['update s3-block-public-access:dev', 'create iam-password-policy:dev']);
    expect(plan.changes[0]?.details).toEqual({ BlockPublicPolicy: { from: false, to: true } });
    await applyPlan(plan);
    expect(summary(await planOrg(config, sandbox.emulator.clients()))).toEqual([]);
  });

  it('refuses a plan that would put more than five SCPs on a target, before writing anything', async () => {
    await applyOrg(configWith(), sandbox.emulator.clients());
    const client = orgs();
    const { ous } = await tree();
    for (const n of [1, 2, 3]) {
      const { Policy } = await client.send(
        new CreatePolicyCommand({
          Name: `hand-${n}`,
          Description: 'x',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:x","Resource":"*"}]}',
        }),
      );
      await client.send(new AttachPolicyCommand({ PolicyId: Policy?.PolicySummary?.Id as string, TargetId: ous.Playground?.id as string }));
    }
    const more = configWith((raw) => {
      raw.serviceControlPolicies.find((p: { name: string }) => p.name === 'groundwork-region-allow-list').enabled = true;
    });
    await expect(planOrg(more, sandbox.emulator.clients())).rejects.toThrow(/OU Playground would carry 6 SCPs .*; AWS allows 5/);
  });
});
