import { GroundworkError } from '../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number };
  /** Set by the client factory on every error of a call it made. */
  $groundworkCall?: AwsCallName;
}

/** Which call failed, as the client factory records it on the error. */
export interface AwsCallName {
  readonly service: string;
  readonly operation: string;
  readonly accountId?: string;
}

const THROTTLING =
  /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|SlowDown|RequestThrottled|RequestThrottledException|ProvisionedThroughputExceededException|LimitExceededException)$/;
const EXPIRED = /^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired|RequestExpired|InvalidClientTokenId|UnrecognizedClientException)$/;
const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException|AuthorizationError|Forbidden)$/;
const NOT_FOUND = /NotFound|NoSuch/;
const INVALID =
  /^(ValidationException|ValidationError|InvalidParameter.*|InvalidInput.*|InvalidRequest.*|ConstraintViolationException|MalformedPolicyDocument.*|InvalidArgument.*|BadRequest.*)$/;

/** True for an error that came out of an AWS SDK call (or the network under one). */
export function isAwsError(error: unknown): boolean {
  const e = error as SdkError;
  return !!e && typeof e === 'object' && (e.$metadata !== undefined || e.$groundworkCall !== undefined || e.$fault !== undefined);
}

/** SDK client names whose IAM action prefix is not the name in lower case. */
const IAM_PREFIX: Record<string, string> = { SSOAdmin: 'sso', S3Control: 's3', CloudWatchLogs: 'logs', CostExplorer: 'ce', CloudWatch: 'cloudwatch' };

/** The IAM action of a call: `organizations:ListAccounts`. */
export function iamAction(call: AwsCallName): string {
  return `${IAM_PREFIX[call.service] ?? call.service.toLowerCase()}:${call.operation}`;
}

/** `organizations:ListAccounts in account 123456789012` from the recorded call, when there is one. */
function callOf(e: SdkError): string | undefined {
  const call = e.$groundworkCall;
  if (!call) return undefined;
  return `${iamAction(call)}${call.accountId ? ` in account ${call.accountId}` : ''}`;
}

/**
 * Turns an SDK or network error into a GroundworkError with a documented code, the failed action, and a fix.
 * `action` says what Groundwork was doing; without it the failed AWS call names itself.
 */
export function toGroundworkError(error: unknown, action?: string, endpoint?: string): GroundworkError {
  if (error instanceof GroundworkError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? e.Code ?? '';
  const message = e.message ?? String(error);
  const call = callOf(e);
  const doing = action ?? (call ? `calling ${call}` : 'calling AWS');
  const attempts = e.$metadata?.attempts;
  const network = (error as { cause?: { code?: string } })?.cause?.code ?? e.code;
  const options = { cause: error };

  if (network === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    if (!endpoint || /127\.0\.0\.1|localhost/.test(endpoint)) {
      return new GroundworkError('EMULATOR_NOT_RUNNING', `${doing}: nothing answers at ${endpoint ?? 'the AWS endpoint'}`, {
        hint: 'start the sandbox with `groundwork emulator start` (or `npm start`), or pass --endpoint URL',
        actionHint: `AWS_ENDPOINT_URL is set in the job's environment to ${endpoint ?? 'a local endpoint'}: start the emulator before this step, or remove AWS_ENDPOINT_URL to reach AWS`,
        ...options,
      });
    }
    return new GroundworkError('AWS_NETWORK', `${doing}: the connection to ${endpoint} was refused`, {
      hint: 'check --endpoint and AWS_ENDPOINT_URL',
      actionHint: "check AWS_ENDPOINT_URL in the job's environment, or remove it to reach AWS",
      ...options,
    });
  }
  if (network === 'ENOTFOUND' || network === 'EAI_AGAIN' || network === 'ETIMEDOUT' || network === 'ECONNRESET' || name === 'TimeoutError') {
    return new GroundworkError('AWS_NETWORK', `${doing}: the network failed (${network ?? name})${attempts ? ` after ${attempts} attempt(s)` : ''}`, {
      hint: 'check the connection to AWS (proxy, VPN, DNS), then run the command again',
      actionHint: "check the runner's connection to AWS (a self-hosted runner's proxy and DNS), then re-run the job",
      ...options,
    });
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new GroundworkError('AWS_CREDENTIALS', `${doing}: no AWS credentials found (${message})`, {
      hint: 'sign in with `aws sso login --profile NAME` and pass --profile NAME, or set AWS_PROFILE',
      actionHint: 'run assume-role-via-oidc in this job before this step (the job needs permissions: id-token: write)',
      ...options,
    });
  }
  if (EXPIRED.test(name) || /token .*expired|session .*expired|has expired/i.test(message)) {
    return new GroundworkError('AWS_TOKEN_EXPIRED', `${doing}: the AWS credentials have expired or are not valid (${name}: ${message})`, {
      hint: 'refresh them: `aws sso login --profile NAME` for SSO profiles, or get new temporary credentials, then run the command again',
      actionHint:
        'the session assume-role-via-oidc exported has expired: raise its role-duration-seconds (up to the role’s maximum session duration), or run assume-role-via-oidc again right before this step; then re-run the job',
      ...options,
    });
  }
  if (DENIED.test(name) || /not authorized to perform/i.test(message)) {
    const principal = /User: (\S+) is not authorized/.exec(message)?.[1];
    const denied = /perform: (\S+)/.exec(message)?.[1] ?? (e.$groundworkCall ? iamAction(e.$groundworkCall) : undefined);
    return new GroundworkError(
      'AWS_ACCESS_DENIED',
      `${doing}: access denied${denied ? ` for ${denied}` : ''}${principal ? ` to ${principal}` : ''} (${message})`,
      {
        hint: `grant ${denied ?? 'that action'} to ${principal ?? 'the caller (`aws sts get-caller-identity` shows who that is)'}, or use management-account credentials; an SCP or permissions boundary may also deny it`,
        actionHint: `grant ${denied ?? 'that action'} to ${principal ?? 'the role this job assumed (role-to-assume of assume-role-via-oidc)'}, or set role-to-assume to a role that has it; an SCP or permissions boundary may also deny it`,
        ...options,
      },
    );
  }
  if (THROTTLING.test(name) || e.$metadata?.httpStatusCode === 429) {
    return new GroundworkError('AWS_THROTTLED', `${doing}: AWS kept throttling the request (${name}), retried ${Math.max((attempts ?? 1) - 1, 0)} time(s)`, {
      hint: 'wait a minute and run the command again; if it persists, ask for a higher quota in Service Quotas',
      actionHint: 'wait a minute and re-run the job; if it persists, ask for a higher quota in Service Quotas',
      ...options,
    });
  }
  if (NOT_FOUND.test(name)) {
    return new GroundworkError('AWS_RESOURCE_NOT_FOUND', `${doing}: ${name}: ${message}`, {
      hint: 'the resource may have been deleted or not created yet; `groundwork plan` shows what Groundwork expects to exist',
      actionHint:
        "the resource may have been deleted or not created yet: check the step's input that names it (with: block) and that its template is deployed in that account and region (aws-region)",
      ...options,
    });
  }
  if (INVALID.test(name) || (e.$fault === 'client' && e.$metadata?.httpStatusCode === 400 && !name)) {
    return new GroundworkError('AWS_INVALID_REQUEST', `${doing}: AWS refused the request: ${name ? `${name}: ` : ''}${message}`, {
      hint: 'check the value the message names (in groundwork.yaml or on the command line); --verbose shows the full error',
      actionHint: "check the value the message names (in the step's with: block, or in groundwork.yaml)",
      ...options,
    });
  }
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new GroundworkError(
      'AWS_SERVICE_ERROR',
      `${doing}: AWS answered with a server error (${name || e.$metadata?.httpStatusCode}) after ${attempts ?? 1} attempt(s)`,
      {
        hint: 'this is usually temporary: run the command again; the AWS Health Dashboard shows outages',
        actionHint: 'this is usually temporary: re-run the job; the AWS Health Dashboard shows outages',
        ...options,
      },
    );
  }
  return new GroundworkError('AWS_REQUEST_FAILED', `${doing}: ${name ? `${name}: ` : ''}${message}`, {
    hint: 'run again with --verbose for details; transient errors are retried automatically',
    actionHint: 're-run the job (transient errors are retried automatically)',
    ...options,
  });
}

/** True when the emulator answered that it has no such operation (moto answers an unknown route with an HTML 404 page). */
export function isUnsupportedByEmulator(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  if (e?.name === 'ResourceNotFoundException') return false;
  return e?.$metadata?.httpStatusCode === 404 || e?.$response?.statusCode === 404 || /<!doctype|404 Not Found/i.test(e?.message ?? '');
}

/** True if the error has one of these names (AWS "already done" answers that mean success). */
export function isError(error: unknown, ...names: string[]): boolean {
  return names.includes((error as Error)?.name);
}
