import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeOrganizationCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClientFactory } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';
import type { GroundworkConfig } from '../config/resolved-config.js';

/** The service principal of CloudFormation StackSets' trusted access. */
export const STACKSETS_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';

/** One preflight check's outcome. */
export interface PreflightCheck {
  readonly id: string;
  readonly title: string;
  /** `fixed-by-deploy`: off now, and deploy turns it on itself; `not-emulated`: the emulator has no such API. */
  readonly status: 'pass' | 'fail' | 'fixed-by-deploy' | 'not-emulated';
  readonly detail: string;
  /** What to do when it fails. */
  readonly fix?: string;
}

/** What the checks need: clients of the caller's account, the config, and how many accounts and StackSets deploy adds. */
export interface PreflightInput {
  readonly clients: ClientFactory;
  readonly config: GroundworkConfig;
  /** The StackSets deploy would create (not there yet). */
  readonly newStackSets: number;
  /** True against the emulator: APIs moto lacks are reported as not emulated, never as passed. */
  readonly sandbox: boolean;
  /** Today, for the Cost Explorer probe's one-day window. @default the system clock */
  readonly now?: Clock;
}

const NOT_EMULATED_ERRORS = /NotImplemented|not (yet )?implemented|UnknownOperation|InvalidAction|404/i;

/** The quota named like `pattern` for a service (applied value, else AWS's default), or undefined. */
async function quota(clients: ClientFactory, service: string, pattern: RegExp): Promise<number | undefined> {
  const sq = clients.create(ServiceQuotasClient, { region: 'us-east-1' });
  const { Quotas } = await sq.send(new ListServiceQuotasCommand({ ServiceCode: service, MaxResults: 100 }));
  return Quotas?.find((q) => pattern.test(q.QuotaName ?? ''))?.Value;
}

function errorText(error: unknown): string {
  return `${(error as Error).name}: ${(error as Error).message}`;
}

/** Runs one check; an API the emulator lacks becomes `not-emulated`, any other error a failure that says what failed. */
async function check(input: PreflightInput, id: string, title: string, body: () => Promise<Omit<PreflightCheck, 'id' | 'title'>>): Promise<PreflightCheck> {
  try {
    return { id, title, ...(await body()) };
  } catch (error) {
    const text = errorText(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (input.sandbox && (NOT_EMULATED_ERRORS.test(text) || status === 404 || status === 500 || /XML parse/.test(text))) {
      return { id, title, status: 'not-emulated', detail: `the emulator cannot answer this (${(error as Error).name})` };
    }
    return {
      id,
      title,
      status: 'fail',
      detail: `could not check: ${text}`,
      fix: 'grant the caller read access to this API (the plan role has it), then run again',
    };
  }
}

/**
 * Read-only checks, in parallel, before deploy changes anything: who the caller is, what the organization allows,
 * the quotas a first run needs, and the regions. Each failed check carries its fix.
 */
export async function runPreflight(input: PreflightInput): Promise<PreflightCheck[]> {
  const { clients, config } = input;
  const org = clients.create(OrganizationsClient);
  const organization = org.send(new DescribeOrganizationCommand({})).then(
    (r) => r.Organization,
    (error: Error) => {
      if (error.name === 'AWSOrganizationsNotInUseException') return undefined;
      throw error;
    },
  );
  const callerAccount = clients
    .create(STSClient)
    .send(new GetCallerIdentityCommand({}))
    .then((r) => r.Account ?? '');

  return Promise.all([
    check(input, 'caller', 'Caller is the management account', async () => {
      const [o, account] = await Promise.all([organization, callerAccount]);
      if (!o) return { status: 'pass', detail: `account ${account} has no organization yet; deploy creates it with this account as its management account` };
      if (o.MasterAccountId === account) return { status: 'pass', detail: `account ${account} manages organization ${o.Id}` };
      // A member account may not list delegated administrators: then it is not one.
      let delegated = false;
      try {
        const r = await org.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS_PRINCIPAL }));
        delegated = (r?.DelegatedAdministrators ?? []).some((a) => a.Id === account);
      } catch {
        delegated = false;
      }
      return {
        status: 'fail',
        detail: delegated
          ? `account ${account} is the delegated administrator for StackSets of ${o.Id}, which can deploy StackSets (CallAs DELEGATED_ADMIN) but not the organization, Identity Center or the management stacks`
          : `account ${account} is a member of organization ${o.Id}, not its management account ${o.MasterAccountId}`,
        fix: `use credentials (--profile) of the management account ${o.MasterAccountId}`,
      };
    }),
    check(input, 'all-features', 'All features enabled', async () => {
      const o = await organization;
      if (!o) return { status: 'pass', detail: 'the organization deploy creates has all features' };
      return o.FeatureSet === 'ALL'
        ? { status: 'pass', detail: 'FeatureSet ALL (SCPs and trusted access work)' }
        : {
            status: 'fail',
            detail: `FeatureSet is ${o.FeatureSet}: SCPs and service-managed StackSets need all features`,
            fix: 'aws organizations enable-all-features, then have every member account accept (docs/runbooks/first-deploy.md, step 2)',
          };
    }),
    check(input, 'stacksets-access', 'Trusted access for CloudFormation StackSets', async () => {
      if (!(await organization)) return { status: 'fixed-by-deploy', detail: 'no organization yet; deploy turns trusted access on after creating it' };
      const { EnabledServicePrincipals } = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
      return EnabledServicePrincipals?.some((p) => p.ServicePrincipal === STACKSETS_PRINCIPAL)
        ? { status: 'pass', detail: `${STACKSETS_PRINCIPAL} is enabled` }
        : { status: 'fixed-by-deploy', detail: 'off; deploy turns it on (cloudformation ActivateOrganizationsAccess) before the first StackSet' };
    }),
    check(input, 'identity-center', "IAM Identity Center's organization instance", async () => {
      const { Instances } = await clients.create(SSOAdminClient).send(new ListInstancesCommand({}));
      return (Instances ?? []).length > 0
        ? { status: 'pass', detail: `instance ${Instances?.[0]?.InstanceArn}` }
        : {
            status: 'fail',
            detail: 'no instance: the sign-in portal, permission sets and people need one, and no API can create it',
            fix: `enable it in the console of the management account, in ${config.organization.homeRegion} (docs/runbooks/identity-center.md)`,
          };
    }),
    check(input, 'cost-explorer', 'Cost Explorer enabled', async () => {
      const end = (input.now ?? systemClock)();
      const start = new Date(end.getTime() - 86_400_000);
      const day = (d: Date) => d.toISOString().slice(0, 10);
      try {
        await clients
          .create(CostExplorerClient, { region: 'us-east-1' })
          .send(new GetCostAndUsageCommand({ TimePeriod: { Start: day(start), End: day(end) }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] }));
        return { status: 'pass', detail: 'it answers (one request, $0.01)' };
      } catch (error) {
        if (/not enabled|DataUnavailable|opted in/i.test(errorText(error))) {
          return {
            status: 'fail',
            detail: `Cost Explorer does not answer yet (${(error as Error).name}); the cost commands and statements need it`,
            fix: 'open Billing → Cost Explorer in the management account once to enable it; data appears within 24 hours (docs/runbooks/cost.md)',
          };
        }
        throw error;
      }
    }),
    check(input, 'account-quota', 'Accounts in the organization (quota)', async () => {
      const existing: string[] = [];
      if (await organization)
        for await (const page of paginateListAccounts({ client: org }, {})) existing.push(...(page.Accounts ?? []).map((a) => a.Name ?? ''));
      const wanted = new Set([config.organization.managementAccount.name, ...config.organization.accounts.map((a) => a.name)]);
      const after = new Set([...existing, ...wanted]).size;
      const limit = input.sandbox ? undefined : ((await quota(clients, 'organizations', /accounts/i)) ?? 10);
      if (limit === undefined) return { status: 'not-emulated', detail: `${after} account(s) after deploy; the emulator has no Organizations quota` };
      return after <= limit
        ? { status: 'pass', detail: `${after} account(s) after deploy, quota ${limit}` }
        : {
            status: 'fail',
            detail: `${after} account(s) after deploy, over the quota of ${limit}`,
            fix: `request an increase of "Default maximum number of accounts" to at least ${after} in Service Quotas (us-east-1), then run again`,
          };
    }),
    check(input, 'stackset-quota', 'StackSets per administrator account (quota)', async () => {
      const { Summaries } = await clients.create(CloudFormationClient).send(new ListStackSetsCommand({ Status: 'ACTIVE' }));
      const after = (Summaries ?? []).length + input.newStackSets;
      const limit = input.sandbox ? undefined : ((await quota(clients, 'cloudformation', /stack ?sets?.*administrator/i)) ?? 1000);
      if (limit === undefined) return { status: 'not-emulated', detail: `${after} StackSet(s) after deploy; the emulator has no CloudFormation quotas` };
      return after <= limit
        ? { status: 'pass', detail: `${after} StackSet(s) after deploy, quota ${limit}; deploy runs one StackSet operation at a time` }
        : {
            status: 'fail',
            detail: `${after} StackSets after deploy, over the quota of ${limit}`,
            fix: 'delete unused StackSets or request an increase in Service Quotas',
          };
    }),
    check(input, 'regions', 'Home region enabled, us-east-1 reachable', async () => {
      const home = config.organization.homeRegion;
      const { Regions } = await clients.create(EC2Client).send(new DescribeRegionsCommand({ AllRegions: true, RegionNames: [home] }));
      const status = Regions?.[0]?.OptInStatus;
      if (status === 'not-opted-in') {
        return {
          status: 'fail',
          detail: `${home} is an opt-in region that is not enabled`,
          fix: `enable ${home} in the account settings, or choose another organization.homeRegion`,
        };
      }
      // Billing resources (budgets, Cost Explorer, CUR) live in us-east-1 whatever the home region.
      await clients.create(STSClient, { region: 'us-east-1' }).send(new GetCallerIdentityCommand({}));
      return { status: 'pass', detail: `${home} ${status ?? 'enabled'}; us-east-1 answers (billing resources live there)` };
    }),
  ]);
}
