import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESIRED_COUNT_TAG, PLACEHOLDER_IMAGE_TAG } from '../../src/delivery/placeholder.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const DIGEST = `sha256:${'c'.repeat(64)}`;
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend-service@${DIGEST}`;

/**
 * Issue #28: the first deploy-staging against a service the workload template created before any image (0 tasks, the
 * placeholder, the count in its tag), in the emulator. moto starts no rollout on UpdateService, so the proxy answers it
 * and the following DescribeServices as ECS does for a rollout that completed; the service, its task definitions and
 * tags are the emulator's.
 */
describe('deploy-staging, the first deployment of a service created with 0 tasks', () => {
  let proxy: FaultProxy;
  const updates: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const ecs = sandbox.emulator.clients('eu-west-1').create(ECSClient);
    await ecs.send(new CreateClusterCommand({ clusterName: 'staging' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'backend-service',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend-service:${PLACEHOLDER_IMAGE_TAG}`,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'staging',
        serviceName: 'backend-service',
        taskDefinition: 'backend-service',
        desiredCount: 0,
        tags: [{ key: DESIRED_COUNT_TAG, value: '2' }],
      }),
    );
    let updated: string | undefined;
    proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation, body) => {
        const deployment = (taskDefinition: string, rolloutState: string, runningCount: number) => ({
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition,
          desiredCount: 2,
          runningCount,
          pendingCount: 2 - runningCount,
          rolloutState,
        });
        if (operation === 'UpdateService') {
          const input = JSON.parse(body) as { taskDefinition: string };
          updates.push(input);
          updated = input.taskDefinition;
          return {
            status: 200,
            json: {
              service: { serviceName: 'backend-service', status: 'ACTIVE', taskDefinition: updated, deployments: [deployment(updated, 'IN_PROGRESS', 0)] },
            },
          };
        }
        if (operation === 'DescribeServices' && updated) {
          const done = {
            serviceName: 'backend-service',
            status: 'ACTIVE',
            taskDefinition: updated,
            desiredCount: 2,
            deployments: [deployment(updated, 'COMPLETED', 2)],
          };
          updated = undefined;
          return { status: 200, json: { services: [done], failures: [] } };
        }
        return undefined;
      },
    });
  });
  afterAll(async () => proxy?.close());

  it('registers the image, scales the service from 0 to its configured count, waits for the rollout, and says it was the first deployment', async () => {
    const run = await runAction(
      'deploy-staging',
      { cluster: 'staging', service: 'backend-service', 'image-uri': IMAGE, 'base-url': 'http://staging.example.test' },
      {
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
        GITHUB_SHA: 'abcdefabcdefabcdefabcdefabcdefabcdef0028',
      },
    );
    expect(run.stdout).not.toContain('::error::');
    expect(run.stdout).toContain("first deployment: backend-service has never run the team's image (it was created with 0 tasks); scaling it to 2 task(s)");
    expect(run.stdout).toContain(`registered backend-service:2 with ${IMAGE}`);
    expect(updates).toEqual([expect.objectContaining({ cluster: 'staging', service: 'backend-service', desiredCount: 2 })]);
    expect(String(updates[0]?.taskDefinition)).toMatch(/task-definition\/backend-service:2$/);
    const summary = run.summary;
    expect(summary).toContain('First deployment to backend-service');
    expect(summary).toContain('the first deployment, scaled from 0 to 2 task(s)');
  });
});
