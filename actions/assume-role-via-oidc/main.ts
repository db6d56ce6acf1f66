import * as core from '@actions/core';
import { STSClient } from '@aws-sdk/client-sts';
import { ClientFactory } from '../../src/aws/client-factory.js';
import { actionError, numberInput } from '../../src/delivery/action-io.js';
import { assumeRoleViaOidc, chainInto, roleArnFor, type SessionCredentials } from '../../src/delivery/oidc.js';

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
    const region = core.getInput('aws-region', { required: true });
    const roleArn = core.getInput('role-to-assume', { required: true });
    const audience = core.getInput('audience') || 'sts.amazonaws.com';
    const sessionName = core.getInput('role-session-name') || 'groundwork-github-actions';
    const durationSeconds = numberInput('role-duration-seconds', core.getInput('role-duration-seconds'), 900, 43_200);
    const maxRetrySeconds = numberInput('retry-max-seconds', core.getInput('retry-max-seconds'), 0, 3_600);
    const targetAccount = core.getInput('target-account-id');
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
      const target = roleArnFor(targetAccount, core.getInput('target-role-name') || 'groundwork-deploy');
      const session = new ClientFactory({ target: 'aws', region, endpoint, credentials: oidc.credentials });
      final = await chainInto(session.create(STSClient), target, sessionName, durationSeconds);
    }
    exportSession(final.credentials, region);
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
