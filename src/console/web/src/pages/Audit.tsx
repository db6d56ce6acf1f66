import Box from '@cloudscape-design/components/box';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Grid from '@cloudscape-design/components/grid';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import Pagination from '@cloudscape-design/components/pagination';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import SplitPanel from '@cloudscape-design/components/split-panel';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SplitPanelSlot } from '../App';
import type { AuditEvent, AuditPage as Page } from '../api';
import { useApi, when } from '../hooks';
import { navigate, paramsOf, type Route } from '../router';
import { Empty, LoadError, SampleBadge } from '../states';

const SINCE = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
];
const FILTERS = ['since', 'env', 'user', 'event', 'service', 'errors', 'text'] as const;

/** Every action on every environment: filters in the URL, server-paged by cursor, a drawer with the raw event, live tail. */
export default function AuditPage({ route, slot }: { route: Route; slot: SplitPanelSlot }) {
  const params = paramsOf(route);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params[f]]).filter(([, v]) => v)) as Record<string, string>;
  const query = new URLSearchParams({ ...filters, since: filters.since ?? '24h', limit: '50' }).toString();
  const set = (changes: Record<string, string | undefined>) => navigate('/audit', { ...filters, ...changes });

  // Cursor paging: cursors[i] opens page i + 1; the pages seen so far are kept, the next one is open-ended.
  // A new query starts again at page 1.
  const [paging, setPaging] = useState<{ query: string; cursors: (string | undefined)[]; pageIndex: number }>({ query, cursors: [undefined], pageIndex: 0 });
  const { cursors, pageIndex } = paging.query === query ? paging : { cursors: [undefined], pageIndex: 0 };
  const setPageIndex = (index: number) => setPaging({ query, cursors, pageIndex: index });
  const [live, setLive] = useState(false);
  const [selected, setSelected] = useState<AuditEvent | undefined>();
  const cursor = cursors[pageIndex];
  const pagePath = `/api/audit?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const page = useApi<Page>(pagePath);
  const environments = useApi<{ environments: string[] }>('/api/audit/environments');
  const envOptions = useMemo(() => (environments.data?.environments ?? []).map((e) => ({ value: e, label: e })), [environments.data]);

  // Live tail: the first page again every 5 seconds.
  const reload = useRef(page.reload);
  reload.current = page.reload;
  useEffect(() => {
    if (!live || pageIndex !== 0) return;
    const timer = setInterval(() => reload.current(), 5_000);
    return () => clearInterval(timer);
  }, [live, pageIndex]);

  useEffect(() => {
    // Only this page's answer opens the next one, never a previous query's that is still on screen.
    if (page.path === pagePath && page.data?.nextCursor && cursors.length === pageIndex + 1)
      setPaging({ query, cursors: [...cursors, page.data.nextCursor], pageIndex });
  }, [page.path, page.data, pagePath, cursors, pageIndex, query]);

  useEffect(() => {
    slot.setSplitPanel(
      selected ? (
        <SplitPanel
          header={`${selected.eventName} at ${when(selected.time)}`}
          hidePreferencesButton
          closeBehavior="hide"
          i18nStrings={{
            closeButtonAriaLabel: 'Close the event',
            openButtonAriaLabel: 'Open the event',
            resizeHandleAriaLabel: 'Resize the event panel',
            resizeHandleTooltipText: 'Drag or select to resize',
            preferencesTitle: 'Panel preferences',
            preferencesPositionLabel: 'Panel position',
            preferencesPositionDescription: 'Where the panel shows',
            preferencesPositionSide: 'Side',
            preferencesPositionBottom: 'Bottom',
            preferencesConfirm: 'Confirm',
            preferencesCancel: 'Cancel',
          }}
        >
          <SpaceBetween size="s">
            {selected.sample ? (
              <Box>
                <SampleBadge /> generated sample activity, not a real call
              </Box>
            ) : null}
            <Box variant="code">
              <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{JSON.stringify(selected.raw, null, 2)}</pre>
            </Box>
          </SpaceBetween>
        </SplitPanel>
      ) : null,
    );
  }, [selected, slot]);
  useEffect(() => () => slot.setSplitPanel(null), [slot]);

  const events = page.data?.events ?? [];
  const hasMore = Boolean(page.data?.nextCursor);
  return (
    <ContentLayout
      header={
        <Header variant="h1" description="Every call on every account of the organization, from the organization trail.">
          Audit log
        </Header>
      }
    >
      <SpaceBetween size="m">
        <Grid gridDefinition={[{ colspan: 2 }, { colspan: 3 }, { colspan: 2 }, { colspan: 2 }, { colspan: 3 }]}>
          <FormField label="Time range">
            <Select
              selectedOption={SINCE.find((s) => s.value === (filters.since ?? '24h')) ?? null}
              options={SINCE}
              onChange={({ detail }) => set({ since: detail.selectedOption.value })}
            />
          </FormField>
          <FormField label="Environment">
            <Multiselect
              placeholder="Every environment"
              selectedOptions={(filters.env ?? '')
                .split(',')
                .filter(Boolean)
                .map((e) => ({ value: e, label: e }))}
              options={envOptions}
              onChange={({ detail }) => set({ env: detail.selectedOptions.map((o) => o.value).join(',') || undefined })}
            />
          </FormField>
          <FormField label="User">
            <FilterInput value={filters.user} onCommit={(user) => set({ user })} label="User" placeholder="alice, role/session" />
          </FormField>
          <FormField label="Service">
            <FilterInput value={filters.service} onCommit={(service) => set({ service })} label="Service" placeholder="s3, iam" />
          </FormField>
          <FormField label="Event">
            <FilterInput value={filters.event} onCommit={(event) => set({ event })} label="Event" placeholder="DeleteBucket" />
          </FormField>
        </Grid>
        <Grid gridDefinition={[{ colspan: 6 }, { colspan: 3 }, { colspan: 3 }]}>
          <FormField label="Text anywhere in the event">
            <FilterInput value={filters.text} onCommit={(text) => set({ text })} label="Text" placeholder="bucket name, IP, error message" />
          </FormField>
          <FormField label="Errors">
            <Toggle checked={filters.errors === 'true'} onChange={({ detail }) => set({ errors: detail.checked ? 'true' : undefined })}>
              Only calls that failed
            </Toggle>
          </FormField>
          <FormField label="Live tail">
            <Toggle checked={live} onChange={({ detail }) => setLive(detail.checked)}>
              {live ? (pageIndex === 0 ? 'New events every 5 s' : 'Paused: go to page 1') : 'Off'}
            </Toggle>
          </FormField>
        </Grid>
        {page.error ? <LoadError error={page.error} what="events" retry={page.reload} /> : null}
        <Table<AuditEvent>
          variant="container"
          loading={page.loading && !page.data}
          loadingText="Searching the trail"
          header={
            <Header
              counter={page.data ? `(${events.length}${hasMore ? '+' : ''})` : undefined}
              description={page.data ? `Newest first · searched: ${page.data.source}` : undefined}
              actions={page.loading && page.data ? <StatusIndicator type="loading">Refreshing</StatusIndicator> : undefined}
            >
              Events
            </Header>
          }
          items={[...events]}
          trackBy="eventId"
          selectionType="single"
          selectedItems={selected ? [selected] : []}
          onSelectionChange={({ detail }) => setSelected(detail.selectedItems[0])}
          onRowClick={({ detail }) => setSelected(detail.item)}
          ariaLabels={{
            selectionGroupLabel: 'Event',
            itemSelectionLabel: (_, e) => `${e.eventName} at ${e.time}`,
            allItemsSelectionLabel: () => 'all',
          }}
          pagination={
            <Pagination
              openEnd={hasMore}
              currentPageIndex={pageIndex + 1}
              pagesCount={cursors.length}
              onChange={({ detail }) => setPageIndex(detail.currentPageIndex - 1)}
              onNextPageClick={({ detail }) => {
                if (detail.requestedPageAvailable === false && !hasMore) return;
                setPageIndex(detail.requestedPageIndex - 1);
              }}
              ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
            />
          }
          empty={<Empty title="No events match">Widen the time range or clear a filter.</Empty>}
          columnDefinitions={[
            { id: 'time', header: 'Time', cell: (e) => when(e.time) },
            { id: 'environment', header: 'Environment', cell: (e) => e.environment },
            { id: 'principal', header: 'Who', cell: (e) => e.principal },
            {
              id: 'event',
              header: 'Event',
              isRowHeader: true,
              cell: (e) => (
                <SpaceBetween direction="horizontal" size="xxs">
                  <span>
                    {e.eventSource.replace('.amazonaws.com', '')}:{e.eventName}
                  </span>
                  {e.sample ? <SampleBadge /> : null}
                </SpaceBetween>
              ),
            },
            { id: 'region', header: 'Region', cell: (e) => e.region },
            { id: 'ip', header: 'Source IP', cell: (e) => e.sourceIp },
            { id: 'error', header: 'Error', cell: (e) => (e.errorCode ? <StatusIndicator type="error">{e.errorCode}</StatusIndicator> : '') },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}

/** A text filter that applies on Enter or when it loses focus, so the URL changes once per filter, not per key. */
function FilterInput({
  value,
  onCommit,
  placeholder,
  label,
}: {
  value?: string;
  onCommit: (v: string | undefined) => void;
  placeholder: string;
  label: string;
}) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const commit = () => {
    if ((value ?? '') !== text) onCommit(text.trim() || undefined);
  };
  return (
    <Input
      value={text}
      type="search"
      placeholder={placeholder}
      ariaLabel={label}
      clearAriaLabel={`Clear the ${label.toLowerCase()} filter`}
      onChange={({ detail }) => setText(detail.value)}
      onBlur={commit}
      onKeyDown={({ detail }) => {
        if (detail.key === 'Enter') commit();
      }}
    />
  );
}
