import { allAccounts, type GroundworkConfig } from '../config/resolved-config.js';
import type { Estimate, EstimateLine } from './estimate.js';
import { PRICES } from './price-table.js';

/**
 * The volumes the security services are priced at: they are priced per use, not per resource, so each figure is an
 * assumption printed with the estimate. Sample volumes for a quiet account, not a measurement: the services' own
 * usage pages (GuardDuty and Security Hub, from the administrator account) give the real ones after their free trials.
 */
export const SECURITY_ASSUMPTIONS = {
  guardDutyEventsMillions: {
    value: 0.1,
    text: 'GuardDuty: 100,000 CloudTrail management events per account and region a month (sample volume)',
  },
  guardDutyFlowDnsGb: { value: 0.5, text: 'GuardDuty: 0.5 GB of VPC flow and DNS logs per account and region a month (sample volume)' },
  securityHubChecks: {
    value: 2000,
    text: 'Security Hub CSPM: 2,000 security checks per account and region a month per standard (a small account; periodic controls run every 12 or 24 h) (sample volume)',
  },
  configItems: { value: 1000, text: 'AWS Config: 1,000 configuration items recorded per account and region a month (sample volume)' },
  configItemsDaily: {
    value: 300,
    text: 'AWS Config (daily recording): 300 configuration items per account and region a month (sample volume)',
  },
} as const;

const round = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The monthly cost of GuardDuty, Security Hub CSPM and AWS Config as the config turns them on, per account: every
 * account of the organization, in every governed region, at the sample volumes of {@link SECURITY_ASSUMPTIONS}.
 * Opted-in GuardDuty protection plans are priced per use of their own and named, not estimated.
 */
export function securityServiceLines(config: GroundworkConfig): { lines: EstimateLine[]; assumptions: string[] } {
  const { guardDuty, securityHub, config: recording } = config.security;
  const regions = config.organization.governedRegions.length;
  const lines: EstimateLine[] = [];
  const assumptions = new Set<string>();
  const line = (account: string, source: string, item: string, monthlyUsd: number, basis: string) =>
    lines.push({ account, source, item, quantity: regions, monthlyUsd: round(monthlyUsd), basis, workload: false });
  for (const { name } of allAccounts(config)) {
    if (guardDuty.enabled) {
      const a = SECURITY_ASSUMPTIONS;
      const perRegion = a.guardDutyEventsMillions.value * PRICES.guardDutyManagementEvents.usd + a.guardDutyFlowDnsGb.value * PRICES.guardDutyFlowDnsGb.usd;
      line(
        name,
        'GuardDuty',
        'GuardDuty foundational threat detection (per region)',
        regions * perRegion,
        `${regions} region(s) × (${a.guardDutyEventsMillions.value} M events × $${PRICES.guardDutyManagementEvents.usd} + ${a.guardDutyFlowDnsGb.value} GB × $${PRICES.guardDutyFlowDnsGb.usd})`,
      );
      assumptions.add(a.guardDutyEventsMillions.text).add(a.guardDutyFlowDnsGb.text);
    }
    if (securityHub.enabled) {
      const checks = SECURITY_ASSUMPTIONS.securityHubChecks.value * securityHub.standards.length;
      line(
        name,
        'Security Hub',
        `Security Hub CSPM security checks (${securityHub.standards.join(', ')})`,
        regions * checks * PRICES.securityHubCheck.usd,
        `${regions} region(s) × ${checks} checks × $${PRICES.securityHubCheck.usd}`,
      );
      assumptions.add(SECURITY_ASSUMPTIONS.securityHubChecks.text);
    }
    if (recording.enabled) {
      const daily = recording.recordingFrequency === 'DAILY';
      const items = daily ? SECURITY_ASSUMPTIONS.configItemsDaily : SECURITY_ASSUMPTIONS.configItems;
      const price = daily ? PRICES.configItemDaily : PRICES.configItemContinuous;
      line(
        name,
        'AWS Config',
        `AWS Config recording (${daily ? 'daily' : 'continuous'})`,
        regions * items.value * price.usd,
        `${regions} region(s) × ${items.value} items × $${price.usd}`,
      );
      assumptions.add(items.text);
    }
  }
  if (guardDuty.enabled && guardDuty.protectionPlans.length > 0)
    assumptions.add(
      `GuardDuty protection plans ${guardDuty.protectionPlans.join(', ')}: priced per use of their own (events, GB, vCPU-hours, scans) and not estimated here; ${PRICES.guardDutyManagementEvents.source}`,
    );
  if (securityHub.enabled && !recording.enabled)
    assumptions.add(
      'Security Hub CSPM without AWS Config recording (security.config.enabled false): most of its controls have no data, so fewer checks run; the Config line appears once recording is on',
    );
  return { lines, assumptions: [...assumptions] };
}

/** The estimate with the security services' lines added: per-account totals, the foundation and the total again. */
export function withSecurityServices(estimate: Estimate, config: GroundworkConfig): Estimate {
  const { lines: added, assumptions } = securityServiceLines(config);
  if (added.length === 0 && assumptions.length === 0) return estimate;
  const lines = [...estimate.lines, ...added];
  const byAccount = new Map<string, number>();
  for (const l of lines) byAccount.set(l.account, (byAccount.get(l.account) ?? 0) + l.monthlyUsd);
  const foundationUsd = round(estimate.foundationUsd + added.reduce((s, l) => s + l.monthlyUsd, 0));
  return {
    ...estimate,
    lines,
    accounts: [...byAccount].map(([account, usd]) => ({ account, monthlyUsd: round(usd) })),
    foundationUsd,
    totalUsd: round(foundationUsd + estimate.workloadsUsd),
    assumptions: [...estimate.assumptions, ...assumptions],
  };
}
