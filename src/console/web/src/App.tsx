import Alert from '@cloudscape-design/components/alert';
import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { lazy, type ReactNode, Suspense, useMemo, useState } from 'react';
import { ConsoleApiError, type ConsoleSession } from './api';
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

/** `signInRefused`: why the token of the opened URL was not taken, if it was not. */
export function App({ signInRefused }: { signInRefused?: ConsoleApiError } = {}) {
  const route = useRoute();
  const session = useApi<ConsoleSession>('/api/session');
  const signedOut = signInRefused ?? (session.error instanceof ConsoleApiError && session.error.status === 401 ? session.error : undefined);
  const [splitPanel, setSplitPanel] = useState<ReactNode | null>(null);
  const path = route.path === '/' ? '/environments' : route.path;
  const slot = useMemo(() => ({ setSplitPanel }), []);
  let page: ReactNode;
  if (signedOut) return <SignedOut error={signedOut} />;
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

/** Without this launch's session nothing loads: say which URL opens the console. */
function SignedOut({ error }: { error: Error }) {
  return (
    <main style={{ maxWidth: 720, margin: '48px auto', padding: '0 16px' }}>
      <Alert type="error" header="This console needs the link it printed">
        <SpaceBetween size="xs">
          <span>{error.message}.</span>
          <span>
            Open the URL that <code>groundwork console</code> (or <code>npm start</code>) printed in the terminal, the one ending in <code>?token=…</code>. Each
            launch prints a new one; a link from an earlier launch no longer opens it.
          </span>
        </SpaceBetween>
      </Alert>
    </main>
  );
}
