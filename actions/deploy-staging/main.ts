import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { actionError, numberInput, sessionClients } from '../../src/delivery/action-io.js';
import { commandEnvironment } from '../../src/delivery/command-env.js';
import { REVISION_TAG } from '../../src/delivery/deliveries.js';
import { runE2e } from '../../src/delivery/e2e.js';
import { deployService, RUN_URL_TAG } from '../../src/delivery/ecs-deploy.js';
import { GroundworkError } from '../../src/errors.js';

/** The action: deploy by digest, wait with progress, then E2E against the result. */
export async function run(): Promise<void> {
  try {
    const clients = sessionClients(core.getInput('aws-region'), process.env);
    const runUrl =
      process.env.GITHUB_SERVER_URL && process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined;
    const service = core.getInput('service', { required: true });
    const result = await deployService({
      ecs: clients.create(ECSClient),
      elb: clients.create(ElasticLoadBalancingV2Client),
      cluster: core.getInput('cluster', { required: true }),
      service,
      containerName: core.getInput('container-name') || 'app',
      imageUri: core.getInput('image-uri', { required: true }),
      tags: { ...(runUrl ? { [RUN_URL_TAG]: runUrl } : {}), ...(process.env.GITHUB_SHA ? { [REVISION_TAG]: process.env.GITHUB_SHA } : {}) },
      timeoutMs: numberInput('wait-timeout-seconds', core.getInput('wait-timeout-seconds') || '900', 60, 6 * 3600) * 1000,
      progress: (message) => core.info(message),
    });
    const baseUrl = core.getInput('base-url') || result.serviceUrl || '';
    core.setOutput('task-definition-arn', result.taskDefinitionArn);
    core.setOutput('service-url', baseUrl);
    const command = core.getInput('e2e-command');
    if (command && !baseUrl) throw new GroundworkError('USAGE', `the service ${service} has no load balancer, so E2E has no URL`, { hint: 'set base-url' });
    // The team's command gets no AWS credentials, OIDC token endpoint or GitHub token (src/delivery/command-env.ts).
    const e2e = await runE2e(command, baseUrl, { env: commandEnvironment(process.env), cwd: core.getInput('working-directory') || '.' });
    core.setOutput('e2e', e2e.status);
    await core.summary
      .addHeading(`Deployed to ${service}`, 3)
      .addTable([
        [
          { data: 'task definition', header: true },
          { data: 'URL', header: true },
          { data: 'rollout', header: true },
          { data: 'E2E', header: true },
        ],
        [
          result.taskDefinitionArn.split('/').pop() ?? '',
          baseUrl || '(none)',
          `${result.seconds} s`,
          e2e.status === 'skipped' ? 'skipped: no integration tests configured' : e2e.status,
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
