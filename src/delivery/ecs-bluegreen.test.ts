import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { ContinueServiceDeploymentCommand, DescribeServiceDeploymentsCommand, type ECSClient, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ecsDeploymentStandIn, loadRecording } from '../../test/helpers/ecs-deployment-stand-in.js';
import type { GroundworkError } from '../errors.js';
import { type EcsReleaseOptions, listenerOfRule, releaseEcsBlueGreen, rollbackServiceDeployment } from './ecs-bluegreen.js';

// moto has no ECS service deployments, lifecycle stages or pause hooks: ECS answers are recorded
// (test/fixtures/ecs-service-deployments/, replayed by test/helpers/ecs-deployment-stand-in.ts); ECR, SSM and the load
// balancer answer through aws-sdk-client-mock with the fields the release reads.
const COMMIT = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const TEST_URL = 'http://prod-alb-1234567890.eu-west-1.elb.amazonaws.com:9000';

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
  const elb = mockClient(ElasticLoadBalancingV2Client);
  elb
    .on(DescribeListenersCommand, {
      ListenerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/prod-alb/50dc6c495c0c9188/0467ef3c8400ae65'],
    })
    .resolves({ Listeners: [{ LoadBalancerArn: 'arn:lb', Port: 9000, Protocol: 'HTTP' }] });
  elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: 'prod-alb-1234567890.eu-west-1.elb.amazonaws.com' }] });
  restores.push(
    () => ecr.restore(),
    () => ssm.restore(),
    () => elb.restore(),
  );
  return {
    ecr: new ECRClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
  };
}

/** A production ECS replaying a recording, and the release's options on a virtual clock that moves only while it sleeps. */
function production(recording: string | ReturnType<typeof loadRecording>, standIn: Parameters<typeof ecsDeploymentStandIn>[1] = {}) {
  const stand = ecsDeploymentStandIn(typeof recording === 'string' ? loadRecording(recording) : recording, standIn);
  restores.push(stand.restore);
  let t = 0;
  const lines: string[] = [];
  const options: EcsReleaseOptions = {
    ...cicd(),
    ecs: stand.ecs,
    repositoryName: 'backend-service',
    commit: COMMIT,
    version: 'v1.4.0',
    cluster: 'prod',
    service: 'backend-service',
    pollMs: 60_000,
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    progress: (line) => lines.push(line),
  };
  return { ...stand, options, lines, minutes: () => t / 60_000 };
}

const names = (calls: { command: string }[]) => calls.map((c) => c.command);

describe('ECS blue/green release, on recorded service deployments (moto has none)', () => {
  it('registers the revision pinned by digest, updates the service, waits at the pause hook, runs the smoke check at the test listener, continues, and follows every stage to SUCCESSFUL', async () => {
    const env = production('paused-at-test-traffic.json');
    const smokedAt: string[] = [];
    const result = await releaseEcsBlueGreen({
      ...env.options,
      smoke: async (url) => {
        // The smoke check runs while the hook waits: nothing has answered it yet.
        smokedAt.push(url, String(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').length));
        return true;
      },
    });
    expect(smokedAt).toEqual([TEST_URL, '0']);
    const update = env.calls.find((c) => c.command === 'UpdateService')?.input as { taskDefinition: string };
    expect(update.taskDefinition).toBe('arn:aws:ecs:eu-west-1:111111111111:task-definition/backend-service:8');
    const registered = env.calls.find((c) => c.command === 'RegisterTaskDefinition')?.input as { containerDefinitions: { image: string }[] };
    expect(registered.containerDefinitions[0]?.image).toBe(`222222222222.dkr.ecr.eu-west-1.amazonaws.com/backend-service@${DIGEST}`);
    expect(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => c.input)).toEqual([
      { serviceDeploymentArn: env.arn, hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw', action: 'CONTINUE' },
    ]);
    expect(names(env.calls)).not.toContain('StopServiceDeployment');
    expect(result.deployment).toMatchObject({ serviceDeploymentArn: env.arn, status: 'SUCCESSFUL', smokeRan: true });
    const stages = result.deployment.stages.map((s) => s.split(' ')[0]);
    for (const stage of [
      'RECONCILE_SERVICE',
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]) {
      expect(stages).toContain(stage);
    }
    expect(result.deployment.stages).toContain(
      'POST_TEST_TRAFFIC_SHIFT (the test listener serves the new tasks): IN_PROGRESS; new revision 2/2 tasks running, test traffic 100%, production traffic 0%; PAUSE hook AWAITING_ACTION',
    );
    expect(result.target).toMatchObject({ strategy: 'CANARY', bakeMinutes: 10, shiftMinutes: 5, pauseHook: { timeoutMinutes: 30, timeoutAction: 'ROLLBACK' } });
  });

  it('answers the hook with ROLLBACK when the smoke check fails, and waits for the rollback before failing', async () => {
    const env = production('paused-at-test-traffic.json');
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => false }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toBe('the release was stopped and rolled back: the smoke check at the test listener failed');
    expect(error.details.at(-1)).toMatch(/: ROLLBACK_SUCCESSFUL$/);
    expect(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => (c.input as { action: string }).action)).toEqual(['ROLLBACK']);
  });

  it('answers the hook with ROLLBACK when the smoke check throws (the command could not start, or was killed), never leaving it waiting', async () => {
    const env = production('paused-at-test-traffic.json');
    const error = (await releaseEcsBlueGreen({
      ...env.options,
      smoke: async () => {
        throw new Error('spawn /bin/sh ENOENT');
      },
    }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toBe('the release was stopped and rolled back: the smoke check at the test listener could not run: spawn /bin/sh ENOENT');
    expect(error.details.at(-1)).toMatch(/: ROLLBACK_SUCCESSFUL$/);
    expect(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => (c.input as { action: string }).action)).toEqual(['ROLLBACK']);
  });

  it('does not answer a hook that stopped waiting while the smoke check ran (rolled back elsewhere), and reports the rollback', async () => {
    const env = production('paused-at-test-traffic.json');
    const error = (await releaseEcsBlueGreen({
      ...env.options,
      smoke: async () => {
        // Someone (or the hook's timeout) rolls the deployment back while the check runs.
        const { serviceDeployments } = await env.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [env.arn] }));
        const hookId = serviceDeployments?.[0]?.lifecycleHookDetails?.find((h) => h.status === 'AWAITING_ACTION')?.hookId;
        await env.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: env.arn, hookId, action: 'ROLLBACK' }));
        return true;
      },
    }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toMatch(/^the release failed and ECS (rolled back|is rolling back)/);
    // Only the rollback made elsewhere: the release never sent CONTINUE.
    expect(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => (c.input as { action: string }).action)).toEqual(['ROLLBACK']);
  });

  it("reports an alarm's rollback during the bake with ECS's reason and the alarm's name", async () => {
    const env = production('alarm-during-bake.json');
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toMatch(
      /^the release failed and ECS rolled back: Service deployment rolled back because the CloudWatch alarm prod-backend-service-green-5xx-rate is in ALARM state\./,
    );
    expect(error.message).toContain('alarm in ALARM: prod-backend-service-green-5xx-rate');
    expect(error.hint).toMatch(/production still runs the previous version/);
    expect(names(env.calls)).not.toContain('StopServiceDeployment');
  });

  it("reports a circuit-breaker rollback with ECS's reason and counts; the smoke check never runs", async () => {
    const env = production('circuit-breaker-at-scale-up.json');
    let smoked = false;
    const error = (await releaseEcsBlueGreen({
      ...env.options,
      smoke: async () => {
        smoked = true;
        return true;
      },
    }).catch((e) => e)) as GroundworkError;
    expect(error.message).toContain('Service deployment rolled back because the circuit breaker threshold was exceeded.');
    expect(error.message).toContain('circuit breaker triggered: 3 failed tasks of 3 allowed');
    expect(smoked).toBe(false);
    expect(names(env.calls)).not.toContain('ContinueServiceDeployment');
  });

  it('does not report a deployment STOPPED without a rollback (stopped elsewhere with ABORT) as rolled back', async () => {
    const recording = loadRecording('paused-at-test-traffic.json');
    const stoppedAt = recording.CONTINUE.findIndex((d) => d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT');
    expect(stoppedAt).toBeGreaterThanOrEqual(0);
    const CONTINUE = [
      ...recording.CONTINUE.slice(0, stoppedAt + 1),
      { ...recording.CONTINUE[stoppedAt], status: 'STOPPED' as const, statusReason: 'Service deployment stopped by user.' },
    ];
    const env = production({ ...recording, CONTINUE });
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('APPLY_FAILED');
    expect(error.message).toBe('the release was stopped before it finished, without a rollback: Service deployment stopped by user.');
    expect(error.message).not.toContain('rolled back');
    expect(error.hint).toContain('either revision');
  });

  it('rolls back on its own timeout before production traffic (StopServiceDeployment with ROLLBACK when no hook waits)', async () => {
    const env = production('paused-at-test-traffic.json');
    // 3 minutes until production traffic, plus the canary's 5; polled every 3 minutes, the hook would wait only at 15.
    const error = (await releaseEcsBlueGreen({ ...env.options, pollMs: 3 * 60_000, timeoutMs: 3 * 60_000, smoke: async () => true }).catch(
      (e) => e,
    )) as GroundworkError;
    expect(error.message).toBe('the release was stopped and rolled back: no result within 480 s until production traffic');
    expect(env.calls.filter((c) => c.command === 'StopServiceDeployment').map((c) => c.input)).toEqual([
      { serviceDeploymentArn: env.arn, stopType: 'ROLLBACK' },
    ]);
  });

  it('adds the bake to its timeout: a release whose bake ends past wait-for-minutes still succeeds', async () => {
    const env = production('paused-at-test-traffic.json');
    // 20 minutes until production traffic (and the canary's 5): it is on the new tasks at 24; the bake's budget (10 + 10) runs from there.
    const result = await releaseEcsBlueGreen({ ...env.options, pollMs: 3 * 60_000, timeoutMs: 20 * 60_000, smoke: async () => true });
    expect(result.deployment.status).toBe('SUCCESSFUL');
    expect(env.minutes()).toBeGreaterThan(25);
  });

  it('rolls back a cancelled job at once, through the waiting hook', async () => {
    const env = production('paused-at-test-traffic.json');
    const cancel = new AbortController();
    const error = (await releaseEcsBlueGreen({
      ...env.options,
      signal: cancel.signal,
      smoke: async () => {
        cancel.abort();
        return true;
      },
    }).catch((e) => e)) as GroundworkError;
    expect(error.message).toMatch(/^the release was stopped and (ECS is rolling it back|rolled back): the job was cancelled$/);
    expect(env.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => (c.input as { action: string }).action)).toEqual(['ROLLBACK']);
  });

  it('the post step rolls back a deployment the main step left waiting at the hook, and leaves a finished one alone', async () => {
    const env = production('paused-at-test-traffic.json');
    const ecs: ECSClient = env.ecs;
    await releaseEcsBlueGreen({ ...env.options, smoke: undefined, timeoutMs: 60 * 60_000 });
    // Finished: nothing to do.
    expect(await rollbackServiceDeployment(ecs, env.arn, { sleep: env.options.sleep, now: env.options.now })).toMatchObject({ status: 'SUCCESSFUL' });
    expect(names(env.calls)).not.toContain('StopServiceDeployment');

    const left = production('paused-at-test-traffic.json');
    // The main step was killed while the hook waited: UpdateService happened, nobody answered.
    let stopped!: (arn: string) => void;
    const started = new Promise<string>((resolve) => {
      stopped = resolve;
    });
    const hanging = releaseEcsBlueGreen({ ...left.options, onDeploymentStarted: stopped, smoke: () => new Promise<boolean>(() => {}) });
    void hanging;
    const arn = await started;
    for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
    const settled = await rollbackServiceDeployment(left.ecs, arn, { sleep: left.options.sleep, now: left.options.now });
    expect(settled.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(left.calls.filter((c) => c.command === 'ContinueServiceDeployment').map((c) => (c.input as { action: string }).action)).toEqual(['ROLLBACK']);
  });
});

describe('what ECS refuses, and what the release refuses before deploying', () => {
  it('the stand-in refuses ContinueServiceDeployment when no hook waits, with another hook ID, and for an unknown deployment', async () => {
    const env = production('paused-at-test-traffic.json');
    await releaseEcsBlueGreen({ ...env.options, smoke: async () => true });
    const cont = (hookId: string, arn = env.arn) =>
      env.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'CONTINUE' }));
    await expect(cont('ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw')).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(cont('x', `${env.arn}-other`)).rejects.toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
  });

  it('the stand-in, as the ECS guide says, lets StopServiceDeployment carry on a rollback in progress and refuses it on a finished deployment', async () => {
    const env = production('paused-at-test-traffic.json');
    const stop = () => env.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: env.arn, stopType: 'ROLLBACK' }));
    await releaseEcsBlueGreen({
      ...env.options,
      smoke: async () => {
        const { serviceDeployments } = await env.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [env.arn] }));
        const hookId = serviceDeployments?.[0]?.lifecycleHookDetails?.find((h) => h.status === 'AWAITING_ACTION')?.hookId;
        await env.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: env.arn, hookId, action: 'ROLLBACK' }));
        // ROLLBACK_REQUESTED: the stop is accepted and the rollback carries on.
        await expect(stop()).resolves.toMatchObject({ serviceDeploymentArn: env.arn });
        return true;
      },
    }).catch(() => undefined);
    await expect(stop()).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('refuses a CODE_DEPLOY service, naming the strategy input and the runbook', async () => {
    const recording = loadRecording('paused-at-test-traffic.json');
    const env = production({ ...recording, service: { ...recording.service, deploymentController: { type: 'CODE_DEPLOY' } } });
    const error = (await releaseEcsBlueGreen(env.options).catch((e) => e)) as GroundworkError;
    expect(error.message).toBe('ECS service "backend-service" uses the CODE_DEPLOY deployment controller, not ECS\'s own blue/green');
    expect(error.hint).toMatch(/set the input strategy to codedeploy .*docs\/runbooks\/release-strategies\.md/);
    expect(names(env.calls)).toEqual(['DescribeServices']);
  });

  it('refuses, before anything is deployed, a pause hook whose timeout CONTINUEs (a smoke check outlasting it would let production traffic move)', async () => {
    const recording = loadRecording('paused-at-test-traffic.json');
    const hooks = recording.service.deploymentConfiguration?.lifecycleHooks ?? [];
    expect(hooks).toHaveLength(1);
    const service = {
      ...recording.service,
      deploymentConfiguration: {
        ...recording.service.deploymentConfiguration,
        lifecycleHooks: hooks.map((h) => ({ ...h, timeoutConfiguration: { ...h.timeoutConfiguration, action: 'CONTINUE' as const } })),
      },
    };
    const env = production({ ...recording, service });
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('ends its timeout with CONTINUE, not ROLLBACK');
    expect(names(env.calls)).toEqual(['DescribeServices']);
  });

  it('refuses a service with no pause hook when a smoke command is set (it could not hold production traffic), unless allowed', async () => {
    const recording = loadRecording('paused-at-test-traffic.json');
    const service = { ...recording.service, deploymentConfiguration: { ...recording.service.deploymentConfiguration, lifecycleHooks: [] } };
    const env = production({ ...recording, service });
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('has no PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT');
    expect(error.hint).toContain('allow-release-without-smoke-gate: true');
    expect(names(env.calls)).not.toContain('UpdateService');
  });

  it('refuses while another deployment of the service is in progress, naming it', async () => {
    const env = production('paused-at-test-traffic.json', { inProgress: true });
    const error = (await releaseEcsBlueGreen({ ...env.options, smoke: async () => true }).catch((e) => e)) as GroundworkError;
    expect(error.message).toMatch(/^a deployment is already in progress for prod\/backend-service: Earlier0000000000000 \(IN_PROGRESS\)$/);
    expect(names(env.calls)).not.toContain('UpdateService');
  });

  it("finds the test listener of an ALB listener rule from the rule's ARN, and takes an NLB listener as it is", () => {
    expect(
      listenerOfRule('arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener-rule/app/prod-alb/50dc6c495c0c9188/0467ef3c8400ae65/c7f8e2a1b3d4e5f6'),
    ).toBe('arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/prod-alb/50dc6c495c0c9188/0467ef3c8400ae65');
    const nlb = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/net/prod-nlb/50dc6c495c0c9188/0467ef3c8400ae65';
    expect(listenerOfRule(nlb)).toBe(nlb);
  });
});
