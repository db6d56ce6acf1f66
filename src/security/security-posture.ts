import { GetDetectorCommand, GetFindingsStatisticsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { type AwsSecurityFinding, DescribeHubCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { isError, isUnsupportedByEmulator } from '../aws/aws-error.js';
import { allAccounts } from '../config/resolved-config.js';
import { mapLimit } from '../engine/concurrency.js';
import { GUARD_DUTY_SEVERITY_FLOOR, labelsFrom } from '../infra/constructs/security-findings.js';
import type { OrgContext } from '../org/org-context.js';
import { SAMPLE_FINDING_GENERATOR } from '../sandbox/sample-findings.js';
import { administratorClientOptions, securityAdministrator } from './administrator.js';

/** A service's state in one account: on, off, not readable (with the reason), or not answered by the emulator. */
export type ServiceState = 'enabled' | 'disabled' | 'off-in-config' | 'unknown' | 'not-emulated';

/** One account's security services, as the Environments page shows them. */
export interface AccountSecurity {
  readonly account: string;
  readonly accountId: string;
  /** GuardDuty in the home region: the account's own detector. */
  readonly guardDuty: ServiceState;
  /** Security Hub in the home region: the account's own hub. */
  readonly securityHub: ServiceState;
  /** Active findings at or above the configured severity, per service; null when it could not be counted (see notes). */
  readonly highFindings: { readonly guardDuty: number | null; readonly securityHub: number | null };
}

/** The organization's security posture: per account, with what could not be read and why. */
export interface SecurityPosture {
  readonly minimumSeverity: string;
  readonly administrator: string;
  readonly region: string;
  readonly accounts: readonly AccountSecurity[];
  /** What could not be read or counted, each with its reason (the emulator's missing APIs are named). */
  readonly notes: readonly string[];
  /** True when counted findings include the sandbox's sample findings (`groundwork up` seeds them, titled `[sample] …`). */
  readonly sample: boolean;
}

/** At most this many pages of Security Hub findings (100 each) are counted; beyond it the count is a lower bound, and said so. */
export const SECURITY_HUB_PAGES = 20;

/**
 * True for a Security Hub finding that counts as an active high finding: at or above the minimum label, active, new or
 * notified (not resolved or suppressed), and not GuardDuty's (counted from GuardDuty itself). Applied in-process too,
 * because the emulator ignores GetFindings' filters.
 */
export function isActiveHighFinding(finding: AwsSecurityFinding, minimum: Parameters<typeof labelsFrom>[0]): boolean {
  const labels: readonly string[] = labelsFrom(minimum);
  const workflow = finding.Workflow?.Status ?? finding.WorkflowState ?? 'NEW';
  return (
    labels.includes(finding.Severity?.Label ?? '') &&
    (finding.RecordState ?? 'ACTIVE') === 'ACTIVE' &&
    (workflow === 'NEW' || workflow === 'NOTIFIED') &&
    finding.ProductName !== 'GuardDuty'
  );
}

/**
 * Reads GuardDuty's and Security Hub's state in every active account (its own detector and hub in the home region,
 * through its access role; the management account as the caller) and counts the active findings at or above
 * `security.findings.minimumSeverity` from the administrator account, where both aggregate the organization's findings.
 * Never fails as a whole: what cannot be read is `unknown` or `not-emulated`, with a note.
 */
export async function readSecurityPosture(ctx: OrgContext): Promise<SecurityPosture> {
  const { config, registry } = ctx;
  const region = config.organization.homeRegion;
  const minimum = config.security.findings.minimumSeverity;
  const emulator = ctx.clients.settings.target === 'sandbox' || ctx.clients.settings.endpoint !== undefined;
  const notes = new Set<string>();
  const admin = securityAdministrator(ctx);
  const management = config.organization.managementAccount.name;
  const accounts = allAccounts(config)
    .map((a) => ({ name: a.name, id: a.name === management ? registry.managementAccountId : registry.accountIds.get(a.name) }))
    .filter((a): a is { name: string; id: string } => a.id !== undefined);
  const optionsFor = (name: string, id: string) => ({ ...(name === management ? {} : { accountId: id }), region });
  const failed = (service: string, name: string, error: unknown): ServiceState => {
    if (emulator && isUnsupportedByEmulator(error)) {
      notes.add(`${service}: the emulator has no such API (not emulated)`);
      return 'not-emulated';
    }
    notes.add(`${service} in ${name}: ${(error as Error).name}: ${(error as Error).message}`);
    return 'unknown';
  };

  const states = await mapLimit(accounts, ctx.readConcurrency, async ({ name, id }) => {
    let guardDuty: ServiceState = 'off-in-config';
    if (config.security.guardDuty.enabled) {
      try {
        const gd = ctx.clients.create(GuardDutyClient, optionsFor(name, id));
        const [detector] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
        guardDuty = detector && (await gd.send(new GetDetectorCommand({ DetectorId: detector }))).Status === 'ENABLED' ? 'enabled' : 'disabled';
      } catch (error) {
        guardDuty = failed('GuardDuty', name, error);
      }
    }
    let securityHub: ServiceState = 'off-in-config';
    if (config.security.securityHub.enabled) {
      securityHub = await ctx.clients
        .create(SecurityHubClient, optionsFor(name, id))
        .send(new DescribeHubCommand({}))
        .then(
          (): ServiceState => 'enabled',
          (error: unknown): ServiceState =>
            isError(error, 'InvalidAccessException', 'ResourceNotFoundException') ? 'disabled' : failed('Security Hub', name, error),
        );
    }
    return { name, id, guardDuty, securityHub };
  });

  if (emulator && states.some((s) => s.name !== admin.name && (s.guardDuty === 'disabled' || s.securityHub === 'disabled')))
    notes.add(
      "GuardDuty's auto-enable and Security Hub's central configuration are not emulated: in the sandbox only the administrator account has them; on AWS every account does",
    );
  const guardDutyCounts = new Map<string, number>();
  const securityHubCounts = new Map<string, number>();
  let guardDutyCounted = false;
  let securityHubCounted = false;
  let sample = false;
  if (admin.accountId) {
    const options = administratorClientOptions(admin, region, false);
    if (config.security.guardDuty.enabled) {
      try {
        const gd = ctx.clients.create(GuardDutyClient, options);
        const [detector] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
        if (detector) {
          const stats = await gd.send(
            new GetFindingsStatisticsCommand({
              DetectorId: detector,
              GroupBy: 'ACCOUNT',
              FindingCriteria: { Criterion: { severity: { Gte: GUARD_DUTY_SEVERITY_FLOOR[minimum] }, 'service.archived': { Eq: ['false'] } } },
            }),
          );
          for (const a of stats.FindingStatistics?.GroupedByAccount ?? []) if (a.AccountId) guardDutyCounts.set(a.AccountId, a.TotalFindings ?? 0);
          guardDutyCounted = true;
        } else notes.add(`GuardDuty findings: no detector in ${admin.name} (${region}) yet`);
      } catch (error) {
        if (emulator && isUnsupportedByEmulator(error)) notes.add('GuardDuty findings: the emulator has no GetFindingsStatistics (not emulated)');
        else notes.add(`GuardDuty findings in ${admin.name}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    if (config.security.securityHub.enabled) {
      try {
        const hub = ctx.clients.create(SecurityHubClient, options);
        const eq = (Value: string) => ({ Value, Comparison: 'EQUALS' as const });
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await hub.send(
            new GetFindingsCommand({
              Filters: {
                SeverityLabel: labelsFrom(minimum).map(eq),
                RecordState: [eq('ACTIVE')],
                WorkflowStatus: [eq('NEW'), eq('NOTIFIED')],
                ProductName: [{ Value: 'GuardDuty', Comparison: 'NOT_EQUALS' }],
              },
              MaxResults: 100,
              NextToken: token,
            }),
          );
          for (const f of page.Findings ?? []) {
            if (!f.AwsAccountId || !isActiveHighFinding(f, minimum)) continue;
            securityHubCounts.set(f.AwsAccountId, (securityHubCounts.get(f.AwsAccountId) ?? 0) + 1);
            if (f.GeneratorId === SAMPLE_FINDING_GENERATOR) sample = true;
          }
          token = page.NextToken;
          pages++;
        } while (token && pages < SECURITY_HUB_PAGES);
        if (token) notes.add(`Security Hub findings: counted the first ${SECURITY_HUB_PAGES * 100}; there are more (the counts are lower bounds)`);
        securityHubCounted = true;
      } catch (error) {
        if (isError(error, 'InvalidAccessException')) notes.add(`Security Hub findings: no hub in ${admin.name} (${region}) yet`);
        else if (emulator && isUnsupportedByEmulator(error)) notes.add('Security Hub findings: the emulator has no GetFindings (not emulated)');
        else notes.add(`Security Hub findings in ${admin.name}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  } else notes.add(`the administrator account ${admin.name} does not exist yet: no findings to count`);

  return {
    minimumSeverity: minimum,
    administrator: admin.name,
    region,
    accounts: states.map((s) => ({
      account: s.name,
      accountId: s.id,
      guardDuty: s.guardDuty,
      securityHub: s.securityHub,
      highFindings: {
        guardDuty: guardDutyCounted ? (guardDutyCounts.get(s.id) ?? 0) : null,
        securityHub: securityHubCounted ? (securityHubCounts.get(s.id) ?? 0) : null,
      },
    })),
    notes: [...notes],
    sample,
  };
}
