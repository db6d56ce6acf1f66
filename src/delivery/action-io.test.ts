import { describe, expect, it } from 'vitest';
import { toGroundworkError } from '../aws/aws-error.js';
import { actionError, regionInput, repositoryNameInput, roleArnInput, sessionClients, sessionNameInput, withoutWorkflowCommands } from './action-io.js';

/** What a CLI user is told, which an action must never say. */
const CLI_LANGUAGE = /--[a-z]|aws sso login|groundwork (plan|apply|validate|emulator)|the command line|run the command|aws sts get-caller-identity/;

/** An error shaped as the AWS SDK throws it, from a call the client factory made. */
const sdk = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: 400, attempts: 3 },
    $groundworkCall: { service: 'ECS', operation: 'DescribeServices' },
    ...extra,
  });

/** An error shaped as Octokit's RequestError. */
const octokit = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), {
    name: 'HttpError',
    status,
    request: { method: 'POST', url: 'https://api.github.com/repos/acme/infra/issues/1/comments', headers: {} },
    response: { status, url: '', headers, data: { message } },
  });

describe('actionError: errors in the action’s language', () => {
  const awsErrors = [
    ['AWS_CREDENTIALS', sdk('CredentialsProviderError', 'Could not load credentials from any providers', { $metadata: undefined })],
    ['AWS_TOKEN_EXPIRED', sdk('ExpiredTokenException', 'The security token included in the request is expired')],
    ['AWS_ACCESS_DENIED', sdk('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: ecs:DescribeServices')],
    ['AWS_ACCESS_DENIED', sdk('AccessDeniedException', 'denied')],
    ['AWS_THROTTLED', sdk('ThrottlingException', 'Rate exceeded')],
    ['AWS_RESOURCE_NOT_FOUND', sdk('ClusterNotFoundException', 'Cluster not found.')],
    ['AWS_INVALID_REQUEST', sdk('InvalidParameterException', 'bad value')],
    ['AWS_SERVICE_ERROR', sdk('InternalFailure', 'oops', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['AWS_NETWORK', sdk('TimeoutError', 'socket hang up')],
    ['EMULATOR_NOT_RUNNING', sdk('Error', 'connect ECONNREFUSED 127.0.0.1:4566', { code: 'ECONNREFUSED' })],
    ['AWS_REQUEST_FAILED', sdk('SomethingElse', 'odd')],
  ] as const;

  for (const [code, error] of awsErrors) {
    it(`${code} (${error.name}): the AWS code, with a fix that names inputs and workflow settings, never a CLI flag`, () => {
      const { line } = actionError(error);
      expect(line.startsWith(`${code}: `)).toBe(true);
      expect(line).toContain('(fix: ');
      expect(line).not.toMatch(CLI_LANGUAGE);
      // The CLI keeps its own fix for the same error.
      expect(toGroundworkError(error).hint).toBeDefined();
    });
  }

  it('an empty required input is USAGE naming the input, not an AWS error', () => {
    expect(actionError(new Error('Input required and not supplied: ecr-repository')).line).toBe(
      "USAGE: input ecr-repository is required and was not set (fix: set ecr-repository in the step's with: block)",
    );
  });

  it('a GitHub API error keeps a GITHUB_* code by its status, with the workflow setting to change', () => {
    const denied = actionError(octokit(403, 'Resource not accessible by integration')).line;
    expect(denied).toMatch(
      /^GITHUB_ACCESS_DENIED: GitHub answered POST \/repos\/acme\/infra\/issues\/1\/comments with HTTP 403: Resource not accessible by integration \(fix: .*permissions: block/,
    );
    expect(actionError(octokit(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' })).line).toMatch(
      /^GITHUB_RATE_LIMITED: .*until 2027-01-15T08:00:00\.000Z/,
    );
    expect(actionError(octokit(429, 'slow down')).line).toMatch(/^GITHUB_RATE_LIMITED: /);
    expect(actionError(octokit(404, 'Not Found')).line).toMatch(/^GITHUB_NOT_FOUND: .*github-token/);
    expect(actionError(octokit(502, 'Bad Gateway')).line).toMatch(/^GITHUB_SERVICE_ERROR: /);
    expect(actionError(octokit(422, 'Validation Failed')).line).toMatch(/^GITHUB_REFUSED: /);
    for (const status of [403, 404, 422, 429, 502]) expect(actionError(octokit(status, 'x')).line).not.toMatch(/AWS|calling AWS|--verbose/);
  });

  it('a file the step cannot read is USAGE naming the path; anything else is INTERNAL, a bug, never "calling AWS"', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'people.csv'"), { code: 'ENOENT', syscall: 'open', path: 'people.csv' });
    expect(actionError(missing).line).toMatch(/^USAGE: open people\.csv failed: ENOENT.*\(fix: check the step's inputs that name files/);
    expect(actionError(new TypeError('x is undefined')).line).toBe(
      "INTERNAL: an unexpected error: TypeError: x is undefined (fix: this is a bug in Groundwork: report it with the step's log)",
    );
  });

  it('a malformed region is USAGE naming aws-region or AWS_REGION, not an AWS request failure to re-run', () => {
    const line = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return actionError(error).line;
      }
      return 'no error';
    };
    expect(line(() => sessionClients('eu-west-1;x', {}))).toBe(
      `USAGE: input aws-region is "eu-west-1;x", which is not an AWS Region (fix: set aws-region in the step's with: block to a Region name such as eu-west-1 (the Region of the repository, the roles and the environments))`,
    );
    expect(line(() => sessionClients('', { AWS_REGION: 'moon-1' }))).toMatch(
      /^USAGE: AWS_REGION is "moon-1", which is not an AWS Region \(fix: .*correct AWS_REGION where the job sets it\)$/,
    );
    expect(line(() => regionInput('input aws-region', 'EU-WEST-1'))).toMatch(/^USAGE: input aws-region is "EU-WEST-1"/);
    for (const region of ['eu-west-1', 'us-east-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5', 'eu-isoe-west-1']) {
      expect(regionInput('input aws-region', region)).toBe(region);
      expect(sessionClients(region, {}).settings.region).toBe(region);
    }
  });

  it('a role ARN or session name STS would refuse is USAGE naming the input, before any token is fetched', () => {
    expect(() => roleArnInput('role-to-assume', 'notanarn')).toThrow(/^input role-to-assume is "notanarn", which is not an IAM role ARN$/);
    expect(() => roleArnInput('role-to-assume', 'arn:aws:iam::1234:role/x')).toThrow(/^input role-to-assume is /);
    expect(() => roleArnInput('role-to-assume', 'arn:aws:iam::123456789012:user/x')).toThrow(/^input role-to-assume is /);
    for (const arn of ['arn:aws:iam::123456789012:role/groundwork-delivery', 'arn:aws-us-gov:iam::123456789012:role/path/to/r+=,.@_-']) {
      expect(roleArnInput('role-to-assume', arn)).toBe(arn);
    }
    expect(() => sessionNameInput('role-session-name', 'bad name!')).toThrow(/^input role-session-name is "bad name!", which is not a role session name$/);
    expect(() => sessionNameInput('role-session-name', 'x')).toThrow(/^input role-session-name is "x"/);
    expect(() => sessionNameInput('role-session-name', 'a'.repeat(65))).toThrow(/^input role-session-name is /);
    expect(sessionNameInput('role-session-name', 'groundwork-github-actions')).toBe('groundwork-github-actions');
  });

  it('an ECR repository name ECR would refuse (a tag, upper case, a stray separator) is USAGE naming the input', () => {
    for (const bad of ['Bad/Name!!', 'backend:latest', 'Backend', 'a', 'team//backend', '-backend']) {
      expect(() => repositoryNameInput('ecr-repository', bad)).toThrow(`input ecr-repository is "${bad}", which is not an ECR repository name`);
    }
    for (const good of ['backend', 'backend-service', 'team/backend_service.v2', 'ab']) expect(repositoryNameInput('ecr-repository', good)).toBe(good);
  });

  it('a team command runs between ::stop-commands:: and its token, even when it fails', async () => {
    const lines: string[] = [];
    await expect(
      withoutWorkflowCommands(
        (line) => lines.push(line),
        async () => {
          lines.push('::save-state name=settled::true');
          throw new Error('smoke failed');
        },
        'a-token',
      ),
    ).rejects.toThrow('smoke failed');
    expect(lines).toEqual(['::stop-commands::a-token', '::save-state name=settled::true', '::a-token::']);
  });
});
