import BarChart from '@cloudscape-design/components/bar-chart';
import Box from '@cloudscape-design/components/box';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { CostBreakdown, CostHistory, CostOverview } from '../api';
import { useApi } from '../hooks';
import { navigate, paramsOf, type Route } from '../router';
import { AsOf, Empty, Guarded, SampleBadge, SampleNotice } from '../states';

const dollars = (cents: number) => `$${(cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const currentMonth = () => new Date().toISOString().slice(0, 7);

/** Per environment: a stacked chart by month (13 months) or by day (this month), drill-down, forecast, statements. */
export default function CostsPage({ route }: { route: Route }) {
  const params = paramsOf(route);
  const view = params.view === 'day' ? 'day' : 'month';
  const env = params.env;
  const month = params.month ?? currentMonth();
  const service = params.service;
  const set = (changes: Record<string, string | undefined>) => navigate('/costs', { ...params, ...changes });

  const overview = useApi<CostOverview>('/api/costs');
  const history = useApi<CostHistory>(view === 'month' ? '/api/costs/history' : null);
  const days = useApi<CostBreakdown>(view === 'day' ? `/api/costs/breakdown?by=day&month=${currentMonth()}` : null);
  const drill = useApi<CostBreakdown>(
    env ? `/api/costs/breakdown?by=${service ? 'usage-type' : 'service'}&month=${month}&env=${encodeURIComponent(env)}` : null,
  );
  const months = history.data?.months.map((m) => m.month) ?? Array.from({ length: 13 }, (_, i) => monthsAgo(12 - i));

  return (
    <ContentLayout
      header={
        <Header variant="h1" description="What each environment costs: month to date, forecast and budget, by month and by day, drilled down to usage types.">
          Costs
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Guarded loaded={overview} what="cost overview">
          {(o) => (
            <SpaceBetween size="m">
              {o.sample ? (
                <SampleNotice>
                  The sandbox has no AWS billing data: every figure on this page is generated sample data, marked <SampleBadge />. On AWS the figures come from
                  Cost Explorer, cached to limit its $0.01 requests.
                </SampleNotice>
              ) : null}
              <Table
                variant="container"
                header={
                  <Header counter={`(${o.environments.length})`} description={`${o.month}, data through ${o.dataThrough}, in ${o.currency}`}>
                    Environments
                  </Header>
                }
                items={[...o.environments]}
                trackBy="environment"
                empty={<Empty title="No environments">Accounts appear here once the organization has them.</Empty>}
                columnDefinitions={[
                  {
                    id: 'environment',
                    header: 'Environment',
                    isRowHeader: true,
                    cell: (e) => (
                      <Link
                        href={`/costs?env=${e.environment}`}
                        onFollow={(event) => {
                          event.preventDefault();
                          set({ env: e.environment, service: undefined });
                        }}
                      >
                        {e.environment}
                      </Link>
                    ),
                  },
                  { id: 'mtd', header: 'Month to date', cell: (e) => dollars(e.monthToDate.cents) },
                  {
                    id: 'forecast',
                    header: 'Forecast (month end)',
                    cell: (e) =>
                      e.forecastMonthEnd
                        ? `${dollars(e.forecastMonthEnd.cents)} (${dollars(e.forecastMonthEnd.low.cents)}–${dollars(e.forecastMonthEnd.high.cents)})`
                        : `none: ${e.forecastUnavailable ?? 'no forecast yet'}`,
                  },
                  { id: 'last', header: 'Last month', cell: (e) => dollars(e.lastMonth.cents) },
                  { id: 'budget', header: 'Budget', cell: (e) => (e.budgetUsd === undefined ? '—' : `$${e.budgetUsd}`) },
                  { id: 'use', header: 'Budget use', cell: (e) => (e.percentOfBudget === undefined ? '—' : `${e.percentOfBudget}%`) },
                ]}
              />
              <AsOf iso={o.asOf} />
            </SpaceBetween>
          )}
        </Guarded>

        <Container
          header={
            <Header
              actions={
                <SegmentedControl
                  label="Chart period"
                  selectedId={view}
                  onChange={({ detail }) => set({ view: detail.selectedId === 'day' ? 'day' : undefined })}
                  options={[
                    { id: 'month', text: 'By month (13 months)' },
                    { id: 'day', text: 'By day (this month)' },
                  ]}
                />
              }
            >
              Cost per environment {overview.data?.sample ? <SampleBadge /> : null}
            </Header>
          }
        >
          {view === 'month' ? (
            <Guarded loaded={history} what="monthly costs">
              {(h) => <StackedChart x={h.months.map((m) => m.month)} series={seriesOfHistory(h)} title="Monthly cost by environment" />}
            </Guarded>
          ) : (
            <Guarded loaded={days} what="daily costs">
              {(d) => {
                const dates = [...new Set(d.environments.flatMap((e) => e.items.map((i) => i.date ?? '')))].sort();
                const byEnv = new Map(d.environments.map((e) => [e.environment, new Map(e.items.map((i) => [(i.date ?? '').slice(5), i.cents]))]));
                const xs = dates.map((x) => x.slice(5));
                const series = topSeries([...byEnv.keys()], (env, x) => (byEnv.get(env)?.get(x) ?? 0) / 100, xs);
                return <StackedChart x={xs} series={series} title="Daily cost by environment this month" />;
              }}
            </Guarded>
          )}
        </Container>

        <Container
          header={
            <Header
              description="Pick an environment and a month, then a service, to see its usage types."
              actions={
                <SpaceBetween direction="horizontal" size="xs">
                  <Select
                    ariaLabel="Environment"
                    placeholder="Environment"
                    selectedOption={env ? { value: env, label: env } : null}
                    options={(overview.data?.environments ?? []).map((e) => ({ value: e.environment, label: e.environment }))}
                    onChange={({ detail }) => set({ env: detail.selectedOption.value, service: undefined })}
                  />
                  <Select
                    ariaLabel="Month"
                    selectedOption={{ value: month, label: month }}
                    options={[...months].reverse().map((m) => ({ value: m, label: m }))}
                    onChange={({ detail }) => set({ month: detail.selectedOption.value, service: undefined })}
                  />
                </SpaceBetween>
              }
            >
              Drill down
            </Header>
          }
        >
          {!env ? (
            <Empty title="No environment picked">Pick an environment above, or click one in the table.</Empty>
          ) : (
            <SpaceBetween size="s">
              <BreadcrumbGroup
                ariaLabel="Drill-down"
                items={[
                  { text: env, href: `/costs?env=${env}&month=${month}` },
                  ...(service ? [{ text: service, href: `/costs?env=${env}&month=${month}&service=${encodeURIComponent(service)}` }] : []),
                ]}
                onFollow={(event) => {
                  event.preventDefault();
                  if (event.detail.text === env) set({ service: undefined });
                }}
              />
              <Guarded loaded={drill} what="breakdown">
                {(b) => <Breakdown breakdown={b} service={service} onService={(s) => set({ service: s })} />}
              </Guarded>
              {month < currentMonth() ? (
                <Box>
                  Statement of {env} for {month}:{' '}
                  <Link href={`/api/costs/statements/${month}/${encodeURIComponent(env)}?format=html`} external>
                    HTML
                  </Link>{' '}
                  ·{' '}
                  <Link href={`/api/costs/statements/${month}/${encodeURIComponent(env)}?format=csv`} external>
                    CSV
                  </Link>
                </Box>
              ) : (
                <Box variant="small">Statements are for months that are over: pick an earlier month to download one.</Box>
              )}
            </SpaceBetween>
          )}
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}

function monthsAgo(n: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 7);
}

/** At most this many environments get a series of their own; the rest are added up as one, so a chart of a large organization stays readable (and quick to draw). */
const TOP = 8;

function topSeries(environments: string[], amountOf: (env: string, x: string) => number, xs: string[]) {
  const total = (env: string) => xs.reduce((sum, x) => sum + amountOf(env, x), 0);
  const ranked = [...environments].sort((a, b) => total(b) - total(a));
  const shown = ranked.slice(0, TOP).sort();
  const rest = ranked.slice(TOP);
  return [
    ...shown.map((env) => ({ title: env, data: xs.map((x) => ({ x, y: amountOf(env, x) })) })),
    ...(rest.length > 0
      ? [{ title: `${rest.length} other environments`, data: xs.map((x) => ({ x, y: rest.reduce((sum, env) => sum + amountOf(env, x), 0) })) }]
      : []),
  ];
}

function seriesOfHistory(h: CostHistory) {
  const environments = [...new Set(h.months.flatMap((m) => Object.keys(m.environments)))];
  const byMonth = new Map(h.months.map((m) => [m.month, m.environments]));
  return topSeries(
    environments,
    (env, month) => (byMonth.get(month)?.[env]?.cents ?? 0) / 100,
    h.months.map((m) => m.month),
  );
}

function StackedChart({ x, series, title }: { x: string[]; series: { title: string; data: { x: string; y: number }[] }[]; title: string }) {
  return (
    <BarChart
      ariaLabel={title}
      stackedBars
      hideFilter
      height={260}
      xScaleType="categorical"
      xDomain={x}
      series={series.map((s) => ({ type: 'bar' as const, title: s.title, data: s.data }))}
      yTickFormatter={(y) => `$${y.toLocaleString()}`}
      xTitle="Period"
      yTitle="USD"
      empty={<Empty title="No costs in this period" />}
    />
  );
}

function Breakdown({ breakdown, service, onService }: { breakdown: CostBreakdown; service?: string; onService: (s: string) => void }) {
  const env = breakdown.environments[0];
  if (!env) return <Empty title="No costs" />;
  const items = service ? env.items.filter((i) => i.service === service) : env.items;
  return (
    <ColumnLayout columns={1}>
      <Table
        variant="embedded"
        header={
          <Header counter={`(${items.length})`} description={`${breakdown.month}, total ${dollars(env.total.cents)}`}>
            {service ? `Usage types of ${service}` : 'Services'} {breakdown.sample ? <SampleBadge /> : null}
          </Header>
        }
        items={[...items]}
        empty={<Empty title="No costs this month" />}
        columnDefinitions={[
          {
            id: 'name',
            header: service ? 'Usage type' : 'Service',
            isRowHeader: true,
            cell: (i) =>
              service ? (
                i.usageType
              ) : (
                <Link
                  href="#"
                  onFollow={(event) => {
                    event.preventDefault();
                    onService(i.service ?? '');
                  }}
                >
                  {i.service}
                </Link>
              ),
          },
          ...(service ? [{ id: 'usage', header: 'Usage', cell: (i: (typeof items)[number]) => `${i.usageQuantity ?? ''} ${i.usageUnit ?? ''}` }] : []),
          { id: 'cost', header: 'Cost', cell: (i) => dollars(i.cents) },
        ]}
      />
      <AsOf iso={breakdown.asOf} />
    </ColumnLayout>
  );
}
