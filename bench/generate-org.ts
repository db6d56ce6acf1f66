import { stringify } from 'yaml';

/** A config text for an organization of `accounts` accounts (one of them `log-archive`) spread over `ous` OUs, with guardrails and identity. */
export function generateOrgConfig(options: { accounts: number; ous: number; baseConfig?: Record<string, unknown> }): string {
  const organizationalUnits = Array.from({ length: options.ous }, (_, i) => ({ name: `OU${String(i + 1).padStart(3, '0')}` }));
  // One of the accounts is the log archive, so the audit stacks are part of the organization as in the default config.
  const accounts = [
    ...Array.from({ length: options.accounts - 1 }, (_, i) => ({
      name: `acct-${String(i + 1).padStart(4, '0')}`,
      organizationalUnit: organizationalUnits[i % options.ous]?.name,
      monthlyBudgetUsd: 100,
    })),
    { name: 'log-archive', organizationalUnit: organizationalUnits[0]?.name, monthlyBudgetUsd: 100 },
  ];
  return stringify({
    organization: {
      homeRegion: 'us-east-1',
      governedRegions: ['us-east-1'],
      accountEmailTemplate: 'aws+{account}@example.com',
      organizationalUnits,
      accounts,
    },
    serviceControlPolicies: [
      { name: 'groundwork-deny-leave-organization', guardrail: 'deny-leave-organization', targets: { root: true } },
      { name: 'groundwork-deny-root-user', guardrail: 'deny-root-user', targets: { root: true } },
      {
        name: 'groundwork-deny-commitment-purchases',
        guardrail: 'deny-commitment-purchases',
        targets: { organizationalUnits: [organizationalUnits[0]?.name] },
      },
    ],
    identityCenter: {
      permissionSets: [{ name: 'ReadOnly', sessionDurationHours: 8, managedPolicies: ['ReadOnlyAccess'] }],
      groups: [{ name: 'Operators' }],
      assignments: [{ group: 'Operators', permissionSet: 'ReadOnly', allAccounts: true }],
    },
    notifications: { operatorEmails: ['ops@example.com'] },
  });
}
