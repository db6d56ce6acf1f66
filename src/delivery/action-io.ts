import { randomUUID } from 'node:crypto';
import { isAwsError, toGroundworkError } from '../aws/aws-error.js';
import { ClientFactory } from '../aws/client-factory.js';
import { GroundworkError, INTERNAL_ERROR_CODE } from '../errors.js';

/** A number input within a range, or a clear error naming the input, the value and the range. */
export function numberInput(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new GroundworkError('USAGE', `input ${name} is "${raw}"; use a number from ${min} to ${max}`, { hint: `set ${name} in the step's with: block` });
  }
  return value;
}

/** What @actions/core throws for `getInput(name, { required: true })` when the input is empty. */
const REQUIRED_INPUT = /^Input required and not supplied: (.+)$/;

/** An error of GitHub's REST API as Octokit throws it (`RequestError`, name `HttpError`). */
interface GitHubApiError {
  name: string;
  message: string;
  status: number;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined> };
}

function isGitHubApiError(error: unknown): error is GitHubApiError {
  const e = error as Partial<GitHubApiError> | undefined;
  return !!e && typeof e === 'object' && e.name === 'HttpError' && typeof e.status === 'number';
}

/** A GitHub API error with its own GITHUB_* code: what was called, GitHub's answer, and the workflow setting to change. */
function gitHubError(error: GitHubApiError): GroundworkError {
  const call = error.request?.method && error.request.url ? `${error.request.method} ${error.request.url.replace(/^https?:\/\/[^/]+/, '')}` : 'the GitHub API';
  const headers = error.response?.headers ?? {};
  const message = `GitHub answered ${call} with HTTP ${error.status}: ${error.message}`;
  const options = { cause: error };
  if (error.status === 429 || (error.status === 403 && String(headers['x-ratelimit-remaining']) === '0')) {
    const reset = Number(headers['x-ratelimit-reset']);
    return new GroundworkError('GITHUB_RATE_LIMITED', message, {
      hint: `the token's API rate limit is used up${Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: re-run the job after that, or pass a GitHub App's token in github-token`,
      ...options,
    });
  }
  if (error.status === 401 || error.status === 403) {
    return new GroundworkError('GITHUB_ACCESS_DENIED', message, {
      hint: "grant the job the permission this call needs in the workflow's permissions: block (pull-requests: write to comment on a pull request, contents: write to push), or pass a token that has it in github-token; a pull request from a fork gets a read-only token",
      ...options,
    });
  }
  if (error.status === 404) {
    return new GroundworkError('GITHUB_NOT_FOUND', message, {
      hint: 'the repository, pull request or branch is not there, or the token cannot see it: check github-token and the inputs that name it',
      ...options,
    });
  }
  if (error.status >= 500) {
    return new GroundworkError('GITHUB_SERVICE_ERROR', message, { hint: 'usually temporary: re-run the job; githubstatus.com shows outages', ...options });
  }
  return new GroundworkError('GITHUB_REFUSED', message, {
    hint: 'GitHub refused the request as sent: check the inputs the message names, then re-run the job',
    ...options,
  });
}

/**
 * An error as an action reports it, in the action's language: an input left empty is a USAGE error naming the input, a
 * GitHub API error keeps a GITHUB_* code, an AWS error goes through the same mapping as the CLI's, and every hint is the
 * one written for actions (inputs and workflow settings, never CLI flags or commands).
 */
export function toActionError(error: unknown): GroundworkError | undefined {
  if (error instanceof GroundworkError) return error;
  const required = error instanceof Error ? REQUIRED_INPUT.exec(error.message) : null;
  if (required) {
    const name = required[1] as string;
    return new GroundworkError('USAGE', `input ${name} is required and was not set`, { hint: `set ${name} in the step's with: block`, cause: error });
  }
  if (isGitHubApiError(error)) return gitHubError(error);
  if (isAwsError(error)) return toGroundworkError(error);
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown; message?: string };
  if (error instanceof Error && typeof system.code === 'string' && typeof system.syscall === 'string') {
    // A file the step was pointed at (ENOENT, EACCES, EISDIR): the input that names it, not a bug.
    return new GroundworkError('USAGE', `${system.syscall} ${typeof system.path === 'string' ? system.path : ''} failed: ${error.message}`.replace('  ', ' '), {
      hint: "check the step's inputs that name files (paths are relative to the workspace; check out the repository first with actions/checkout)",
      cause: error,
    });
  }
  return undefined;
}

/** What an action prints when it fails: one line (code, message, fix) for setFailed, and detail lines as annotations. */
export function actionError(error: unknown): { line: string; details: readonly string[] } {
  const mapped = toActionError(error);
  if (!mapped) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { line: `${INTERNAL_ERROR_CODE}: an unexpected error: ${what} (fix: this is a bug in Groundwork: report it with the step's log)`, details: [] };
  }
  const hint = mapped.actionHint ?? mapped.hint;
  return { line: `${mapped.code}: ${mapped.message}${hint ? ` (fix: ${hint})` : ''}`, details: mapped.details };
}

/** `true` or `false`, or a clear error naming the input. */
export function booleanInput(name: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new GroundworkError('USAGE', `input ${name} is "${raw}"; use true or false`, { hint: `set ${name} in the step's with: block` });
}

/** One KEY=VALUE per line (blank lines ignored), or a clear error naming the input and the line. */
export function keyValueLines(name: string, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  raw.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=');
    if (at <= 0) throw new GroundworkError('USAGE', `input ${name}, line ${i + 1}: "${line}" is not KEY=VALUE`, { hint: 'write one KEY=VALUE per line' });
    out[line.slice(0, at).trim()] = line.slice(at + 1);
  });
  return out;
}

/** An IAM role's ARN as STS takes it in RoleArn (any partition; the role's path included). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A role ARN input, or a USAGE error naming the input (STS would answer with a ValidationError about its own roleArn). */
export function roleArnInput(name: string, raw: string): string {
  if (!ROLE_ARN.test(raw)) {
    throw new GroundworkError('USAGE', `input ${name} is "${raw}", which is not an IAM role ARN`, {
      hint: `set ${name} to the ARN of the role, arn:aws:iam::ACCOUNT-ID:role/NAME (an output of the cicd template)`,
    });
  }
  return raw;
}

/** A role session name input (2 to 64 of letters, digits and +=,.@_-), or a USAGE error naming the input. */
export function sessionNameInput(name: string, raw: string): string {
  if (!/^[\w+=,.@-]{2,64}$/.test(raw)) {
    throw new GroundworkError('USAGE', `input ${name} is "${raw}", which is not a role session name`, {
      hint: `set ${name} to 2 to 64 letters, digits and +=,.@_- (it shows in CloudTrail as who acted)`,
    });
  }
  return raw;
}

/** An ECR repository name as ECR takes it: 2 to 256 lower-case letters and digits, separated by . _ - or /. */
const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** An ECR repository name input, or a USAGE error naming the input (ECR would answer with its own InvalidParameterException). */
export function repositoryNameInput(name: string, raw: string): string {
  if (!REPOSITORY_NAME.test(raw)) {
    throw new GroundworkError('USAGE', `input ${name} is "${raw}", which is not an ECR repository name`, {
      hint: `set ${name} to the repository's name (not its URI): lower-case letters and digits, separated by . _ - or /, such as backend-service`,
    });
  }
  return raw;
}

/** An AWS Region's name as AWS spells them (eu-west-1, us-gov-west-1, cn-north-1, eu-isoe-west-1). */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * A region as the step set it, or a USAGE error naming `what` (the input or variable): a malformed region would otherwise
 * reach the SDK and come back as a request failure to re-run ("Region not accepted: … is not a valid hostname component").
 */
export function regionInput(what: string, raw: string): string {
  if (!REGION_NAME.test(raw)) {
    throw new GroundworkError('USAGE', `${what} is "${raw}", which is not an AWS Region`, {
      hint: `set aws-region in the step's with: block to a Region name such as eu-west-1 (the Region of the repository, the roles and the environments)${what.startsWith('input ') ? '' : `, or correct ${what} where the job sets it`}`,
    });
  }
  return raw;
}

/**
 * The client factory of an action that runs after assume-role-via-oidc: credentials from the environment it exported,
 * the region from the input or AWS_REGION, and AWS_ENDPOINT_URL honoured (the emulator in tests).
 */
export function sessionClients(regionSetting: string, env: Readonly<Record<string, string | undefined>>): ClientFactory {
  const region = regionSetting || env.AWS_REGION || '';
  if (!region) {
    throw new GroundworkError('USAGE', 'no AWS region: aws-region is empty and AWS_REGION is not set', {
      hint: 'run assume-role-via-oidc first, or set aws-region',
    });
  }
  regionInput(regionSetting ? 'input aws-region' : 'AWS_REGION', region);
  return new ClientFactory({ target: 'aws', region, endpoint: env.AWS_ENDPOINT_URL || undefined });
}

/**
 * Runs a team's command (the smoke check, E2E tests) with the runner's workflow commands off for its output: the runner
 * reads `::name::` lines of a step's stdout as commands, so a test or one of its dependencies could otherwise print
 * `::save-state name=settled::true` (the release's post step would then leave a deployment running), set the step's
 * outputs, or add masks. `::stop-commands::TOKEN` turns them off until `::TOKEN::`, with a token the command cannot guess.
 */
export async function withoutWorkflowCommands<T>(write: (line: string) => void, run: () => Promise<T>, token: string = randomUUID()): Promise<T> {
  write(`::stop-commands::${token}`);
  try {
    return await run();
  } finally {
    write(`::${token}::`);
  }
}
