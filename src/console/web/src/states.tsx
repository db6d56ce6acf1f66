import Alert from '@cloudscape-design/components/alert';
import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ReactNode } from 'react';
import { ConsoleApiError } from './api';
import { age, type Loaded, when } from './hooks';

/** Loading, error or the content: no page is ever blank. */
export function Guarded<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  if (loaded.error) return <LoadError error={loaded.error} what={what} retry={loaded.reload} />;
  if (loaded.data === undefined) return <StatusIndicator type="loading">Loading {what}…</StatusIndicator>;
  return <>{children(loaded.data)}</>;
}

/** An error as the server explained it: what failed, and the fix. */
export function LoadError({ error, what, retry }: { error: Error; what: string; retry?: () => void }) {
  const detail = error instanceof ConsoleApiError ? error.error : undefined;
  return (
    <Alert type="error" header={`The ${what} could not be loaded`} action={retry ? <Button onClick={retry}>Try again</Button> : undefined}>
      <SpaceBetween size="xxs">
        <span>{error.message}</span>
        {detail?.hint ? <span>Fix: {detail.hint}</span> : null}
        {detail ? <Box variant="small">code {detail.code}</Box> : null}
      </SpaceBetween>
    </Alert>
  );
}

/** A table's empty state: what is missing and what to do. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Box textAlign="center" color="inherit" padding="m">
      <b>{title}</b>
      {children ? (
        <Box variant="p" color="inherit">
          {children}
        </Box>
      ) : null}
    </Box>
  );
}

/** The mark on every piece of generated sample data. */
export function SampleBadge() {
  return <Badge color="severity-medium">sample</Badge>;
}

/** The banner of a page showing sample data. */
export function SampleNotice({ children }: { children: ReactNode }) {
  return (
    <Alert type="warning" header="Sample data">
      {children}
    </Alert>
  );
}

/** How old the figures are. */
export function AsOf({ iso }: { iso: string }) {
  return (
    <Box variant="small" color="text-body-secondary">
      Figures as of {when(iso)} ({age(iso)})
    </Box>
  );
}
