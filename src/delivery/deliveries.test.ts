import { BatchGetDeploymentsCommand, CodeDeployClient, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliveryRow, REVISION_TAG, readDelivery } from './deliveries.js';
import { RUN_URL_TAG } from './ecs-deploy.js';

// Recorded shapes of AWS's answers (moto has neither ListServiceDeployments nor CodeDeploy's deployment history).
const ecs = mockClient(ECSClient);
const codeDeploy = mockClient(CodeDeployClient);
const td = (revision: number) => `arn:aws:ecs:eu-west-1:222222222222:task-definition/backend:${revision}`;
const image = (c: string) => `111111111111.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${c.repeat(64)}`;

beforeEach(() => {
  ecs.reset();
  codeDeploy.reset();
  ecs.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => {
    const revision = Number(taskDefinition.split(':').pop());
    return {
      taskDefinition: { taskDefinitionArn: td(revision), containerDefinitions: [{ name: 'app', image: image(String(revision)), essential: true }] },
      tags: [
        { key: RUN_URL_TAG, value: `https://github.com/acme/backend/actions/runs/${revision}00` },
        { key: REVISION_TAG, value: `v1.${revision}.0` },
      ],
    };
  });
});

describe('readDelivery', () => {
  it('production (CodeDeploy): the primary task set runs now; the last deployments newest first with rollbacks and reasons', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          status: 'ACTIVE',
          deploymentController: { type: 'CODE_DEPLOY' },
          runningCount: 2,
          desiredCount: 2,
          taskSets: [{ status: 'PRIMARY', taskDefinition: td(3), createdAt: new Date('2026-11-20T10:00:00Z') }],
        },
      ],
    });
    codeDeploy.on(ListDeploymentsCommand, { applicationName: 'prod-backend', deploymentGroupName: 'backend' }).resolves({ deployments: ['d-2', 'd-3'] });
    const appSpec = (n: number) => `{"version":1,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"${td(n)}"}}}]}`;
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        {
          deploymentId: 'd-2',
          status: 'Stopped',
          createTime: new Date('2026-11-19T09:00:00Z'),
          completeTime: new Date('2026-11-19T09:20:00Z'),
          errorInformation: { code: 'ALARM_ACTIVE', message: 'alarm prod-backend-5xx was in ALARM' },
          rollbackInfo: { rollbackDeploymentId: 'd-2r' },
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(2) } },
        },
        {
          deploymentId: 'd-3',
          status: 'Succeeded',
          createTime: new Date('2026-11-20T09:50:00Z'),
          completeTime: new Date('2026-11-20T10:10:00Z'),
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(3) } },
        },
      ],
    });
    const delivery = await readDelivery(
      { ecs: new ECSClient({ region: 'eu-west-1' }), codeDeploy: new CodeDeployClient({ region: 'eu-west-1' }) },
      { environment: 'prod', accountId: '222222222222', cluster: 'prod', service: 'backend', codeDeploy: { application: 'prod-backend', group: 'backend' } },
    );
    expect(delivery.current).toMatchObject({
      taskDefinition: td(3),
      digest: `sha256:${'3'.repeat(64)}`,
      revision: 'v1.3.0',
      runUrl: 'https://github.com/acme/backend/actions/runs/300',
      since: '2026-11-20T10:00:00.000Z',
      runningCount: 2,
    });
    expect(delivery.deployments.map((d) => [d.id, d.status, d.rolledBack, d.reason, d.delivered?.revision])).toEqual([
      ['d-3', 'Succeeded', false, null, 'v1.3.0'],
      ['d-2', 'Stopped', true, 'alarm prod-backend-5xx was in ALARM', 'v1.2.0'],
    ]);
    expect(delivery.notes).toEqual([]);
  });

  it('staging (ECS rolling): ECS’s service deployments, with a rollback and its reason', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          status: 'ACTIVE',
          runningCount: 1,
          desiredCount: 1,
          deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: td(5), createdAt: new Date('2026-11-25T08:00:00Z') }],
        },
      ],
    });
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:2:service-deployment/staging/backend/a' },
        { serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:2:service-deployment/staging/backend/b' },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: 'arn:.../a',
          status: 'SUCCESSFUL',
          startedAt: new Date('2026-11-25T08:00:00Z'),
          finishedAt: new Date('2026-11-25T08:05:00Z'),
          targetServiceRevision: { arn: td(5) },
        },
        {
          serviceDeploymentArn: 'arn:.../b',
          status: 'ROLLBACK_SUCCESSFUL',
          statusReason: 'circuit breaker: tasks failed to start',
          startedAt: new Date('2026-11-24T08:00:00Z'),
          targetServiceRevision: { arn: td(4) },
          rollback: { reason: 'circuit breaker' },
        },
      ],
    });
    const delivery = await readDelivery(
      { ecs: new ECSClient({ region: 'eu-west-1' }) },
      { environment: 'staging', accountId: '2', cluster: 'staging', service: 'backend' },
    );
    expect(delivery.current?.revision).toBe('v1.5.0');
    expect(delivery.deployments.map((d) => [d.id, d.status, d.rolledBack, d.reason])).toEqual([
      ['a', 'SUCCESSFUL', false, null],
      ['b', 'ROLLBACK_SUCCESSFUL', true, 'circuit breaker: tasks failed to start'],
    ]);
  });

  it('a service groundwork deploy created before any image (0 tasks of the placeholder) waits for its first deployment', async () => {
    const placeholder = 'arn:aws:ecs:eu-west-1:222222222222:task-definition/backend-placeholder:1';
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { status: 'ACTIVE', runningCount: 0, desiredCount: 0, taskDefinition: placeholder, deployments: [{ status: 'PRIMARY', taskDefinition: placeholder }] },
      ],
    });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: placeholder }).resolves({
      taskDefinition: {
        taskDefinitionArn: placeholder,
        containerDefinitions: [{ name: 'app', image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/backend:groundwork-no-image-yet', essential: true }],
      },
    });
    const delivery = await readDelivery(
      { ecs: new ECSClient({ region: 'eu-west-1' }) },
      { environment: 'staging', accountId: '2', cluster: 'staging', service: 'backend' },
      { serviceDeploymentsApi: false },
    );
    expect(delivery).toMatchObject({ state: 'awaiting-first-deployment', current: { desiredCount: 0, runningCount: 0 } });
    expect(deliveryRow(delivery)).toMatchObject({ releasedBy: 'waiting for the first deployment', status: null, stage: null });
  });

  it('an environment without the service is not deployed, and nothing is invented', async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
    const delivery = await readDelivery(
      { ecs: new ECSClient({ region: 'eu-west-1' }) },
      { environment: 'prod', accountId: '2', cluster: 'prod', service: 'backend' },
    );
    expect(delivery).toMatchObject({ state: 'not-deployed', current: null, deployments: [] });
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'INACTIVE' }], failures: [] });
    expect(
      (await readDelivery({ ecs: new ECSClient({ region: 'eu-west-1' }) }, { environment: 'prod', accountId: '2', cluster: 'prod', service: 'backend' })).state,
    ).toBe('not-deployed');
  });
});
