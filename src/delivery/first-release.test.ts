import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  type LifecycleEventStatus,
  ListDeploymentTargetsCommand,
} from '@aws-sdk/client-codedeploy';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  type TaskSet,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ecsDeploymentStandIn, loadRecording } from '../../test/helpers/ecs-deployment-stand-in.js';
import type { GroundworkError } from '../errors.js';
import { releaseBlueGreen } from './bluegreen.js';
import { releaseEcsBlueGreen, rollBackAbandonedRelease } from './ecs-bluegreen.js';
import { FIRST_RELEASE_DEPLOYMENT_CONFIG, scaleFirstRelease, serviceArnFrom } from './first-deployment.js';
import { DESIRED_COUNT_TAG, PLACEHOLDER_IMAGE_TAG } from './placeholder.js';

// A first release to production (issue #28): the service was created before any image, with 0 tasks of a placeholder,
// so there is nothing to shift traffic from. ECS and CodeDeploy answers are recorded in the API's shapes (moto starts
// no rollout, no ECS service deployment and no CodeDeploy deployment); ECR and SSM answer what the promotion reads.
const COMMIT = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const PLACEHOLDER = `222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend-service:${PLACEHOLDER_IMAGE_TAG}`;
const LIVE = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend-service:1';
const quick = { sleep: async () => {}, pollMs: 1 };

const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

/** The cicd account's ECR and SSM: the commit's image and the staging record of that very digest. */
function cicd() {
  const ecr = mockClient(ECRClient);
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, registryId: '222222222222' }] });
  ecr
    .on(BatchGetImageCommand)
    .resolves({ images: [{ imageManifest: '{"schemaVersion":2}', imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
  ecr.on(PutImageCommand).resolves({});
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      { authorizationToken: Buffer.from('AWS:token').toString('base64'), proxyEndpoint: 'https://222222222222.dkr.ecr.eu-west-1.amazonaws.com' },
    ],
  });
  const ssm = mockClient(SSMClient);
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ digest: DIGEST, recordedAt: '2026-12-06T01:00:00.000Z' }) } });
  restores.push(
    () => ecr.restore(),
    () => ssm.restore(),
  );
  return { ecr: new ECRClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) };
}

const taskSet = (over: Partial<TaskSet>): TaskSet => ({ id: 'ecs-svc/2', status: 'PRIMARY', computedDesiredCount: 2, ...over });

describe('scaling a first release up after CodeDeploy put it in place with 0 tasks', () => {
  it('names the service from its task definition’s ARN', () => {
    expect(serviceArnFrom(LIVE, 'prod', 'backend-service')).toBe('arn:aws:ecs:eu-west-1:111111111111:service/prod/backend-service');
  });

  it('scales to the configured count, waits for the primary task set’s steady state (every task healthy), then runs the smoke check', async () => {
    const ecs = mockClient(ECSClient);
    restores.push(() => ecs.restore());
    ecs.on(UpdateServiceCommand).resolves({});
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ taskSets: [taskSet({ runningCount: 0, pendingCount: 2, stabilityStatus: 'STABILIZING' })] }] })
      .resolves({ services: [{ taskSets: [taskSet({ runningCount: 2, pendingCount: 0, stabilityStatus: 'STEADY_STATE' })] }] });
    const order: string[] = [];
    await scaleFirstRelease(new ECSClient({}), {
      ...quick,
      cluster: 'prod',
      service: 'backend-service',
      desiredCount: 2,
      smoke: async () => {
        order.push(`smoke after ${ecs.commandCalls(DescribeServicesCommand).length} polls`);
        return true;
      },
    });
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'backend-service', desiredCount: 2 }]);
    expect(order).toEqual(['smoke after 2 polls']);
  });

  it('scales back to 0 when the smoke check fails, or when the tasks never become healthy: there is no earlier version', async () => {
    const ecs = mockClient(ECSClient);
    restores.push(() => ecs.restore());
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DescribeServicesCommand).resolves({ services: [{ taskSets: [taskSet({ runningCount: 2, stabilityStatus: 'STEADY_STATE' })] }] });
    const smokeFailed = (await scaleFirstRelease(new ECSClient({}), {
      ...quick,
      cluster: 'prod',
      service: 'backend-service',
      desiredCount: 2,
      smoke: async () => false,
    }).catch((e: unknown) => e)) as GroundworkError;
    expect(smokeFailed.message).toBe('the first release of backend-service failed its smoke check; it is scaled back to 0 tasks');
    expect(ecs.commandCalls(UpdateServiceCommand).at(-1)?.args[0].input).toEqual({ cluster: 'prod', service: 'backend-service', desiredCount: 0 });

    ecs.on(DescribeServicesCommand).resolves({
      services: [{ taskSets: [taskSet({ runningCount: 0, stabilityStatus: 'STABILIZING' })], events: [{ message: 'CannotPullContainerError' }] }],
    });
    let t = 0;
    const stuck = (await scaleFirstRelease(new ECSClient({}), {
      cluster: 'prod',
      service: 'backend-service',
      desiredCount: 2,
      timeoutMs: 60_000,
      pollMs: 15_000,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    }).catch((e: unknown) => e)) as GroundworkError;
    expect(stuck.message).toBe('the first release of backend-service did not reach 2 healthy task(s) within 60 s; it is scaled back to 0 tasks');
    expect(stuck.details).toEqual(['latest service event: CannotPullContainerError']);
    expect(ecs.commandCalls(UpdateServiceCommand).at(-1)?.args[0].input).toEqual({ cluster: 'prod', service: 'backend-service', desiredCount: 0 });
  });
});

describe('a first release through CodeDeploy', () => {
  it('deploys straight (all at once, no smoke check while no task runs), then scales from 0 to the count, checks, and says it was the first', async () => {
    const cd = mockClient(CodeDeployClient);
    const ecs = mockClient(ECSClient);
    restores.push(
      () => cd.restore(),
      () => ecs.restore(),
    );
    cd.on(GetDeploymentGroupCommand).resolves({
      deploymentGroupInfo: {
        computePlatform: 'ECS',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        ecsServices: [{ clusterName: 'prod', serviceName: 'backend-service' }],
        deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        blueGreenDeploymentConfiguration: {
          deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 10 },
        },
      },
    });
    cd.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-FIRST0001' });
    cd.on(ContinueDeploymentCommand).resolves({});
    cd.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['prod:backend-service'] });
    const events = (...pairs: [string, string][]) => ({
      deploymentTargets: [
        { ecsTarget: { lifecycleEvents: pairs.map(([lifecycleEventName, status]) => ({ lifecycleEventName, status: status as LifecycleEventStatus })) } },
      ],
    });
    cd.on(GetDeploymentCommand)
      .resolvesOnce({ deploymentInfo: { status: 'Ready' } })
      .resolves({ deploymentInfo: { status: 'Succeeded' } });
    cd.on(BatchGetDeploymentTargetsCommand)
      .resolvesOnce(events(['Install', 'Succeeded'], ['AfterAllowTestTraffic', 'Succeeded']))
      .resolves(events(['AllowTraffic', 'Succeeded'], ['AfterAllowTraffic', 'Succeeded']));
    const service = {
      serviceName: 'backend-service',
      status: 'ACTIVE',
      taskDefinition: LIVE,
      desiredCount: 0,
      deploymentController: { type: 'CODE_DEPLOY' as const },
      loadBalancers: [{ containerName: 'app', containerPort: 8080, targetGroupArn: 'arn:tg/blue' }],
    };
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service] })
      .resolves({ services: [{ ...service, taskSets: [taskSet({ runningCount: 2, stabilityStatus: 'STEADY_STATE' })] }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: LIVE, family: 'backend-service', containerDefinitions: [{ name: 'app', image: PLACEHOLDER }] },
    });
    ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: DESIRED_COUNT_TAG, value: '2' }] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: LIVE.replace(/:1$/, ':2') } });
    ecs.on(UpdateServiceCommand).resolves({});
    const smoked: string[] = [];
    const lines: string[] = [];
    const result = await releaseBlueGreen({
      ...cicd(),
      ...quick,
      codedeploy: new CodeDeployClient({}),
      ecs: new ECSClient({}),
      repositoryName: 'backend-service',
      commit: COMMIT,
      version: 'v1.0.0',
      application: 'prod-backend-service',
      group: 'backend-service',
      smokeUrl: 'http://prod.example.test:9000',
      smoke: async (url) => {
        // Only once the tasks run: while CodeDeploy deploys there is none behind the test listener.
        smoked.push(`${url} after ${ecs.commandCalls(UpdateServiceCommand).length} update(s)`);
        return true;
      },
      progress: (line) => lines.push(line),
    });
    expect(ecs.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/prod/backend-service',
    });
    expect(cd.commandCalls(CreateDeploymentCommand)[0]?.args[0].input.deploymentConfigName).toBe(FIRST_RELEASE_DEPLOYMENT_CONFIG);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'prod', service: 'backend-service', desiredCount: 2 }]);
    expect(smoked).toEqual(['http://prod.example.test:9000 after 1 update(s)']);
    expect(result.firstDeployment).toEqual({ desiredCount: 2, placeholderImage: PLACEHOLDER });
    expect(lines).toContain(
      `first release: backend-service has never run the team's image, so there is no traffic to shift; deploying straight (${FIRST_RELEASE_DEPLOYMENT_CONFIG}), then scaling to 2 task(s)`,
    );
  });
});

describe("a first release through ECS's own blue/green, on recorded service deployments", () => {
  const production = (recording: string) => {
    const stand = ecsDeploymentStandIn(loadRecording(recording), { firstDeployment: { placeholder: PLACEHOLDER, desiredCount: '2' } });
    restores.push(stand.restore);
    let t = 0;
    return {
      ...stand,
      options: {
        ...cicd(),
        ecs: stand.ecs,
        repositoryName: 'backend-service',
        commit: COMMIT,
        version: 'v1.0.0',
        cluster: 'prod',
        service: 'backend-service',
        smokeUrl: 'http://prod.example.test:9000',
        pollMs: 60_000,
        now: () => t,
        sleep: async (ms: number) => {
          t += ms;
        },
      },
    };
  };

  it('scales from 0 to the configured count in the update that starts the deployment, and says it was the first', async () => {
    const env = production('paused-at-test-traffic.json');
    const result = await releaseEcsBlueGreen({ ...env.options, smoke: async () => true });
    const update = env.calls.find((c) => c.command === 'UpdateService')?.input as { desiredCount?: number };
    expect(update.desiredCount).toBe(2);
    expect(result.firstDeployment).toEqual({ desiredCount: 2, placeholderImage: PLACEHOLDER });
    expect(result.deployment.status).toBe('SUCCESSFUL');
  });

  it('scales a first release that ECS rolled back down to 0 again: the placeholder it returns to cannot start', async () => {
    const env = production('circuit-breaker-at-scale-up.json');
    const updates: unknown[] = [];
    await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch(() => undefined);
    for (const call of env.calls) if (call.command === 'UpdateService') updates.push(call.input);
    expect(updates.at(-1)).toEqual({ cluster: 'prod', service: 'backend-service', desiredCount: 0 });
  });

  it('the post step of a first release whose step was killed at the hook rolls it back and scales the service back to 0', async () => {
    const env = production('paused-at-test-traffic.json');
    let told!: (started: [string, unknown]) => void;
    const started = new Promise<[string, unknown]>((resolve) => {
      told = resolve;
    });
    // The main step is killed while the smoke check runs: nobody answers the hook.
    void releaseEcsBlueGreen({ ...env.options, onDeploymentStarted: (arn, first) => told([arn, first]), smoke: () => new Promise<boolean>(() => {}) });
    const [arn, first] = await started;
    expect(first).toEqual({ desiredCount: 2, placeholderImage: PLACEHOLDER });
    for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
    const settled = await rollBackAbandonedRelease(env.ecs, arn, {
      sleep: env.options.sleep,
      now: env.options.now,
      firstDeploymentOf: { cluster: 'prod', service: 'backend-service' },
    });
    expect(settled).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', scaledToZero: true });
    const updates = env.calls.filter((c) => c.command === 'UpdateService').map((c) => c.input as { desiredCount?: number });
    expect(updates.map((u) => u.desiredCount)).toEqual([2, 0]);
  });
});
