import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandEnvironment, isWithheld } from './command-env.js';
import { runE2e } from './e2e.js';

const PATH = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** What a release or deploy job's step holds: the runner's variables, credentials exported by assume-role-via-oidc, inputs. */
const JOB_ENV = {
  ...PATH,
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  CI: 'true',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_REPOSITORY: 'acme/backend',
  GITHUB_WORKSPACE: '/home/runner/work/backend',
  GITHUB_STEP_SUMMARY: '/home/runner/_temp/summary',
  GITHUB_TOKEN: 'ghs_exampletoken',
  GITHUB_ENV: '/home/runner/_temp/env',
  GITHUB_PATH: '/home/runner/_temp/path',
  GITHUB_OUTPUT: '/home/runner/_temp/output',
  GITHUB_STATE: '/home/runner/_temp/state',
  RUNNER_TEMP: '/home/runner/_temp',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'cicd-secret',
  AWS_SESSION_TOKEN: 'cicd-session',
  AWS_REGION: 'eu-west-1',
  aws_profile: 'lower-case-too',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/request',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-bearer',
  ACTIONS_RUNTIME_TOKEN: 'runtime-bearer',
  INPUT_SMOKE_COMMAND: 'npm run test:e2e',
  STATE_isPost: 'true',
  TEAM_SETTING: 'kept',
  COPIED_KEY: 'prefix-production-secret-suffix',
};

describe('the environment of a team command', () => {
  it('withholds AWS settings, the runner tokens, GitHub tokens, file commands, inputs, state and masked values; keeps the rest', () => {
    const env = commandEnvironment(JOB_ENV, { secrets: ['production-secret'] });
    expect(Object.keys(env).sort()).toEqual(
      ['CI', 'GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_STEP_SUMMARY', 'GITHUB_WORKSPACE', 'HOME', 'LANG', 'PATH', 'RUNNER_TEMP', 'TEAM_SETTING'].sort(),
    );
    for (const name of ['AWS_ACCESS_KEY_ID', 'aws_profile', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_ENV', 'INPUT_X', 'STATE_x'])
      expect({ name, withheld: isWithheld(name) }).toEqual({ name, withheld: true });
  });
});

describe('runE2e', () => {
  it('runs the command with BASE_URL set, and reports its exit', async () => {
    expect(await runE2e('test "$BASE_URL" = "http://staging.example.com"', 'http://staging.example.com', { env: PATH })).toEqual({ status: 'passed' });
    expect(await runE2e('exit 3', 'http://x', { env: PATH })).toEqual({ status: 'failed', exitCode: 3 });
  });

  it('is skipped, not passed, when no command is configured', async () => {
    expect(await runE2e('  ', 'http://x', { env: PATH })).toEqual({ status: 'skipped' });
  });

  it('gives the command the environment passed and BASE_URL, nothing of the job: no credentials, no token endpoint, no GitHub token', async () => {
    const dump = join(mkdtempSync(join(tmpdir(), 'gw-e2e-env-')), 'env.txt');
    expect(await runE2e(`env > ${dump}`, 'http://staging.example.com', { env: commandEnvironment(JOB_ENV) })).toEqual({ status: 'passed' });
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toContain('BASE_URL=http://staging.example.com\n');
    expect(seen).toContain('TEAM_SETTING=kept\n');
    expect(seen).not.toMatch(/^(AWS_|aws_|ACTIONS_|GITHUB_TOKEN=|INPUT_|STATE_)/m);
    for (const secret of ['cicd-secret', 'cicd-session', 'request-bearer', 'runtime-bearer', 'ghs_exampletoken']) expect(seen).not.toContain(secret);
  });
});
