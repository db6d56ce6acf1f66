import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { GroundworkError } from '../errors.js';
import { admittingCondition, assumeRoleViaOidc, decodeClaims, roleArnFor } from './oidc.js';

/** An unsigned JWT with these claims: enough for decoding (STS, not this code, verifies signatures). */
function token(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

const MASTER = {
  sub: 'repo:acme/backend:ref:refs/heads/master',
  aud: 'sts.amazonaws.com',
  repository: 'acme/backend',
  job_workflow_ref: 'acme/groundwork/.github/workflows/backend-staging.yml@refs/tags/v1',
};
const ROLE = 'arn:aws:iam::222222222222:role/groundwork-delivery';
const awsError = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** What @actions/core's getIDToken throws when GitHub's token endpoint fails (its own text, newlines and all). */
const coreTokenFailure = (code: number | undefined, message: string) =>
  new Error(`Failed to get ID Token. \n \n        Error Code : ${code}\n \n        Error Message: ${message}`);

describe('a job that gets no OIDC token is told why, by what failed', () => {
  const assume = (getToken: () => Promise<string>, maxRetryMs = 0) =>
    assumeRoleViaOidc({ getToken, roleArn: ROLE, sts: new STSClient({}), maxRetryMs, sleep: async () => {} }).catch((e: GroundworkError) => e);

  it('no token endpoint in the job is the missing id-token: write permission', async () => {
    const error = (await assume(async () => {
      throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
    })) as GroundworkError;
    expect(error.code).toBe('AWS_CREDENTIALS');
    expect(error.hint).toContain('id-token: write');
  });

  it("GitHub's endpoint not answering is GITHUB_SERVICE_ERROR, on one line, not a permission to add; a moment's failure is retried", async () => {
    const down = (await assume(async () => {
      throw coreTokenFailure(undefined, 'connect ECONNREFUSED 127.0.0.1:9');
    })) as GroundworkError;
    expect(down.code).toBe('GITHUB_SERVICE_ERROR');
    expect(down.message).toBe(
      'the job could not get a GitHub OIDC token: Failed to get ID Token. Error Code : undefined Error Message: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(down.hint).not.toContain('id-token: write');
    expect(((await assume(async () => Promise.reject(coreTokenFailure(502, 'Bad Gateway')))) as GroundworkError).code).toBe('GITHUB_SERVICE_ERROR');
    expect(((await assume(async () => Promise.reject(coreTokenFailure(403, 'Forbidden')))) as GroundworkError).code).toBe('GITHUB_ACCESS_DENIED');

    const sts = mockClient(STSClient);
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({
      Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() },
      AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/groundwork-delivery/gh', AssumedRoleId: 'x' },
    });
    let calls = 0;
    const result = await assume(async () => {
      calls += 1;
      if (calls === 1) throw coreTokenFailure(503, 'Service Unavailable');
      return token(MASTER);
    }, 60_000);
    expect(calls).toBe(2);
    expect(result).toMatchObject({ accountId: '222222222222' });
    sts.restore();
  });
});

describe('assumeRoleViaOidc', () => {
  it('returns the session and the account, with the claims for the summary', async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({
      Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() },
      AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/groundwork-delivery/gh', AssumedRoleId: 'x' },
    });
    const result = await assumeRoleViaOidc({ getToken: async () => token(MASTER), roleArn: ROLE, sts: new STSClient({}) });
    expect(result).toMatchObject({ accountId: '222222222222', credentials: { accessKeyId: 'AKIA' }, claims: { sub: MASTER.sub } });
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toMatchObject({ RoleArn: ROLE, DurationSeconds: 3600 });
  });

  it('fetches a fresh token for every retry, and stops within the time limit', async () => {
    const sts = mockClient(STSClient);
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(awsError('IDPCommunicationErrorException', 'could not reach the keys'))
      .rejectsOnce(awsError('ThrottlingException', 'slow down'))
      .resolves({
        Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date() },
        AssumedRoleUser: { Arn: `${ROLE}`, AssumedRoleId: 'x' },
      });
    let fetched = 0;
    const retries: number[] = [];
    await assumeRoleViaOidc({
      getToken: async () => token({ ...MASTER, jti: ++fetched }),
      roleArn: ROLE,
      sts: new STSClient({}),
      sleep: async () => {},
      onRetry: (attempt) => retries.push(attempt),
    });
    expect(fetched).toBe(3);
    const sent = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => decodeClaims(c.args[0].input.WebIdentityToken as string) as { jti?: number });
    expect(sent.map((c) => c.jti)).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);

    const always = mockClient(STSClient);
    always.on(AssumeRoleWithWebIdentityCommand).rejects(awsError('ThrottlingException', 'slow down'));
    await expect(
      assumeRoleViaOidc({ getToken: async () => token(MASTER), roleArn: ROLE, sts: new STSClient({}), maxRetryMs: 0, sleep: async () => {} }),
    ).rejects.toThrow('slow down');
    expect(always.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
  });

  it('on a refused token, shows its claims and the trust condition that would admit them, without retrying', async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(awsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403));
    const branch = { ...MASTER, sub: 'repo:acme/backend:ref:refs/heads/feature-x' };
    const error = (await assumeRoleViaOidc({ getToken: async () => token(branch), roleArn: ROLE, sts: new STSClient({}) }).catch((e) => e)) as GroundworkError;
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.details[0]).toBe(
      `token claims: {"sub":"repo:acme/backend:ref:refs/heads/feature-x","aud":"sts.amazonaws.com","repository":"acme/backend","job_workflow_ref":"${MASTER.job_workflow_ref}"}`,
    );
    expect(error.details[1]).toContain('"token.actions.githubusercontent.com:sub":"repo:acme/backend:ref:refs/heads/feature-x"');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
  });

  it('says which permission is missing when no token can be had', async () => {
    const error = (await assumeRoleViaOidc({
      getToken: async () => {
        throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
      },
      roleArn: ROLE,
      sts: new STSClient({}),
    }).catch((e) => e)) as GroundworkError;
    expect(error.hint).toMatch(/permissions: id-token: write/);
  });
});

describe('trust helpers', () => {
  it('build the exact condition, never a wildcard', () => {
    expect(admittingCondition(MASTER, 'sts.amazonaws.com')).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': MASTER.sub,
        'token.actions.githubusercontent.com:job_workflow_ref': MASTER.job_workflow_ref,
      },
    });
    // A job in an environment: sub names the environment, so the ref claim is what pins the branch.
    const staging = { ...MASTER, sub: 'repo:acme/backend:environment:staging', environment: 'staging', ref: 'refs/heads/master' };
    expect(admittingCondition(staging, 'sts.amazonaws.com').StringEquals).toMatchObject({
      'token.actions.githubusercontent.com:sub': 'repo:acme/backend:environment:staging',
      'token.actions.githubusercontent.com:ref': 'refs/heads/master',
    });
  });

  it('refuse a target that is not an account ID or a role name', () => {
    expect(roleArnFor('333333333333', 'groundwork-deploy')).toBe('arn:aws:iam::333333333333:role/groundwork-deploy');
    expect(() => roleArnFor('staging', 'groundwork-deploy')).toThrow(/input target-account-id is "staging", which is not a 12-digit AWS account ID/);
    expect(() => roleArnFor('333333333333', 'bad role')).toThrow(/input target-role-name is "bad role", which is not an IAM role name/);
    // Each caller names the inputs it reads: a release's production-account-id, not assume-role-via-oidc's input.
    expect(() => roleArnFor('3333', 'groundwork-deploy', { account: 'production-account-id', role: 'deploy-role-name' })).toThrow(
      /^input production-account-id is "3333", which is not a 12-digit AWS account ID$/,
    );
  });
});
