import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { type OidcEndpoint, runAction, startOidcEndpoint } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const CLAIMS = {
  sub: 'repo:acme/backend:ref:refs/heads/master',
  repository: 'acme/backend',
  ref: 'refs/heads/master',
  job_workflow_ref: 'acme/groundwork/.github/workflows/backend-staging.yml@refs/tags/v1',
};
const DELIVERY_ROLE = 'arn:aws:iam::222222222222:role/groundwork-delivery';

describe('assume-role-via-oidc, bundled and run as the runner runs it (Node 24)', () => {
  let oidc: OidcEndpoint;
  beforeAll(async () => {
    oidc = await startOidcEndpoint(CLAIMS);
  });
  afterAll(() => oidc.close());

  it('exchanges the OIDC token, chains into the target account, and exports masked credentials', async () => {
    const run = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': DELIVERY_ROLE, 'aws-region': 'eu-west-1', 'target-account-id': '333333333333' },
      { ...oidc.env, AWS_ENDPOINT_URL: sandbox.emulator.endpoint },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(oidc.requests).toContain('sts.amazonaws.com');
    expect(run.outputs).toEqual({
      'aws-account-id': '333333333333',
      'assumed-role-arn': expect.stringMatching(/^arn:aws:sts::333333333333:assumed-role\/groundwork-deploy\//),
    });
    expect(run.exported).toMatchObject({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: expect.any(String) });
    for (const secret of [run.exported.AWS_ACCESS_KEY_ID, run.exported.AWS_SECRET_ACCESS_KEY, run.exported.AWS_SESSION_TOKEN]) {
      expect(run.stdout).toContain(`::add-mask::${secret}`);
    }
    expect(run.summary).toContain('AWS credentials from GitHub OIDC');
    expect(run.summary).toContain(CLAIMS.sub);
  });

  it("when STS refuses the token, fails with the token's claims and the trust condition that would admit them", async () => {
    const proxy = await startFaultProxy({
      target: sandbox.emulator.endpoint,
      answer: (operation) =>
        operation === 'AssumeRoleWithWebIdentity'
          ? { status: 403, errorType: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' }
          : undefined,
    });
    try {
      const run = await runAction(
        'assume-role-via-oidc',
        { 'role-to-assume': DELIVERY_ROLE, 'aws-region': 'us-east-1' },
        { ...oidc.env, AWS_ENDPOINT_URL: proxy.endpoint },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::AWS_ACCESS_DENIED: STS refused the GitHub OIDC token for arn:aws:iam::222222222222:role\/groundwork-delivery/);
      expect(run.stdout).toContain('token claims: {"sub":"repo:acme/backend:ref:refs/heads/master"');
      expect(run.stdout).toContain('"token.actions.githubusercontent.com:sub":"repo:acme/backend:ref:refs/heads/master"');
      expect(run.exported).toEqual({});
    } finally {
      await proxy.close();
    }
  });

  it('without id-token: write (no token endpoint), fails saying which permission to grant', async () => {
    const run = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': DELIVERY_ROLE, 'aws-region': 'us-east-1' },
      { AWS_ENDPOINT_URL: sandbox.emulator.endpoint },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::AWS_CREDENTIALS: the job could not get a GitHub OIDC token: .*\(fix: give the job `permissions: id-token: write`/);
  });

  it('refuses a bad input with its name, value and range', async () => {
    const run = await runAction(
      'assume-role-via-oidc',
      { 'role-to-assume': DELIVERY_ROLE, 'aws-region': 'us-east-1', 'role-duration-seconds': '60' },
      { ...oidc.env, AWS_ENDPOINT_URL: sandbox.emulator.endpoint },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::USAGE: input role-duration-seconds is "60"; use a number from 900 to 43200');
  });
});
