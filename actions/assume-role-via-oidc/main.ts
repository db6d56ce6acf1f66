import * as core from '@actions/core';
import { STSClient } from '@aws-sdk/client-sts';
import { ClientFactory } from '../../src/aws/client-factory.js';
import { actionError, numberInput, regionInput, roleArnInput, sessionNameInput } from '../../src/delivery/action-io.js';
import { OIDC_SESSION_VARIABLES } from '../../src/delivery/action-session.js';
import { assumeRoleViaOidc, chainInto, roleArnFor, type SessionCredentials } from '../../src/delivery/oidc.js';
import { CHAINED_SESSION_MAX_SECONDS } from '../../src/delivery/session.js';
import { GroundworkError } from '../../src/errors.js';

/** Exports the session for the following steps, every secret masked first. */
function exportSession(credentials: SessionCredentials, region: string): void {
  core.setSecret(credentials.accessKeyId);
  core.setSecret(credentials.secretAccessKey);
  core.setSecret(credentials.sessionToken);
  core.exportVariable('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
  core.exportVariable('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
  core.exportVariable('AWS_SESSION_TOKEN', credentials.sessionToken);
  core.exportVariable('AWS_REGION', region);
  core.exportVariable('AWS_DEFAULT_REGION', region);
}

/** The action: inputs in, domain call, outputs, summary; one clear line on failure. */
export async function run(): Promise<void> {
  try {
    const region = regionInput('input aws-region', core.getInput('aws-region', { required: true }));
    const roleArn = roleArnInput('role-to-assume', core.getInput('role-to-assume', { required: true }));
    const audience = core.getInput('audience') || 'sts.amazonaws.com';
    const sessionName = sessionNameInput('role-session-name', core.getInput('role-session-name') || 'groundwork-github-actions');
    const durationSeconds = numberInput('role-duration-seconds', core.getInput('role-duration-seconds'), 900, 43_200);
    const maxRetrySeconds = numberInput('retry-max-seconds', core.getInput('retry-max-seconds'), 0, 3_600);
    const targetAccount = core.getInput('target-account-id');
    const targetRoleArn = targetAccount ? roleArnFor(targetAccount, core.getInput('target-role-name') || 'groundwork-deploy') : '';
    if (targetAccount && durationSeconds > CHAINED_SESSION_MAX_SECONDS) {
      // AWS refuses AssumeRole from a role session for more than an hour (role chaining), after the first hop succeeded.
      throw new GroundworkError(
        'USAGE',
        `input role-duration-seconds is "${durationSeconds}", but with target-account-id the exported session is chained (assumed with the OIDC session), and AWS limits a chained session to ${CHAINED_SESSION_MAX_SECONDS} s`,
        {
          hint: `set role-duration-seconds to ${CHAINED_SESSION_MAX_SECONDS} or less in the step's with: block; bluegreen-release and deploy-staging assume their roles again before a session ends, so a long wait needs no longer session`,
        },
      );
    }
    const endpoint = process.env.AWS_ENDPOINT_URL || undefined;
    // AssumeRoleWithWebIdentity is unsigned: no credentials are needed yet. SDK retries off: each retry needs a fresh token.
    const anonymous = new ClientFactory({ target: 'aws', region, endpoint });
    const oidc = await assumeRoleViaOidc({
      getToken: () => core.getIDToken(audience),
      roleArn,
      audience,
      sessionName,
      durationSeconds,
      sts: anonymous.create(STSClient, { maxAttempts: 1 }),
      maxRetryMs: maxRetrySeconds * 1000,
      onRetry: (attempt, delayMs, error) =>
        core.info(`AssumeRoleWithWebIdentity: ${(error as Error).name}; retry ${attempt} in ${delayMs} ms with a fresh token`),
    });
    let final = { credentials: oidc.credentials, assumedRoleArn: oidc.assumedRoleArn, accountId: oidc.accountId };
    if (targetAccount) {
      const session = new ClientFactory({ target: 'aws', region, endpoint, credentials: oidc.credentials });
      final = await chainInto(session.create(STSClient), targetRoleArn, sessionName, durationSeconds);
    }
    exportSession(final.credentials, region);
    // What an action that waits needs to assume the same role again with a fresh token (src/delivery/action-session.ts).
    core.exportVariable(OIDC_SESSION_VARIABLES.roleArn, roleArn);
    core.exportVariable(OIDC_SESSION_VARIABLES.audience, audience);
    core.exportVariable(OIDC_SESSION_VARIABLES.sessionName, sessionName);
    core.exportVariable(OIDC_SESSION_VARIABLES.durationSeconds, String(durationSeconds));
    core.exportVariable(OIDC_SESSION_VARIABLES.targetRoleArn, targetRoleArn);
    core.setOutput('aws-account-id', final.accountId);
    core.setOutput('assumed-role-arn', final.assumedRoleArn);
    await core.summary
      .addHeading('AWS credentials from GitHub OIDC', 3)
      .addTable([
        [
          { data: 'step', header: true },
          { data: 'session', header: true },
        ],
        ['token subject', oidc.claims.sub ?? '(none)'],
        ['OIDC session', oidc.assumedRoleArn],
        ...(targetAccount ? [['chained into', final.assumedRoleArn]] : []),
      ])
      .addRaw(`Credentials are exported to the following steps (masked) for ${durationSeconds} s.`)
      .write();
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
