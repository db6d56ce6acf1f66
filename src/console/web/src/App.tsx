import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { lazy, type ReactNode, Suspense, useMemo, useState } from 'react';
import type { ConsoleSession } from './api';
import { useApi } from './hooks';
import { navigate, useRoute } from './router';

// One chunk per page: the first render loads the layout and the page it shows.
const EnvironmentsPage = lazy(() => import('./pages/Environments'));
const CostsPage = lazy(() => import('./pages/Costs'));
const AuditPage = lazy(() => import('./pages/Audit'));
const PeoplePage = lazy(() => import('./pages/People'));
const DeliveriesPage = lazy(() => import('./pages/Deliveries'));

export const PAGES = [
  { href: '/environments', text: 'Environments' },
  { href: '/costs', text: 'Costs' },
  { href: '/audit', text: 'Audit log' },
  { href: '/people', text: 'People & permissions' },
  { href: '/deliveries', text: 'Deliveries' },
] as const;

/** Where a page puts its detail panel (the audit event drawer). */
export interface SplitPanelSlot {
  readonly setSplitPanel: (panel: ReactNode | null) => void;
}

export function App() {
  const route = useRoute();
  const session = useApi<ConsoleSession>('/api/session');
  const [splitPanel, setSplitPanel] = useState<ReactNode | null>(null);
  const path = route.path === '/' ? '/environments' : route.path;
  const slot = useMemo(() => ({ setSplitPanel }), []);
  let page: ReactNode;
  switch (path) {
    case '/environments':
      page = <EnvironmentsPage route={route} />;
      break;
    case '/costs':
      page = <CostsPage route={route} />;
      break;
    case '/audit':
      page = <AuditPage route={route} slot={slot} />;
      break;
    case '/people':
      page = <PeoplePage route={route} sandbox={session.data?.target === 'sandbox'} />;
      break;
    case '/deliveries':
      page = <DeliveriesPage route={route} />;
      break;
    default:
      page = <StatusIndicator type="error">No page at {route.path}: pick one on the left.</StatusIndicator>;
  }
  return (
    <AppLayout
      navigation={
        <SideNavigation
          header={{ href: '/', text: session.data ? `Groundwork · ${session.data.target === 'sandbox' ? 'sandbox' : 'AWS'}` : 'Groundwork' }}
          activeHref={path}
          items={PAGES.map((p) => ({ type: 'link' as const, href: p.href, text: p.text }))}
          onFollow={(event) => {
            if (event.detail.external) return;
            event.preventDefault();
            setSplitPanel(null);
            navigate(event.detail.href === '/' ? '/environments' : event.detail.href);
          }}
        />
      }
      toolsHide
      content={<Suspense fallback={<StatusIndicator type="loading">Loading the page…</StatusIndicator>}>{page}</Suspense>}
      splitPanel={splitPanel ?? undefined}
      splitPanelOpen={splitPanel !== null}
      onSplitPanelToggle={(event) => {
        if (!event.detail.open) setSplitPanel(null);
      }}
      ariaLabels={{ navigation: 'Pages', navigationClose: 'Close the pages menu', navigationToggle: 'Open the pages menu' }}
    />
  );
}
