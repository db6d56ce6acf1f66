import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import type { AccountSecurity, AccountStatus, CostOverview, EnvironmentCost, OrganizationStatus, SecurityPosture } from '../api';
import { useApi } from '../hooks';
import type { Route } from '../router';
import { AsOf, Empty, Guarded, LoadError, SampleBadge } from '../states';

/**
 * What the account's root user still has, as the organization status reads it (IAM's account summary through the
 * access role); null for the management account, whose root Groundwork does not judge.
 */
type RootCredentialsView =
  | { state: 'present'; password: boolean; accessKeys: boolean; signingCertificates: boolean; mfa: boolean }
  | { state: 'absent' }
  | { state: 'not-emulated' | 'unknown'; reason: string };

function RootCredentialsCell({ root }: { root: RootCredentialsView | null | undefined }) {
  if (root === undefined) return <>—</>;
  if (root === null) return <Box variant="small">not judged (management account)</Box>;
  if (root.state === 'absent') return <StatusIndicator type="success">none</StatusIndicator>;
  if (root.state === 'present') {
    const what = [root.password ? 'password' : '', root.accessKeys ? 'access keys' : '', root.signingCertificates ? 'signing certificates' : ''].filter(
      Boolean,
    );
    return <StatusIndicator type="error">{`present: ${what.join(', ')}${root.password && !root.mfa ? ' (no MFA)' : ''}`}</StatusIndicator>;
  }
  // The reason is long: it is the cell's tooltip.
  return (
    <span title={root.reason}>
      <StatusIndicator type={root.state === 'not-emulated' ? 'info' : 'warning'}>{root.state === 'not-emulated' ? 'not emulated' : 'unknown'}</StatusIndicator>
    </span>
  );
}

const SERVICE_STATE: Record<AccountSecurity['guardDuty'], { type: 'success' | 'error' | 'stopped' | 'warning' | 'info'; text: string }> = {
  enabled: { type: 'success', text: 'enabled' },
  disabled: { type: 'error', text: 'not enabled' },
  'off-in-config': { type: 'stopped', text: 'off in groundwork.yaml' },
  unknown: { type: 'warning', text: 'unknown' },
  'not-emulated': { type: 'info', text: 'not emulated' },
};

function ServiceCell({ state }: { state: AccountSecurity['guardDuty'] | undefined }) {
  if (!state) return <>—</>;
  const s = SERVICE_STATE[state];
  return <StatusIndicator type={s.type}>{s.text}</StatusIndicator>;
}

function FindingsCell({ account, sample }: { account: AccountSecurity | undefined; sample: boolean }) {
  if (!account) return <>—</>;
  const { guardDuty, securityHub } = account.highFindings;
  if (guardDuty === null && securityHub === null) return <Box variant="small">not counted (see the notes)</Box>;
  const total = (guardDuty ?? 0) + (securityHub ?? 0);
  // A service that could not be counted is left out here; the notes under the table say why.
  const parts = [guardDuty === null ? '' : `GuardDuty ${guardDuty}`, securityHub === null ? '' : `Security Hub ${securityHub}`].filter(Boolean);
  return (
    <SpaceBetween direction="horizontal" size="xxs">
      <StatusIndicator type={total > 0 ? 'error' : 'success'}>{String(total)}</StatusIndicator>
      <Box variant="small">({parts.join(', ')})</Box>
      {sample && total > 0 ? <SampleBadge /> : null}
    </SpaceBetween>
  );
}

/** A row of the tree: an OU with its accounts, or an account. */
type Row = { kind: 'ou'; name: string; accounts: AccountStatus[] } | { kind: 'account'; account: AccountStatus };

const rowId = (row: Row) => (row.kind === 'ou' ? `ou:${row.name}` : `account:${row.account.name}`);

function treeOf(accounts: readonly AccountStatus[]): Row[] {
  const byOu = new Map<string, AccountStatus[]>();
  for (const account of accounts) byOu.set(account.organizationalUnit, [...(byOu.get(account.organizationalUnit) ?? []), account]);
  return [...byOu]
    .sort(([a], [b]) => (a === '(management)' ? -1 : b === '(management)' ? 1 : a.localeCompare(b)))
    .map(([name, list]) => ({ kind: 'ou', name, accounts: list.sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** OU → account tree: environment, account ID, status, month-to-date cost, budget use, guardrails and sign-in links. */
export default function EnvironmentsPage(_: { route: Route }) {
  const status = useApi<OrganizationStatus>('/api/environments');
  const costs = useApi<CostOverview>('/api/costs');
  const security = useApi<SecurityPosture>('/api/security');
  const [expanded, setExpanded] = useState<Set<string> | undefined>(undefined);

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Every account of the organization by OU. Sign in through the access portal: one sign-in for every environment."
          actions={
            status.data?.portal ? (
              <Button href={status.data.portal} target="_blank" iconName="external" iconAlign="right" variant="primary">
                Open the access portal
              </Button>
            ) : undefined
          }
        >
          Environments
        </Header>
      }
    >
      <Guarded loaded={status} what="organization">
        {(org) => {
          const rows = treeOf(org.accounts);
          // Small organizations open fully; large ones open OU by OU, so the first render stays fast.
          const open = expanded ?? new Set(org.accounts.length <= 100 ? rows.map(rowId) : []);
          const costOf = (env: string | null): EnvironmentCost | undefined => costs.data?.environments.find((e) => e.environment === env);
          const securityOf = (name: string): AccountSecurity | undefined => security.data?.accounts.find((a) => a.account === name);
          return (
            <SpaceBetween size="m">
              {costs.error ? <LoadError error={costs.error} what="costs" retry={costs.reload} /> : null}
              {security.error ? <LoadError error={security.error} what="security services" retry={security.reload} /> : null}
              <Table<Row>
                variant="container"
                wrapLines
                ariaLabels={{
                  expandButtonLabel: (row) => `Show the accounts of ${row.kind === 'ou' ? row.name : ''}`,
                  collapseButtonLabel: (row) => `Hide the accounts of ${row.kind === 'ou' ? row.name : ''}`,
                  tableLabel: 'Accounts by OU',
                }}
                header={
                  <Header
                    counter={`(${org.accounts.length})`}
                    description={
                      <>
                        Organization {org.organizationId ?? 'not created yet'} ·{' '}
                        {org.viewer ? `sign-in links for ${org.viewer}` : 'sign-in links: every account and permission set the config assigns'}
                        {org.notCreated.length > 0 ? ` · not created yet: ${org.notCreated.join(', ')}` : ''}
                      </>
                    }
                  >
                    Accounts
                  </Header>
                }
                items={rows}
                trackBy={rowId}
                expandableRows={{
                  getItemChildren: (row) => (row.kind === 'ou' ? row.accounts.map((account) => ({ kind: 'account' as const, account })) : []),
                  isItemExpandable: (row) => row.kind === 'ou',
                  expandedItems: rows.filter((r) => open.has(rowId(r))),
                  onExpandableItemToggle: ({ detail }) => {
                    const next = new Set(open);
                    if (detail.expanded) next.add(rowId(detail.item));
                    else next.delete(rowId(detail.item));
                    setExpanded(next);
                  },
                }}
                empty={<Empty title="No accounts yet">Run groundwork apply to create the organization from groundwork.yaml.</Empty>}
                columnDefinitions={[
                  {
                    id: 'name',
                    header: 'OU / account',
                    cell: (row) => (row.kind === 'ou' ? <b>{row.name}</b> : row.account.name),
                    isRowHeader: true,
                  },
                  { id: 'environment', header: 'Environment', cell: (row) => (row.kind === 'account' ? (row.account.environment ?? '—') : '') },
                  { id: 'id', header: 'Account ID', cell: (row) => (row.kind === 'account' ? (row.account.id ?? '—') : '') },
                  {
                    id: 'status',
                    header: 'Status',
                    cell: (row) =>
                      row.kind === 'account' ? (
                        <StatusIndicator type={row.account.status === 'ACTIVE' ? 'success' : 'warning'}>{row.account.status}</StatusIndicator>
                      ) : (
                        ''
                      ),
                  },
                  {
                    id: 'cost',
                    header: 'Month to date (environment)',
                    cell: (row) => {
                      if (row.kind !== 'account') return '';
                      const cost = costOf(row.account.environment);
                      if (!cost) return costs.loading ? <StatusIndicator type="loading">…</StatusIndicator> : '—';
                      return (
                        <SpaceBetween direction="horizontal" size="xxs">
                          <Link href={`/costs?env=${encodeURIComponent(cost.environment)}`}>${cost.monthToDate.amount}</Link>
                          {costs.data?.sample ? <SampleBadge /> : null}
                        </SpaceBetween>
                      );
                    },
                  },
                  {
                    id: 'budget',
                    header: 'Budget use',
                    cell: (row) => {
                      const cost = row.kind === 'account' ? costOf(row.account.environment) : undefined;
                      if (cost?.percentOfBudget === undefined) return '';
                      return (
                        <ProgressBar
                          value={Math.min(100, cost.percentOfBudget)}
                          description={`${cost.percentOfBudget}% of $${cost.budgetUsd}${cost.forecastMonthEnd ? ' (forecast)' : ''}`}
                          status={cost.percentOfBudget > 100 ? 'error' : 'in-progress'}
                          ariaLabel={`${row.kind === 'account' ? row.account.name : ''} budget use`}
                        />
                      );
                    },
                  },
                  {
                    id: 'guardrails',
                    header: 'Guardrails attached (SCPs, groundwork- prefix left out)',
                    cell: (row) => {
                      if (row.kind !== 'account') return '';
                      if (!row.account.scpsApply) return <Box variant="small">SCPs never apply to the management account</Box>;
                      if (row.account.guardrails.length === 0) return <StatusIndicator type="warning">none</StatusIndicator>;
                      return (
                        <SpaceBetween direction="horizontal" size="xxs">
                          {row.account.guardrails.map((g) => (
                            <Badge key={g}>{g.replace(/^groundwork-/, '')}</Badge>
                          ))}
                        </SpaceBetween>
                      );
                    },
                  },
                  {
                    id: 'root',
                    header: 'Root credentials',
                    cell: (row) =>
                      row.kind === 'account' ? (
                        <RootCredentialsCell root={(row.account as { rootCredentials?: RootCredentialsView | null }).rootCredentials} />
                      ) : (
                        ''
                      ),
                  },
                  {
                    id: 'guardduty',
                    header: 'GuardDuty',
                    cell: (row) => (row.kind === 'account' ? <ServiceCell state={securityOf(row.account.name)?.guardDuty} /> : ''),
                  },
                  {
                    id: 'securityhub',
                    header: 'Security Hub',
                    cell: (row) => (row.kind === 'account' ? <ServiceCell state={securityOf(row.account.name)?.securityHub} /> : ''),
                  },
                  {
                    id: 'findings',
                    header: `Active findings (${security.data?.minimumSeverity ?? 'HIGH'} and above)`,
                    cell: (row) =>
                      row.kind === 'account' ? <FindingsCell account={securityOf(row.account.name)} sample={security.data?.sample ?? false} /> : '',
                  },
                  {
                    id: 'signin',
                    header: 'Sign in',
                    cell: (row) => {
                      if (row.kind !== 'account') return '';
                      const links = org.shortcuts.filter((s) => s.account === row.account.name);
                      if (links.length === 0) return '—';
                      return (
                        <SpaceBetween direction="horizontal" size="xs">
                          {links.map((s) => (
                            <Link key={s.permissionSet} href={s.url} external ariaLabel={`Sign in to ${row.account.name} as ${s.permissionSet}`}>
                              {s.permissionSet}
                            </Link>
                          ))}
                        </SpaceBetween>
                      );
                    },
                  },
                ]}
              />
              {security.data && security.data.notes.length > 0 ? (
                <Box variant="small" color="text-body-secondary">
                  Security services, read in {security.data.region} (findings from the administrator account {security.data.administrator}):{' '}
                  {security.data.notes.join('; ')}.
                </Box>
              ) : null}
              <AsOf iso={org.asOf} />
            </SpaceBetween>
          );
        }}
      </Guarded>
    </ContentLayout>
  );
}
