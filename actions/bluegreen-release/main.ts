import * as core from '@actions/core';
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientFactory } from '../../src/aws/client-factory.js';
import { systemClock } from '../../src/clock.js';
import { actionError, booleanInput, keyValueLines, numberInput, repositoryNameInput, withoutWorkflowCommands } from '../../src/delivery/action-io.js';
import { chainedClients, refreshingSessionClients, runnerSessionRefresh, type SessionRefresh } from '../../src/delivery/action-session.js';
import { type ReleaseResult, releaseBlueGreen } from '../../src/delivery/bluegreen.js';
import { type EcsHooks, stopWithRollback } from '../../src/delivery/codedeploy.js';
import { commandEnvironment } from '../../src/delivery/command-env.js';
import { REVISION_TAG } from '../../src/delivery/deliveries.js';
import { runE2e } from '../../src/delivery/e2e.js';
import { type EcsReleaseResult, releaseEcsBlueGreen, rollBackAbandonedRelease } from '../../src/delivery/ecs-bluegreen.js';
import { RUN_URL_TAG } from '../../src/delivery/ecs-deploy.js';
import { requireOnBranch } from '../../src/delivery/git-branch.js';
import { roleArnFor } from '../../src/delivery/oidc.js';
import { GroundworkError } from '../../src/errors.js';

const HOOK_EVENTS = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];

/** The AppSpec hooks input: EVENT=FUNCTION lines, each event one of ECS's. */
function hooksInput(raw: string): EcsHooks {
  const hooks = keyValueLines('hooks', raw);
  for (const event of Object.keys(hooks)) {
    if (!HOOK_EVENTS.includes(event)) {
      throw new GroundworkError('USAGE', `input hooks names "${event}", which is not an ECS lifecycle hook`, { hint: `use one of: ${HOOK_EVENTS.join(', ')}` });
    }
  }
  return hooks as EcsHooks;
}

/** Who runs the release: ECS's own blue/green (the default) or CodeDeploy. */
function strategyInput(raw: string): 'ecs' | 'codedeploy' {
  if (raw === 'ecs' || raw === 'codedeploy') return raw;
  throw new GroundworkError('USAGE', `input strategy is "${raw}"; use ecs (ECS's own blue/green) or codedeploy (CodeDeploy for ECS)`, {
    hint: "set strategy in the step's with: block to the ReleaseStrategy of the production stack (workload-bluegreen.json)",
  });
}

/** An input the ECS strategy needs. */
function ecsInput(name: 'cluster' | 'service', value: string): string {
  if (!value) {
    throw new GroundworkError('USAGE', `input ${name} is empty; strategy ecs releases one ECS service`, {
      hint: `set ${name} to the ${name === 'cluster' ? 'ClusterName' : 'EcsServiceName'} output of the production stack (workload-bluegreen.json), or set strategy: codedeploy with codedeploy-application and codedeploy-deployment-group`,
    });
  }
  return value;
}

async function summarizeEcs(result: EcsReleaseResult, region: string): Promise<void> {
  const target = result.target;
  const link = `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${target.cluster}/services/${target.service}/deployments?region=${region}`;
  await core.summary
    .addHeading(`Released ${result.version} to production${result.firstDeployment ? ': the first deployment' : ''}`, 3)
    .addTable([
      [
        { data: 'version', header: true },
        { data: 'image', header: true },
        { data: 'service deployment', header: true },
        { data: 'took', header: true },
      ],
      [
        result.version,
        `${result.digest} (the image staging ran, not rebuilt)`,
        `<a href="${link}">${result.deployment.serviceDeploymentArn.split('/').pop()}</a>: ${result.deployment.status} (ECS ${target.strategy}, bake ${target.bakeMinutes} min)`,
        `${result.seconds} s (image ${result.imageSeconds} s)`,
      ],
    ])
    .addRaw(
      result.deployment.smokeRan
        ? '<p>The smoke check passed at the test listener while the pause hook held production traffic.</p>'
        : '<p><strong>Smoke check not run</strong> (no smoke-command, or no pause hook and allow-release-without-smoke-gate).</p>',
    )
    .addRaw(
      result.firstDeployment
        ? `<p><strong>First deployment:</strong> production had never run the team's image, so there was no traffic to shift from: ECS started ${result.firstDeployment.desiredCount} task(s) of it and moved the production route to them.</p>`
        : '',
    )
    .addHeading('Stages', 4)
    .addList([...result.deployment.stages])
    .write();
}

/** The version: the input, or the pushed tag. */
function versionInput(env: NodeJS.ProcessEnv): string {
  const version = core.getInput('version') || (env.GITHUB_REF_TYPE === 'tag' ? (env.GITHUB_REF_NAME ?? '') : '');
  if (!version) {
    throw new GroundworkError('USAGE', `no version to release: this run is for ${env.GITHUB_REF || 'no ref'}, not a tag`, {
      hint: 'run the release on a tag push (on: push: tags), or set version',
    });
  }
  return version;
}

/** The cicd session: assume-role-via-oidc's role assumed again before it expires, or the environment's credentials as they are. */
function cicdClients(refresh: SessionRefresh): ClientFactory {
  const { clients, refreshed } = refreshingSessionClients(core.getInput('aws-region'), process.env, refresh);
  if (!refreshed) core.info('the credentials of the environment are used as they are (run assume-role-via-oidc in the job to have them renewed in long waits)');
  return clients;
}

/** Clients in production: through its deploy role (assumed again before each hour ends) when an account is given, else the cicd session. */
function productionClients(cicd: ClientFactory, refresh: SessionRefresh): ClientFactory {
  const account = core.getInput('production-account-id');
  if (!account) return cicd;
  const roleArn = roleArnFor(account, core.getInput('deploy-role-name') || 'groundwork-deploy', { account: 'production-account-id', role: 'deploy-role-name' });
  return chainedClients(cicd, roleArn, 'groundwork-release', refresh);
}

async function summarize(result: ReleaseResult, region: string): Promise<void> {
  const link = `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${result.deployment.deploymentId}?region=${region}`;
  await core.summary
    .addHeading(`Released ${result.version} to production${result.firstDeployment ? ': the first deployment' : ''}`, 3)
    .addTable([
      [
        { data: 'version', header: true },
        { data: 'image', header: true },
        { data: 'deployment', header: true },
        { data: 'took', header: true },
      ],
      [
        result.version,
        `${result.digest} (the image staging ran, not rebuilt)`,
        `<a href="${link}">${result.deployment.deploymentId}</a>: ${result.deployment.status}`,
        `${result.seconds} s (image ${result.imageSeconds} s)`,
      ],
    ])
    .addRaw(result.smokeSkipped ? `<p><strong>Smoke check not run:</strong> ${result.smokeSkipped}</p>` : '')
    .addRaw(
      result.firstDeployment
        ? `<p><strong>First deployment:</strong> production had never run the team's image, so there was no traffic to shift: deployed straight (all at once), then scaled from 0 to ${result.firstDeployment.desiredCount} task(s), healthy behind the load balancer.</p>`
        : '',
    )
    .addHeading('Stages', 4)
    .addList(
      result.deployment.stages.map((s) => {
        const event = s.split(' ')[0] ?? '';
        const took = result.deployment.timings[event];
        return took === undefined ? s : `${s} (${took} s)`;
      }),
    )
    .write();
}

/** The action: check the tag, require the image staging ran, deploy blue/green, wait; rollback on failure, timeout or cancellation. */
export async function run(): Promise<void> {
  const cancelled = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    core.warning(`received ${signal}: stopping the deployment with rollback`);
    cancelled.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const masked: string[] = [];
    const refresh = runnerSessionRefresh(core, systemClock, masked);
    const cicd = cicdClients(refresh);
    const region = cicd.settings.region;
    const version = versionInput(process.env);
    const commit = core.getInput('commit') || process.env.GITHUB_SHA || '';
    if (!/^[0-9a-f]{40}$/.test(commit)) {
      throw new GroundworkError('USAGE', `commit "${commit}" is not a full commit SHA`, {
        hint: 'leave commit empty (GITHUB_SHA), or pass the 40-character SHA',
      });
    }
    const cwd = core.getInput('working-directory') || '.';
    const branch = core.getInput('release-branch') || 'master';
    await requireOnBranch(cwd, commit, branch, { branch: 'input release-branch', cwd: 'input working-directory' });
    core.info(`${commit.slice(0, 12)} is on ${branch}`);
    const production = productionClients(cicd, refresh);
    const ecr = cicd.create(ECRClient);
    const repositoryName = repositoryNameInput('ecr-repository', core.getInput('ecr-repository', { required: true }));
    const smokeCommand = core.getInput('smoke-command');
    const runUrl =
      process.env.GITHUB_SERVER_URL && process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined;
    const smoke = smokeCommand
      ? async (baseUrl: string) => {
          core.info(`smoke check against ${baseUrl}: ${smokeCommand}`);
          // The team's command gets no AWS credentials, OIDC token endpoint or GitHub token (src/delivery/command-env.ts).
          const env = commandEnvironment(process.env, { secrets: masked });
          return (await withoutWorkflowCommands(core.info, () => runE2e(smokeCommand, baseUrl, { env, cwd, signal: cancelled.signal }))).status === 'passed';
        }
      : undefined;
    const tags = { ...(runUrl ? { [RUN_URL_TAG]: runUrl } : {}), [REVISION_TAG]: version };
    const allowUngated = booleanInput('allow-release-without-smoke-gate', core.getInput('allow-release-without-smoke-gate') || 'false');
    const timeoutMs = numberInput('wait-for-minutes', core.getInput('wait-for-minutes') || '60', 0.1, 360) * 60_000;
    const pollMs = numberInput('poll-seconds', core.getInput('poll-seconds') || '15', 1, 300) * 1000;
    const strategy = strategyInput(core.getInput('strategy') || 'ecs');
    core.saveState('strategy', strategy);
    if (strategy === 'ecs') {
      const released = await releaseEcsBlueGreen({
        ecr,
        ssm: cicd.create(SSMClient),
        ecs: production.create(ECSClient),
        elb: production.create(ElasticLoadBalancingV2Client),
        repositoryName,
        commit,
        version,
        cluster: ecsInput('cluster', core.getInput('cluster')),
        service: ecsInput('service', core.getInput('service')),
        containerName: core.getInput('container-name') || undefined,
        tags,
        smoke,
        smokeUrl: core.getInput('smoke-url') || undefined,
        allowWithoutSmokeGate: allowUngated,
        timeoutMs,
        pollMs,
        signal: cancelled.signal,
        onDeploymentStarted: (arn, first) => {
          core.saveState('deployment-id', arn);
          // A first deployment left unsettled goes back to 0 tasks in the post step (#28).
          if (first) core.saveState('first-deployment', 'true');
          core.setOutput('deployment-id', arn);
        },
        progress: (message) => core.info(message),
      });
      core.saveState('settled', 'true');
      core.setOutput('status', released.deployment.status);
      core.setOutput('image-uri', released.imageUri);
      core.setOutput('image-digest', released.digest);
      core.setOutput('version', released.version);
      await summarizeEcs(released, region);
      return;
    }
    const result = await releaseBlueGreen({
      ecr,
      // The staging record lives in the cicd account (the release role may read it, not write it).
      ssm: cicd.create(SSMClient),
      codedeploy: production.create(CodeDeployClient),
      ecs: production.create(ECSClient),
      elb: production.create(ElasticLoadBalancingV2Client),
      repositoryName,
      commit,
      version,
      application: core.getInput('codedeploy-application', { required: true }),
      group: core.getInput('codedeploy-deployment-group', { required: true }),
      containerName: core.getInput('container-name') || undefined,
      hooks: hooksInput(core.getInput('hooks')),
      tags,
      smoke,
      smokeUrl: core.getInput('smoke-url') || undefined,
      allowUngated,
      timeoutMs,
      pollMs,
      signal: cancelled.signal,
      onDeploymentStarted: (id) => {
        core.saveState('deployment-id', id);
        core.setOutput('deployment-id', id);
      },
      progress: (message) => core.info(message),
    });
    core.saveState('settled', 'true');
    if (result.smokeSkipped) core.warning(result.smokeSkipped);
    core.setOutput('status', result.deployment.status);
    core.setOutput('image-uri', result.imageUri);
    core.setOutput('image-digest', result.digest);
    core.setOutput('version', result.version);
    await summarize(result, region);
  } catch (error) {
    const failure = actionError(error);
    // A stop with rollback was waited for in the wait itself; only a deployment left running needs the post step.
    const rolledBack =
      failure.line.includes('stopped and rolled back') || failure.line.includes('CodeDeploy rolled back') || failure.line.includes('ECS rolled back');
    if (rolledBack) core.saveState('settled', 'true');
    core.setOutput('status', rolledBack ? 'RolledBack' : failure.line.includes('rolling it back') ? 'RollingBack' : 'Failed');
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}

/**
 * The post step: when the main step was killed before its deployment settled (a cancelled job that ran out of grace
 * time), stop that deployment with rollback and wait for it, so no release is ever left half-shifted.
 */
export async function post(): Promise<void> {
  const deploymentId = core.getState('deployment-id');
  if (!deploymentId || core.getState('settled') === 'true') return;
  if (core.getState('strategy') === 'ecs') return postEcs(deploymentId);
  try {
    const refresh = runnerSessionRefresh(core, systemClock, []);
    const production = productionClients(cicdClients(refresh), refresh);
    const codedeploy = production.create(CodeDeployClient);
    const { deploymentInfo } = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
    const status = deploymentInfo?.status ?? 'unknown';
    if (['Succeeded', 'Failed', 'Stopped'].includes(status)) {
      core.info(`deployment ${deploymentId} is ${status}; nothing to clean up`);
      return;
    }
    core.warning(`the release step ended while deployment ${deploymentId} was ${status}: stopping it with rollback`);
    const settled = await stopWithRollback(codedeploy, deploymentId, {
      pollMs: numberInput('poll-seconds', core.getInput('poll-seconds') || '15', 1, 300) * 1000,
      progress: (message) => core.info(message),
    });
    core.setFailed(`deployment ${deploymentId} was stopped with rollback after the release step ended early; it is ${settled}`);
  } catch (error) {
    core.setFailed(`could not stop deployment ${deploymentId}: ${actionError(error).line}; stop it in the CodeDeploy console`);
  }
}

/** The post step of the ECS strategy: a service deployment left running is rolled back (through its waiting hook, or stopped). */
async function postEcs(serviceDeploymentArn: string): Promise<void> {
  try {
    const refresh = runnerSessionRefresh(core, systemClock, []);
    const production = productionClients(cicdClients(refresh), refresh);
    const firstDeploymentOf =
      core.getState('first-deployment') === 'true'
        ? { cluster: ecsInput('cluster', core.getInput('cluster')), service: ecsInput('service', core.getInput('service')) }
        : undefined;
    const settled = await rollBackAbandonedRelease(production.create(ECSClient), serviceDeploymentArn, {
      pollMs: numberInput('poll-seconds', core.getInput('poll-seconds') || '15', 1, 300) * 1000,
      progress: (message) => core.info(message),
      firstDeploymentOf,
    });
    if (settled.status === 'SUCCESSFUL') {
      core.info(`service deployment ${serviceDeploymentArn} is SUCCESSFUL; nothing to clean up`);
      return;
    }
    if (settled.status === 'STOPPED') {
      core.setFailed(
        `service deployment ${serviceDeploymentArn} was STOPPED without a rollback; production may run either revision: read the service's Deployments tab in the ECS console`,
      );
      return;
    }
    core.setFailed(`service deployment ${serviceDeploymentArn} was rolled back after the release step ended early; it is ${settled.status}`);
  } catch (error) {
    core.setFailed(
      `could not roll back service deployment ${serviceDeploymentArn}: ${actionError(error).line}; roll it back in the ECS console (the service's Deployments tab)`,
    );
  }
}
