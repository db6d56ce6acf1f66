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
import type { AccountStatus, CostOverview, EnvironmentCost, OrganizationStatus } from '../api';
import { useApi } from '../hooks';
import type { Route } from '../router';
import { AsOf, Empty, Guarded, LoadError, SampleBadge } from '../states';

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
          return (
            <SpaceBetween size="m">
              {costs.error ? <LoadError error={costs.error} what="costs" retry={costs.reload} /> : null}
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
              <AsOf iso={org.asOf} />
            </SpaceBetween>
          );
        }}
      </Guarded>
    </ContentLayout>
  );
}
