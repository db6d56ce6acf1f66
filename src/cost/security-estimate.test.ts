import { describe, expect, it } from 'vitest';
import { configWith } from '../../test/helpers/org.js';
import type { Estimate } from './estimate.js';
import { PRICES } from './price-table.js';
import { securityServiceLines, withSecurityServices } from './security-estimate.js';

const empty: Estimate = { lines: [], accounts: [], foundationUsd: 10, workloadsUsd: 5, totalUsd: 15, assumptions: ['base'], prices: [] };

describe('the security services in cost-estimate', () => {
  it('prices the default (GuardDuty and Security Hub with FSBP, no Config) in each of the 7 accounts and 2 governed regions, at stated sample volumes', () => {
    const config = configWith();
    const { lines, assumptions } = securityServiceLines(config);
    const accounts = [...new Set(lines.map((l) => l.account))];
    expect(accounts).toHaveLength(7);
    expect(accounts).toContain('security');
    const prod = lines.filter((l) => l.account === 'prod');
    // GuardDuty: 2 regions × (0.1 M events × $4 + 0.5 GB × $1) = $1.80; Security Hub: 2 regions × 2,000 checks × $0.001 = $4.00.
    expect(prod.map((l) => [l.source, l.quantity, l.monthlyUsd])).toEqual([
      ['GuardDuty', 2, 1.8],
      ['Security Hub', 2, 4],
    ]);
    expect(lines.some((l) => l.source === 'AWS Config')).toBe(false);
    expect(assumptions.filter((a) => a.includes('sample volume'))).toHaveLength(3);
    expect(assumptions).toContainEqual(expect.stringMatching(/without AWS Config recording/));
  });

  it('adds Config when opted in, daily recording at its own price, and names opted-in protection plans as not estimated', () => {
    const config = configWith((raw) => {
      raw.security.config = { enabled: true, recordingFrequency: 'DAILY' };
      raw.security.guardDuty.protectionPlans = ['S3_DATA_EVENTS'];
    });
    const { lines, assumptions } = securityServiceLines(config);
    // 2 regions × 300 items × $0.012 = $7.20.
    expect(lines.find((l) => l.account === 'dev' && l.source === 'AWS Config')?.monthlyUsd).toBe(7.2);
    expect(assumptions).toContainEqual(expect.stringMatching(/S3_DATA_EVENTS: priced per use .* not estimated/));
  });

  it('costs nothing when every service is off', () => {
    const config = configWith((raw) => {
      raw.security.guardDuty.enabled = false;
      raw.security.securityHub.enabled = false;
    });
    expect(withSecurityServices(empty, config)).toBe(empty);
  });

  it('adds its lines to the per-account totals, the foundation and the total, and names each price page', () => {
    const estimate = withSecurityServices(empty, configWith());
    expect(estimate.foundationUsd).toBe(10 + 7 * (1.8 + 4));
    expect(estimate.totalUsd).toBe(estimate.foundationUsd + 5);
    expect(estimate.accounts.find((a) => a.account === 'security')?.monthlyUsd).toBe(5.8);
    for (const price of [PRICES.guardDutyManagementEvents, PRICES.securityHubCheck, PRICES.configItemContinuous])
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\/.+\/pricing\/$/);
  });
});
