import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from '../helpers/run-action.js';

/**
 * Errors as a step reports them, in the action's language: the bundled actions run as the runner runs them (Node 24,
 * INPUT_* variables, file commands), with inputs that are missing or wrong. No AWS endpoint is needed: each fails before
 * or at its first call. What a CLI user would be told (`--verbose`, `aws sso login --profile`, `groundwork plan`, "the
 * command line") never appears, and an error that is not AWS's is never reported as AWS's.
 */
const CLI_LANGUAGE = /--verbose|--profile|--config|--endpoint|aws sso login|groundwork (plan|apply|validate)|the command line|run the command/;

/** The one ::error:: line setFailed wrote. */
const failure = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('::error::'))
    .at(-1) ?? '';

/** A session as assume-role-via-oidc exports it, against an endpoint where nothing listens (no call gets that far). */
const SESSION = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
  AWS_SESSION_TOKEN: 'example',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
};

/** A checkout with one commit on the branch given, for the release's branch check. */
function checkout(branch: string): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-errors-git-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', branch);
  writeFileSync(join(dir, 'README.md'), 'x\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

describe('errors in actions speak the action’s language', () => {
  it('a required input left empty is USAGE naming the input, not an AWS error', async () => {
    const run = await runAction('assume-role-via-oidc', { 'aws-region': 'eu-west-1', 'role-to-assume': '' });
    expect(run.code).toBe(1);
    expect(failure(run.stdout)).toBe("::error::USAGE: input role-to-assume is required and was not set (fix: set role-to-assume in the step's with: block)");
  });

  it('assume-role-via-oidc names aws-region, role-to-assume and role-session-name when STS or the SDK would refuse them, before any token', async () => {
    const base = { 'aws-region': 'eu-west-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/groundwork-delivery' };
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'aws-region': 'eu-west-1;x' }, /^::error::USAGE: input aws-region is "eu-west-1;x", which is not an AWS Region \(fix: set aws-region /],
      [
        { 'role-to-assume': 'groundwork-delivery' },
        /^::error::USAGE: input role-to-assume is "groundwork-delivery", which is not an IAM role ARN \(fix: set role-to-assume /,
      ],
      [
        { 'role-session-name': 'bad name!' },
        /^::error::USAGE: input role-session-name is "bad name!", which is not a role session name \(fix: set role-session-name /,
      ],
    ];
    for (const [inputs, expected] of cases) {
      const run = await runAction('assume-role-via-oidc', { ...base, ...inputs });
      expect(run.code).toBe(1);
      expect(failure(run.stdout)).toMatch(expected);
      expect(run.stdout).not.toMatch(CLI_LANGUAGE);
    }
  });

  it('bluegreen-release names production-account-id, the input the user set, for a bad account ID', async () => {
    const repo = checkout('main');
    const run = await runAction(
      'bluegreen-release',
      {
        'ecr-repository': 'backend',
        'codedeploy-application': 'app',
        'codedeploy-deployment-group': 'group',
        'production-account-id': '3333',
        version: 'v1.0.0',
        commit: repo.sha,
        'release-branch': 'main',
      },
      SESSION,
      { cwd: repo.dir },
    );
    expect(run.code).toBe(1);
    const line = failure(run.stdout);
    expect(line).toMatch(/^::error::USAGE: input production-account-id is "3333", which is not a 12-digit AWS account ID \(fix: set production-account-id to /);
    expect(line).not.toContain('target-account-id');
  });

  it('build-and-push names ecr-repository and image-tag before any AWS call or build', async () => {
    const withSha = { ...SESSION, GITHUB_SHA: 'd6cd1e2bd19e03a81132a23b2025920577f84e37' };
    const badName = await runAction('build-and-push', { 'ecr-repository': 'Backend:latest' }, withSha);
    expect(failure(badName.stdout)).toMatch(
      /^::error::USAGE: input ecr-repository is "Backend:latest", which is not an ECR repository name \(fix: set ecr-repository /,
    );
    const noSha = await runAction('build-and-push', { 'ecr-repository': 'backend' }, SESSION);
    expect(failure(noSha.stdout)).toMatch(/^::error::USAGE: input image-tag is empty and GITHUB_SHA is not set /);
  });

  it('deploy-staging refuses an image-uri that is not pinned by digest before any AWS call', async () => {
    const run = await runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': 'nginx:latest' }, SESSION);
    expect(run.code).toBe(1);
    expect(failure(run.stdout)).toBe(
      '::error::USAGE: image "nginx:latest" is not REGISTRY/REPOSITORY@sha256:DIGEST (fix: pass the image-uri output of build-and-push (REPOSITORY@sha256:…))',
    );
  });

  it('deploy-staging names staging-account-id for a bad account ID', async () => {
    const run = await runAction(
      'deploy-staging',
      {
        cluster: 'staging',
        service: 'backend',
        'image-uri': `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${'a'.repeat(64)}`,
        'staging-account-id': 'staging',
        commit: 'a'.repeat(40),
      },
      SESSION,
    );
    expect(run.code).toBe(1);
    expect(failure(run.stdout)).toMatch(/^::error::USAGE: input staging-account-id is "staging", which is not a 12-digit AWS account ID/);
  });

  it('an AWS error in an action gets the action’s fix: no credentials → run assume-role-via-oidc first, never aws sso login', async () => {
    const run = await runAction(
      'build-and-push',
      { 'ecr-repository': 'backend', 'image-tag': 'a'.repeat(40) },
      // No session at all (the step before did not run), and no instance metadata to fall back on.
      { AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' },
    );
    expect(run.code).toBe(1);
    const line = failure(run.stdout);
    expect(line).toMatch(
      /^::error::AWS_CREDENTIALS: .*\(fix: run assume-role-via-oidc in this job before this step \(the job needs permissions: id-token: write\)\)$/,
    );
    expect(line).not.toMatch(CLI_LANGUAGE);
  });

  it('an AWS endpoint that does not answer names AWS_ENDPOINT_URL, the job setting, not --endpoint or groundwork emulator start', async () => {
    const run = await runAction('build-and-push', { 'ecr-repository': 'backend', 'image-tag': 'a'.repeat(40) }, SESSION);
    expect(run.code).toBe(1);
    const line = failure(run.stdout);
    expect(line).toMatch(/^::error::EMULATOR_NOT_RUNNING: .*AWS_ENDPOINT_URL/);
    expect(line).not.toMatch(CLI_LANGUAGE);
    expect(line).not.toContain('groundwork emulator start');
  });
});
