import {
  BatchGetDeploymentTargetsCommand,
  type BatchGetDeploymentTargetsCommandOutput,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  type LifecycleEventStatus,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { GroundworkError } from '../errors.js';
import { ecsAppSpec, startDeployment, waitForDeployment } from './codedeploy.js';

const ID = 'd-ABCDEF123';
const events = (...pairs: [string, string][]): BatchGetDeploymentTargetsCommandOutput => ({
  $metadata: {},
  deploymentTargets: [
    { ecsTarget: { lifecycleEvents: pairs.map(([lifecycleEventName, status]) => ({ lifecycleEventName, status: status as LifecycleEventStatus })) } },
  ],
});

/** A CodeDeploy mock answering GetDeployment and the targets' lifecycle events with these polls, in order. */
function recorded(polls: { info: DeploymentInfo; events: [string, string][] }[]) {
  const cd = mockClient(CodeDeployClient);
  const get = cd.on(GetDeploymentCommand);
  const targets = cd.on(BatchGetDeploymentTargetsCommand);
  for (const poll of polls) {
    get.resolvesOnce({ deploymentInfo: poll.info });
    targets.resolvesOnce(events(...poll.events));
  }
  cd.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['cluster:service'] });
  return cd;
}
const quick = { sleep: async () => {}, pollMs: 1 };

describe('the AppSpec', () => {
  it('names the task definition, the container and port, and the hooks', () => {
    expect(
      JSON.parse(ecsAppSpec({ taskDefinitionArn: 'arn:td:8', containerName: 'app', containerPort: 8080, hooks: { AfterAllowTestTraffic: 'smoke-fn' } })),
    ).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: 'arn:td:8', LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 8080 } },
          },
        },
      ],
      Hooks: [{ AfterAllowTestTraffic: 'smoke-fn' }],
    });
  });
});

describe('a blue/green deployment, on recorded CodeDeploy answers (moto keeps every deployment Created)', () => {
  it('shows each stage, runs the smoke check at the test listener, continues, and succeeds', async () => {
    const cd = recorded([
      {
        info: { status: 'InProgress' },
        events: [
          ['BeforeInstall', 'Succeeded'],
          ['Install', 'InProgress'],
        ],
      },
      {
        info: { status: 'Ready' },
        events: [
          ['Install', 'Succeeded'],
          ['AfterAllowTestTraffic', 'Succeeded'],
        ],
      },
      { info: { status: 'InProgress' }, events: [['AllowTraffic', 'InProgress']] },
      {
        info: { status: 'Succeeded' },
        events: [
          ['AllowTraffic', 'Succeeded'],
          ['AfterAllowTraffic', 'Succeeded'],
        ],
      },
    ]);
    cd.on(ContinueDeploymentCommand).resolves({});
    let smoked = 0;
    const lines: string[] = [];
    const outcome = await waitForDeployment(new CodeDeployClient({}), ID, { ...quick, smoke: async () => ++smoked > 0, progress: (m) => lines.push(m) });
    expect(outcome).toMatchObject({ status: 'Succeeded', rolledBack: false });
    expect(smoked).toBe(1);
    expect(cd.commandCalls(ContinueDeploymentCommand)[0]?.args[0].input).toEqual({ deploymentId: ID, deploymentWaitType: 'READY_WAIT' });
    expect(lines).toContain('new tasks are behind the test listener: running the smoke check');
    expect(lines).toContain('AllowTraffic (production traffic shift): Succeeded');
    expect(lines).toContain('the smoke check passed');
    expect(lines.at(-1)).toBe('the old tasks are terminated: the release is complete');
  });

  it('names the alarm when CodeDeploy rolled back on it', async () => {
    recorded([
      {
        info: {
          status: 'Stopped',
          errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated: backend-prod-5xx (ALARM)' },
          rollbackInfo: { rollbackMessage: 'Automatic rollback triggered by alarm backend-prod-5xx' },
        },
        events: [['AllowTraffic', 'Failed']],
      },
    ]);
    const error = (await waitForDeployment(new CodeDeployClient({}), ID, quick).catch((e) => e)) as GroundworkError;
    expect(error.message).toBe(
      'the release failed and CodeDeploy rolled back: ALARM_ACTIVE: One or more alarms have been activated: backend-prod-5xx (ALARM) (Automatic rollback triggered by alarm backend-prod-5xx); failed: AllowTraffic',
    );
    expect(error.details).toEqual(['AllowTraffic (production traffic shift): Failed']);
  });

  it('stops with rollback when the smoke check at the test listener fails, and waits for the rollback', async () => {
    const cd = recorded([
      { info: { status: 'Ready' }, events: [['AfterAllowTestTraffic', 'Succeeded']] },
      { info: { status: 'InProgress' }, events: [] },
      { info: { status: 'Stopped' }, events: [] },
    ]);
    cd.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    await expect(waitForDeployment(new CodeDeployClient({}), ID, { ...quick, smoke: async () => false })).rejects.toThrow(
      'the release was stopped and rolled back: the smoke check at the test listener failed',
    );
    expect(cd.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({ deploymentId: ID, autoRollbackEnabled: true });
    expect(cd.commandCalls(ContinueDeploymentCommand)).toHaveLength(0);
  });

  it('stops with rollback on its own timeout, and when the job is cancelled', async () => {
    const timeout = recorded([
      { info: { status: 'InProgress' }, events: [] },
      { info: { status: 'InProgress' }, events: [] },
      { info: { status: 'Stopped' }, events: [] },
    ]);
    timeout.on(StopDeploymentCommand).resolves({});
    let clock = 0;
    await expect(waitForDeployment(new CodeDeployClient({}), ID, { ...quick, timeoutMs: 1000, now: () => (clock += 600) })).rejects.toThrow(
      'the release was stopped and rolled back: no result within 1 s',
    );
    expect(timeout.commandCalls(StopDeploymentCommand)).toHaveLength(1);

    const cancelled = recorded([{ info: { status: 'Stopped' }, events: [] }]);
    cancelled.on(StopDeploymentCommand).resolves({});
    const controller = new AbortController();
    controller.abort();
    await expect(waitForDeployment(new CodeDeployClient({}), ID, { ...quick, signal: controller.signal })).rejects.toThrow('the job was cancelled');
    expect(cancelled.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({ deploymentId: ID, autoRollbackEnabled: true });
  });

  it('names the hook that failed with its diagnostics, reports task sets and bake, and times each stage from CodeDeploy', async () => {
    const cd = mockClient(CodeDeployClient);
    cd.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['prod:backend'] });
    const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 9, 0, s));
    cd.on(GetDeploymentCommand)
      .resolvesOnce({
        deploymentInfo: {
          status: 'InProgress',
          blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: 5 } },
        },
      })
      .resolvesOnce({
        deploymentInfo: { status: 'Failed', errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: 'A lifecycle hook failed' } },
      });
    cd.on(BatchGetDeploymentTargetsCommand)
      .resolvesOnce({
        deploymentTargets: [
          {
            ecsTarget: {
              lifecycleEvents: [
                { lifecycleEventName: 'Install', status: 'Succeeded', startTime: at(0), endTime: at(40) },
                { lifecycleEventName: 'AfterAllowTraffic', status: 'Succeeded' },
              ],
              taskSetsInfo: [
                { taskSetLabel: 'Blue', runningCount: 2, desiredCount: 2, trafficWeight: 0 },
                { taskSetLabel: 'Green', runningCount: 2, desiredCount: 2, trafficWeight: 100 },
              ],
            },
          },
        ],
      })
      .resolvesOnce({
        deploymentTargets: [
          {
            ecsTarget: {
              lifecycleEvents: [
                { lifecycleEventName: 'Install', status: 'Succeeded', startTime: at(0), endTime: at(40) },
                {
                  lifecycleEventName: 'AfterAllowTraffic',
                  status: 'Failed',
                  diagnostics: { errorCode: 'ScriptFailed', message: 'CodeDeployHook_smoke returned Failed' },
                },
              ],
            },
          },
        ],
      });
    const lines: string[] = [];
    const error = (await waitForDeployment(new CodeDeployClient({}), ID, { ...quick, progress: (m) => lines.push(m) }).catch((e) => e)) as GroundworkError;
    expect(error.message).toBe(
      'the release failed and CodeDeploy rolled back: HOOK_EXECUTION_FAILURE: A lifecycle hook failed; failed: AfterAllowTraffic (ScriptFailed: CodeDeployHook_smoke returned Failed)',
    );
    expect(lines).toContain('Install (new tasks provisioned): Succeeded');
    expect(lines).toContain('task sets: Blue: 2/2 running, 0% traffic; Green: 2/2 running, 100% traffic');
    expect(lines).toContain('production traffic is on the new tasks; bake for 5 min: the old tasks stay until then, and an alarm still rolls back');
  });

  it('returns how long each stage took, from the lifecycle events', async () => {
    const cd = mockClient(CodeDeployClient);
    cd.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['prod:backend'] });
    cd.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Succeeded' } });
    const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 9, 0, s));
    cd.on(BatchGetDeploymentTargetsCommand).resolves({
      deploymentTargets: [
        {
          ecsTarget: {
            lifecycleEvents: [
              { lifecycleEventName: 'Install', status: 'Succeeded', startTime: at(0), endTime: at(42) },
              { lifecycleEventName: 'AllowTraffic', status: 'Succeeded', startTime: at(45), endTime: at(50) },
            ],
          },
        },
      ],
    });
    const outcome = await waitForDeployment(new CodeDeployClient({}), ID, quick);
    expect(outcome.timings).toEqual({ Install: 42, AllowTraffic: 5 });
  });

  it('acts at once when the job is cancelled in the middle of a poll interval', async () => {
    const cd = recorded([
      { info: { status: 'InProgress' }, events: [] },
      { info: { status: 'Stopped', rollbackInfo: { rollbackMessage: 'rolled back on request' } }, events: [] },
    ]);
    cd.on(StopDeploymentCommand).resolves({});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const lines: string[] = [];
    // A one-hour poll interval: only an abortable sleep lets the cancellation through.
    await expect(
      waitForDeployment(new CodeDeployClient({}), ID, { pollMs: 3_600_000, settleMs: 1000, signal: controller.signal, progress: (m) => lines.push(m) }),
    ).rejects.toThrow('the release was stopped and rolled back: the job was cancelled');
    expect(cd.commandCalls(StopDeploymentCommand)).toHaveLength(1);
    expect(lines).toContain(`${ID} is Stopped: rolled back on request`);
  });

  it('never lets a smoke-gated deployment move production traffic before the smoke check: it stops with rollback, and a success without it is a failure', async () => {
    // A group that does not stop at Ready (CONTINUE_DEPLOYMENT) goes from the test traffic straight to the shift.
    const shifting = recorded([
      { info: { status: 'InProgress' }, events: [['AllowTestTraffic', 'Succeeded']] },
      {
        info: { status: 'InProgress' },
        events: [
          ['AllowTestTraffic', 'Succeeded'],
          ['AllowTraffic', 'InProgress'],
        ],
      },
      { info: { status: 'Stopped' }, events: [] },
    ]);
    shifting.on(StopDeploymentCommand).resolves({});
    let ran = false;
    const smoke = async () => {
      ran = true;
      return true;
    };
    await expect(waitForDeployment(new CodeDeployClient({}), ID, { ...quick, smoke })).rejects.toThrow(
      "the release was stopped and rolled back: production traffic started to move before the deployment stopped at Ready, so the smoke check could not run (the group's deployment ready option is not STOP_DEPLOYMENT)",
    );
    expect(shifting.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({ deploymentId: ID, autoRollbackEnabled: true });
    expect(ran).toBe(false);

    recorded([{ info: { status: 'Succeeded' }, events: [['AllowTraffic', 'Succeeded']] }]);
    await expect(waitForDeployment(new CodeDeployClient({}), ID, { ...quick, smoke })).rejects.toThrow(
      `deployment ${ID} shifted production traffic and succeeded without stopping at Ready, so the smoke check never ran`,
    );
    expect(ran).toBe(false);
  });

  it('gives the bake its own budget: a bake longer than what is left of the ready wait ends in success, not a rollback', async () => {
    // 40 min to the shift, then a 50 min bake: 90 min in all, past a 60 min wait-for-minutes.
    const minute = 60_000;
    let clock = 0;
    const cd = mockClient(CodeDeployClient);
    cd.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['prod:backend'] });
    cd.on(StopDeploymentCommand).resolves({});
    cd.on(ContinueDeploymentCommand).resolves({});
    const shifted = events(['AllowTraffic', 'Succeeded'], ['AfterAllowTraffic', 'Succeeded']);
    cd.on(GetDeploymentCommand).callsFake(() => ({
      deploymentInfo: {
        status: clock < 20 * minute ? 'InProgress' : clock < 30 * minute ? 'Ready' : clock < 92 * minute ? 'InProgress' : 'Succeeded',
        blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 50 } },
      },
    }));
    cd.on(BatchGetDeploymentTargetsCommand).callsFake(() => (clock < 40 * minute ? events(['Install', 'Succeeded']) : shifted));
    const lines: string[] = [];
    const outcome = await waitForDeployment(new CodeDeployClient({}), ID, {
      smoke: async () => true,
      timeoutMs: 60 * minute,
      pollMs: minute,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      progress: (m) => lines.push(m),
    });
    expect(outcome.status).toBe('Succeeded');
    expect(cd.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(lines).toContain('production traffic is on the new tasks; bake for 50 min: the old tasks stay until then, and an alarm still rolls back');

    // The bake's budget is the bake plus the grace: a deployment stuck past it is stopped, naming the bake.
    clock = 0;
    cd.on(GetDeploymentCommand).callsFake(() => ({
      deploymentInfo: {
        status: clock < 20 * minute ? 'InProgress' : clock < 30 * minute ? 'Ready' : clock < 200 * minute ? 'InProgress' : 'Stopped',
        blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 50 } },
      },
    }));
    await expect(
      waitForDeployment(new CodeDeployClient({}), ID, {
        smoke: async () => true,
        timeoutMs: 60 * minute,
        pollMs: minute,
        settleMs: 200 * minute,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      }),
    ).rejects.toThrow('the release was stopped and rolled back: the bake did not end within 3600 s (the bake and the time allowed to terminate the old tasks)');
  });

  it('refuses to start while another deployment of the group is in progress, naming it', async () => {
    const cd = mockClient(CodeDeployClient);
    cd.on(CreateDeploymentCommand).rejects(Object.assign(new Error('limit'), { name: 'DeploymentLimitExceededException' }));
    cd.on(ListDeploymentsCommand).resolves({ deployments: ['d-RUNNING1'] });
    await expect(startDeployment(new CodeDeployClient({}), { application: 'backend', group: 'prod', appSpec: '{}', description: 'v1.0.0' })).rejects.toThrow(
      'a deployment is already in progress for backend/prod: d-RUNNING1',
    );
  });
});
