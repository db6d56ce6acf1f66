import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryLines } from '../src/cli/commands/status.js';
import { loopbackHosts, newConsoleToken, sessionCookieName } from '../src/console/server/access.js';
import { type ConsoleDeps, createApp } from '../src/console/server/app.js';
import { ChangeLog } from '../src/console/server/change-log.js';
import { type Delivery, type DeliveryTarget, deliveryRow, REVISION_TAG, readDelivery } from '../src/delivery/deliveries.js';
import { RUN_URL_TAG } from '../src/delivery/ecs-deploy.js';
import { loadRecording } from './helpers/ecs-deployment-stand-in.js';

// ECS's own blue/green on the recorded answers (moto has no service deployments): the service, as ECS describes it,
// and one recorded state of its service deployment, listed by ListServiceDeployments and described by
// DescribeServiceDeployments as ECS answers them.
const ecs = mockClient(ECSClient);
const PROD: DeliveryTarget = {
  environment: 'prod',
  accountId: '111111111111',
  cluster: 'prod',
  service: 'backend-service',
  codeDeploy: { application: 'prod-backend-service', group: 'backend-service' },
};

const NEW_TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend-service:8';

function replay(recordingName: string, pick: (r: ReturnType<typeof loadRecording>) => ServiceDeployment | undefined) {
  const recording = loadRecording(recordingName);
  const deployment = pick(recording) as ServiceDeployment;
  ecs.on(DescribeServicesCommand).resolves({ services: [recording.service], failures: [] });
  // The new revision runs task definition 8, tagged by the release with its version and run.
  ecs.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: [deployment.targetServiceRevision?.arn as string] }).resolves({
    serviceRevisions: [{ serviceRevisionArn: deployment.targetServiceRevision?.arn, taskDefinition: NEW_TASK_DEFINITION }],
    failures: [],
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => ({
    taskDefinition: {
      taskDefinitionArn: taskDefinition,
      containerDefinitions: [{ name: 'app', image: `backend@sha256:${taskDefinition.slice(-1).repeat(64)}`, essential: true }],
    },
    tags: [
      { key: REVISION_TAG, value: `v1.${taskDefinition.split(':').pop()}.0` },
      { key: RUN_URL_TAG, value: 'https://github.com/acme/backend/actions/runs/8' },
    ],
  }));
  ecs.on(ListServiceDeploymentsCommand, { cluster: 'prod', service: 'backend-service' }).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: deployment.serviceDeploymentArn,
        serviceArn: deployment.serviceArn,
        clusterArn: deployment.clusterArn,
        createdAt: deployment.createdAt,
        startedAt: deployment.startedAt,
        finishedAt: deployment.finishedAt,
        targetServiceRevisionArn: deployment.targetServiceRevision?.arn,
        status: deployment.status,
        statusReason: deployment.statusReason,
      },
    ],
  });
  ecs.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [deployment.serviceDeploymentArn as string] }).resolves({
    serviceDeployments: [deployment],
    failures: [],
  });
  return { recording, deployment };
}

const read = () => readDelivery({ ecs: new ECSClient({ region: 'eu-west-1' }) }, PROD);

beforeEach(() => ecs.reset());
afterAll(() => ecs.restore());

describe('readDelivery: the stage of an ECS blue/green service deployment (recorded answers)', () => {
  it('a deployment at its pause hook is at POST_TEST_TRAFFIC_SHIFT, waiting for the smoke check', async () => {
    const { deployment } = replay('paused-at-test-traffic.json', (r) => r.start.find((d) => d.lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT'));
    const delivery = await read();
    expect(delivery.blueGreen).toMatchObject({
      strategy: 'CANARY',
      emulated: true,
      deployment: {
        id: 'EZe5RNVLH6PPzHXINuP28',
        engine: 'ecs',
        status: 'IN_PROGRESS',
        stage: 'POST_TEST_TRAFFIC_SHIFT (waiting for the smoke check)',
        rolledBack: false,
        reason: null,
      },
      sourceServiceRevisions: deployment.sourceServiceRevisions?.map((r) => r.arn),
    });
    expect(delivery.deployments[0]?.stage).toBe('POST_TEST_TRAFFIC_SHIFT (waiting for the smoke check)');
    expect(delivery.notes).toEqual([]);
  });

  it('each earlier stage is shown as ECS names it, with no wait', async () => {
    for (const stage of ['TEST_TRAFFIC_SHIFT', 'SCALE_UP']) {
      ecs.reset();
      replay('paused-at-test-traffic.json', (r) => r.start.find((d) => d.lifecycleStage === stage));
      expect((await read()).blueGreen?.deployment).toMatchObject({ status: 'IN_PROGRESS', stage });
    }
  });

  it('after the smoke check passed, the bake shows as BAKE_TIME', async () => {
    replay('paused-at-test-traffic.json', (r) => r.CONTINUE.find((d) => d.lifecycleStage === 'BAKE_TIME'));
    expect((await read()).blueGreen?.deployment).toMatchObject({ status: 'IN_PROGRESS', stage: 'BAKE_TIME', rolledBack: false });
  });

  it('an alarm during the bake: rolled back at BAKE_TIME, with ECS’s reason', async () => {
    replay('alarm-during-bake.json', (r) => r.CONTINUE.at(-1));
    expect((await read()).blueGreen?.deployment).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      stage: 'BAKE_TIME',
      rolledBack: true,
      reason: 'Service deployment rolled back because the CloudWatch alarm prod-backend-service-green-5xx-rate is in ALARM state.',
      finishedAt: '2026-12-06T02:12:00.000Z',
      // The service revision it tried, resolved to its task definition: the version the release tagged.
      taskDefinition: NEW_TASK_DEFINITION,
      delivered: { revision: 'v1.8.0', digest: `sha256:${'8'.repeat(64)}`, runUrl: 'https://github.com/acme/backend/actions/runs/8' },
    });
  });

  it('the circuit breaker at scale-up: rolled back at SCALE_UP, with ECS’s reason', async () => {
    const { deployment } = replay('circuit-breaker-at-scale-up.json', (r) => r.start.at(-1));
    expect((await read()).blueGreen?.deployment).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      stage: 'SCALE_UP',
      rolledBack: true,
      reason: deployment.statusReason,
    });
    expect(deployment.statusReason).toMatch(/circuit breaker/);
  });

  it('a rolling ECS service has no blue/green stage', async () => {
    const { recording } = replay('paused-at-test-traffic.json', (r) => r.CONTINUE.at(-1));
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ ...recording.service, deploymentConfiguration: { strategy: 'ROLLING', maximumPercent: 200, minimumHealthyPercent: 100 } }],
    });
    const delivery = await read();
    expect(delivery.blueGreen).toBeNull();
    expect(delivery.deployments[0]).toMatchObject({ status: 'SUCCESSFUL', stage: 'CLEAN_UP' });
  });

  it('in the sandbox the stage is said to be not emulated, not left out silently', async () => {
    const { recording } = replay('paused-at-test-traffic.json', (r) => r.start[0]);
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...recording.service, deployments: [] }] });
    const delivery = await readDelivery({ ecs: new ECSClient({ region: 'eu-west-1' }) }, PROD, { serviceDeploymentsApi: false });
    expect(delivery.blueGreen).toEqual({ strategy: 'CANARY', emulated: false, deployment: null, sourceServiceRevisions: [] });
    expect(delivery.notes).toContainEqual(expect.stringContaining('ECS blue/green stages are not emulated'));
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);
  });
});

describe('groundwork status: a delivery row with the stage', () => {
  it('paused at the smoke check, rolled back with ECS’s reason, not emulated, not deployed', async () => {
    replay('paused-at-test-traffic.json', (r) => r.start.find((d) => d.lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT'));
    const paused = deliveryRow(await read());
    expect(paused).toEqual({
      environment: 'prod',
      service: 'backend-service',
      releasedBy: 'ECS blue/green (CANARY)',
      status: 'IN_PROGRESS',
      stage: 'POST_TEST_TRAFFIC_SHIFT (waiting for the smoke check)',
      rolledBack: false,
      reason: null,
    });
    ecs.reset();
    replay('alarm-during-bake.json', (r) => r.CONTINUE.at(-1));
    const rolledBack = deliveryRow(await read());
    expect(rolledBack).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', stage: 'BAKE_TIME', rolledBack: true, reason: expect.stringContaining('ALARM state') });
    ecs.reset();
    const { recording } = replay('paused-at-test-traffic.json', (r) => r.start[0]);
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...recording.service, deployments: [] }] });
    const sandbox = deliveryRow(await readDelivery({ ecs: new ECSClient({ region: 'eu-west-1' }) }, PROD, { serviceDeploymentsApi: false }));
    expect(sandbox).toMatchObject({ releasedBy: 'ECS blue/green (CANARY)', status: null, stage: 'not emulated' });
    const staging = { environment: 'staging', service: 'backend-service', error: 'AccessDenied: not authorized to perform ecs:DescribeServices' };

    const text = deliveryLines([paused, rolledBack, sandbox, staging]).join('\n');
    expect(text).toMatch(/^ {2}ENVIRONMENT +SERVICE +RELEASED BY +LAST DEPLOYMENT +STAGE +REASON$/m);
    expect(text).toMatch(/^ {2}prod +backend-service +ECS blue\/green \(CANARY\) +IN_PROGRESS +POST_TEST_TRAFFIC_SHIFT \(waiting for the smoke check\)$/m);
    expect(text).toMatch(
      /^ {2}prod +backend-service +ECS blue\/green \(CANARY\) +ROLLBACK_SUCCESSFUL +BAKE_TIME +Service deployment rolled back because the CloudWatch alarm/m,
    );
    expect(text).toMatch(/^ {2}prod +backend-service +ECS blue\/green \(CANARY\) +- +not emulated$/m);
    expect(text).toMatch(/^ {2}staging +backend-service +not read +AccessDenied: not authorized/m);
    expect(deliveryLines([])).toEqual([]);
  });
});

describe('the console’s /api/deliveries, through app.request(): the blue/green stage', () => {
  const ORIGIN = 'http://127.0.0.1:8080';
  const token = newConsoleToken();
  const unused = (what: string) => () => {
    throw new Error(`${what} is not read by /api/deliveries`);
  };
  const appFor = (deliveries: ConsoleDeps['deliveries']) =>
    createApp(
      {
        environments: unused('environments'),
        people: new Proxy({}, { get: (_t, name) => unused(`people.${String(name)}`) }) as ConsoleDeps['people'],
        costs: new Proxy({}, { get: (_t, name) => unused(`costs.${String(name)}`) }) as ConsoleDeps['costs'],
        audit: { accountsByEnvironment: new Map(), search: unused('audit') },
        deliveries,
        changes: new ChangeLog(),
        whoami: async () => 'sandbox operator',
        target: 'aws',
        now: () => new Date('2026-12-06T02:05:00Z'),
      },
      { token, hosts: () => loopbackHosts(8080) },
    );
  const signed = (path: string) => new Request(`${ORIGIN}${path}`, { headers: { cookie: `${sessionCookieName(new URL(ORIGIN))}=${token}` } });

  it('answers the stage and the rollback reason as the domain read them', async () => {
    replay('alarm-during-bake.json', (r) => r.CONTINUE.at(-1));
    const app = appFor(async () => ({ environments: [await read()] }));
    const response = await app.request(signed('/api/deliveries'));
    expect(response.status).toBe(200);
    const [prod] = ((await response.json()) as { environments: Delivery[] }).environments;
    expect(prod?.blueGreen).toMatchObject({
      strategy: 'CANARY',
      emulated: true,
      deployment: { status: 'ROLLBACK_SUCCESSFUL', stage: 'BAKE_TIME', rolledBack: true, reason: expect.stringContaining('ALARM') },
    });
    expect(prod?.deployments[0]?.stage).toBe('BAKE_TIME');
  });

  it('without the session cookie it answers nothing about deliveries', async () => {
    const app = appFor(unused('deliveries'));
    const response = await app.request(new Request(`${ORIGIN}/api/deliveries`));
    expect(response.status).toBe(401);
  });
});
