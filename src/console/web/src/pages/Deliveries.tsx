import Alert from '@cloudscape-design/components/alert';
import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import type { Delivery } from '../api';
import { useApi, when } from '../hooks';
import { paramsOf, type Route } from '../router';
import { AsOf, Empty, Guarded } from '../states';

const short = (digest: string | null) => (digest ? `${digest.slice(0, 19)}…` : '—');

function outcome(status: string, rolledBack: boolean): StatusIndicatorProps.Type {
  if (rolledBack || /Failed|FAILED|Stopped|STOPPED|ROLLBACK/.test(status)) return 'error';
  if (/Succeeded|SUCCESSFUL|COMPLETED|PRIMARY \(COMPLETED\)/.test(status)) return 'success';
  if (/InProgress|IN_PROGRESS|Ready|Created|Queued|PENDING/.test(status)) return 'in-progress';
  return 'info';
}

function Run({ url }: { url: string | null }) {
  return url ? (
    <Link href={url} external>
      GitHub Actions run
    </Link>
  ) : (
    <Box color="text-status-inactive">not made by a Groundwork action</Box>
  );
}

/** Where an ECS blue/green service's current or last deployment is: its stage and outcome, or that the sandbox has none. */
function BlueGreenStage({ blueGreen }: { blueGreen: NonNullable<Delivery['blueGreen']> }) {
  const strategy = `ECS blue/green${blueGreen.strategy ? ` (${blueGreen.strategy})` : ''}`;
  if (!blueGreen.emulated) {
    return (
      <SpaceBetween direction="horizontal" size="xs">
        <Badge>{strategy}</Badge>
        <Box color="text-status-inactive">stage not emulated: the emulator has no service deployments</Box>
      </SpaceBetween>
    );
  }
  const d = blueGreen.deployment;
  return (
    <SpaceBetween direction="horizontal" size="xs">
      <Badge color="blue">{strategy}</Badge>
      {d ? (
        <StatusIndicator type={outcome(d.status, d.rolledBack)}>
          {d.stage ?? 'no stage yet'} · {d.status}
          {d.rolledBack && d.reason ? ` · ${d.reason}` : ''}
        </StatusIndicator>
      ) : (
        <Box color="text-status-inactive">no service deployment yet</Box>
      )}
    </SpaceBetween>
  );
}

/** Per environment: what runs now, and the last deployments with their outcome and the run that made each. */
export default function DeliveriesPage({ route }: { route: Route }) {
  const env = paramsOf(route).env;
  const deliveries = useApi<{ environments: Delivery[]; asOf: string }>('/api/deliveries');
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="What each environment runs and how it got there: ECS deployments to staging, ECS's own blue/green (or CodeDeploy's) to production."
        >
          Deliveries
        </Header>
      }
    >
      <Guarded loaded={deliveries} what="deliveries">
        {(d) => {
          const shown = d.environments.filter((e) => !env || e.environment === env);
          if (shown.length === 0) {
            return (
              <Container>
                <Empty title="No workload is configured">Add workloads.backendService to groundwork.yaml: its staging and production accounts show here.</Empty>
              </Container>
            );
          }
          return (
            <SpaceBetween size="l">
              {shown.map((e) => (
                <Container
                  key={e.environment}
                  header={<Header description={`Service ${e.service} on cluster ${e.cluster} in account ${e.accountId}`}>{e.environment}</Header>}
                >
                  {e.state === 'not-deployed' ? (
                    <Empty title={`Nothing runs in ${e.environment} yet`}>
                      No service {e.service} exists on cluster {e.cluster}: deliveries show here once the workload is deployed in this account and the backend's
                      workflows have run. Nothing is shown that did not happen.
                    </Empty>
                  ) : e.state === 'awaiting-first-deployment' ? (
                    <Empty title={`Nothing runs in ${e.environment} yet`}>
                      Service {e.service} is ready on cluster {e.cluster} with 0 tasks, waiting for its first deployment: the backend's first pipeline run
                      deploys its image and scales it to its configured count. Nothing is shown that did not happen.
                    </Empty>
                  ) : (
                    <SpaceBetween size="m">
                      {e.notes.map((n) => (
                        <Alert key={n} type="info">
                          {n}
                        </Alert>
                      ))}
                      {e.blueGreen ? (
                        <div>
                          <Box variant="awsui-key-label">Blue/green stage</Box>
                          <BlueGreenStage blueGreen={e.blueGreen} />
                        </div>
                      ) : null}
                      {e.current ? (
                        <ColumnLayout columns={4} variant="text-grid">
                          <div>
                            <Box variant="awsui-key-label">Image</Box>
                            <div title={e.current.image}>{short(e.current.digest) === '—' ? e.current.image : short(e.current.digest)}</div>
                          </div>
                          <div>
                            <Box variant="awsui-key-label">Version or commit</Box>
                            <div>{e.current.revision ?? '—'}</div>
                          </div>
                          <div>
                            <Box variant="awsui-key-label">Since</Box>
                            <div>{when(e.current.since)}</div>
                          </div>
                          <div>
                            <Box variant="awsui-key-label">Tasks</Box>
                            <div>
                              {e.current.runningCount}/{e.current.desiredCount} running · <Run url={e.current.runUrl} />
                            </div>
                          </div>
                        </ColumnLayout>
                      ) : null}
                      <Table
                        variant="embedded"
                        header={<Header counter={`(${e.deployments.length})`}>Last deployments</Header>}
                        items={[...e.deployments]}
                        trackBy="id"
                        empty={<Empty title="No deployments recorded" />}
                        columnDefinitions={[
                          { id: 'started', header: 'Started', cell: (x) => when(x.startedAt), isRowHeader: true },
                          {
                            id: 'engine',
                            header: 'By',
                            cell: (x) => (x.engine === 'codedeploy' ? 'CodeDeploy (blue/green)' : e.blueGreen ? 'ECS (blue/green)' : 'ECS'),
                          },
                          {
                            id: 'status',
                            header: 'Outcome',
                            cell: (x) => (
                              <StatusIndicator type={outcome(x.status, x.rolledBack)}>
                                {x.status}
                                {x.rolledBack ? ' · rolled back' : ''}
                              </StatusIndicator>
                            ),
                          },
                          { id: 'stage', header: 'Stage', cell: (x) => x.stage ?? '—' },
                          { id: 'revision', header: 'Version or commit', cell: (x) => x.delivered?.revision ?? '—' },
                          { id: 'digest', header: 'Image digest', cell: (x) => short(x.delivered?.digest ?? null) },
                          { id: 'reason', header: 'Reason', cell: (x) => x.reason ?? '' },
                          { id: 'run', header: 'Run', cell: (x) => <Run url={x.delivered?.runUrl ?? null} /> },
                        ]}
                      />
                    </SpaceBetween>
                  )}
                </Container>
              ))}
              <AsOf iso={d.asOf} />
            </SpaceBetween>
          );
        }}
      </Guarded>
    </ContentLayout>
  );
}
