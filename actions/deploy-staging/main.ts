import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientFactory } from '../../src/aws/client-factory.js';
import { systemClock } from '../../src/clock.js';
import { actionError, numberInput, withoutWorkflowCommands } from '../../src/delivery/action-io.js';
import { chainedClients, refreshingSessionClients, runnerSessionRefresh, type SessionRefresh } from '../../src/delivery/action-session.js';
import { commandEnvironment } from '../../src/delivery/command-env.js';
import { REVISION_TAG } from '../../src/delivery/deliveries.js';
import { runE2e } from '../../src/delivery/e2e.js';
import { RUN_URL_TAG } from '../../src/delivery/ecs-deploy.js';
import { deployToService } from '../../src/delivery/first-deployment.js';
import { roleArnFor } from '../../src/delivery/oidc.js';
import { parseImageUri, recordStagingDeployment, requireCommitSha } from '../../src/delivery/staging-record.js';
import { GroundworkError } from '../../src/errors.js';

/** Clients in staging: through its deploy role (assumed again before each hour ends) when an account is given, else the cicd session. */
function stagingClients(cicd: ClientFactory, refresh: SessionRefresh): ClientFactory {
  const account = core.getInput('staging-account-id');
  if (!account) return cicd;
  const roleArn = roleArnFor(account, core.getInput('deploy-role-name') || 'groundwork-deploy', { account: 'staging-account-id', role: 'deploy-role-name' });
  return chainedClients(cicd, roleArn, 'groundwork-deploy-staging', refresh);
}

/** The commit deployed: the input, or the run's GITHUB_SHA; checked before anything is deployed. */
function commitInput(): string {
  return requireCommitSha(core.getInput('commit') || process.env.GITHUB_SHA || '');
}

/**
 * The action: deploy by digest, wait with progress, E2E against the result (in a scrubbed environment), then record the
 * digest as staging's deployment of the commit (an SSM parameter in the cicd account, written once with the delivery
 * role's session), which a release requires.
 */
export async function run(): Promise<void> {
  try {
    const masked: string[] = [];
    const refresh = runnerSessionRefresh(core, systemClock, masked);
    // The cicd session (it writes the staging record after the rollout and E2E) is assume-role-via-oidc's role, assumed again before it expires.
    const { clients: cicd, refreshed } = refreshingSessionClients(core.getInput('aws-region'), process.env, refresh);
    if (!refreshed)
      core.info('the credentials of the environment are used as they are (run assume-role-via-oidc in the job to have them renewed in long waits)');
    const imageUri = core.getInput('image-uri', { required: true });
    // Checked before any AWS call: a tag instead of a digest is the input's mistake, not something AWS should report.
    parseImageUri(imageUri);
    const commit = commitInput();
    const clients = stagingClients(cicd, refresh);
    const runUrl =
      process.env.GITHUB_SERVER_URL && process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined;
    const service = core.getInput('service', { required: true });
    const result = await deployToService({
      ecs: clients.create(ECSClient),
      elb: clients.create(ElasticLoadBalancingV2Client),
      cluster: core.getInput('cluster', { required: true }),
      service,
      containerName: core.getInput('container-name') || 'app',
      imageUri,
      tags: { ...(runUrl ? { [RUN_URL_TAG]: runUrl } : {}), [REVISION_TAG]: commit },
      timeoutMs: numberInput('wait-timeout-seconds', core.getInput('wait-timeout-seconds') || '900', 60, 6 * 3600) * 1000,
      progress: (message) => core.info(message),
    });
    const baseUrl = core.getInput('base-url') || result.serviceUrl || '';
    core.setOutput('task-definition-arn', result.taskDefinitionArn);
    core.setOutput('service-url', baseUrl);
    const command = core.getInput('e2e-command');
    if (command && !baseUrl) throw new GroundworkError('USAGE', `the service ${service} has no load balancer, so E2E has no URL`, { hint: 'set base-url' });
    // The team's command gets no AWS credentials, OIDC token endpoint or GitHub token (src/delivery/command-env.ts).
    const env = commandEnvironment(process.env, { secrets: masked });
    const e2e = await withoutWorkflowCommands(core.info, () => runE2e(command, baseUrl, { env, cwd: core.getInput('working-directory') || '.' }));
    core.setOutput('e2e', e2e.status);
    // Only a deployment that passed its E2E (or has none) is recorded: a release ships nothing else.
    const record =
      e2e.status === 'failed'
        ? undefined
        : await recordStagingDeployment(cicd.create(SSMClient), parseImageUri(imageUri), commit, { clock: systemClock, imageUri, runUrl });
    if (record) {
      core.setOutput('staging-record', record.name);
      core.info(`${record.recorded ? 'recorded' : 'already recorded'}: ${record.name} names ${record.digest}, the image a release of this commit must ship`);
    }
    await core.summary
      .addHeading(result.firstDeployment ? `First deployment to ${service}` : `Deployed to ${service}`, 3)
      .addTable([
        [
          { data: 'task definition', header: true },
          { data: 'URL', header: true },
          { data: 'rollout', header: true },
          { data: 'E2E', header: true },
          { data: 'staging record', header: true },
        ],
        [
          result.taskDefinitionArn.split('/').pop() ?? '',
          baseUrl || '(none)',
          `${result.seconds} s${result.firstDeployment ? `: the first deployment, scaled from 0 to ${result.firstDeployment.desiredCount} task(s)` : ''}`,
          e2e.status === 'skipped' ? 'skipped: no integration tests configured' : e2e.status,
          record ? `${record.name} → ${record.digest}` : 'none: E2E failed, so this commit cannot be released',
        ],
      ])
      .write();
    if (e2e.status === 'failed') core.setFailed(`E2E tests failed against ${baseUrl} (exit code ${e2e.exitCode}); the new revision stays deployed in staging`);
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
