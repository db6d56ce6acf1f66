/** Every error code Groundwork raises; each is documented in docs/error-codes.md (a test checks). */
export const ERROR_CODES = [
  'CONFIG_NOT_FOUND',
  'CONFIG_INVALID',
  'USAGE',
  'PYTHON_MISSING',
  'VENV_MISSING',
  'EMULATOR_INSTALL_FAILED',
  'EMULATOR_START_FAILED',
  'EMULATOR_NOT_RUNNING',
  'CFN_LINT_MISSING',
  'AWS_CREDENTIALS',
  'AWS_TOKEN_EXPIRED',
  'AWS_ACCESS_DENIED',
  'AWS_THROTTLED',
  'AWS_RESOURCE_NOT_FOUND',
  'AWS_INVALID_REQUEST',
  'AWS_SERVICE_ERROR',
  'AWS_NETWORK',
  'AWS_REQUEST_FAILED',
  'AWS_NOT_ORGANIZATION_MANAGEMENT',
  'IDENTITY_CENTER_NOT_ENABLED',
  'SYNTH_FAILED',
  'NAG_FAILED',
  'PLAN_INVALID',
  'APPLY_FAILED',
  'APPLY_ABORTED',
  'ACCOUNT_AMBIGUOUS',
  'CLOSE_REFUSED',
  'IMPORT_STOPPED',
  'CSRF_REJECTED',
  'HOST_REJECTED',
  'CONSOLE_UNAUTHENTICATED',
  'BODY_TOO_LARGE',
  'PREFLIGHT_FAILED',
  'DEPLOY_FAILED',
  'GITHUB_REFUSED',
  'GITHUB_ACCESS_DENIED',
  'GITHUB_NOT_FOUND',
  'GITHUB_RATE_LIMITED',
  'GITHUB_SERVICE_ERROR',
  'STAGING_RECORD_MISSING',
  'STAGING_RECORD_MISMATCH',
] as const;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The code the CLI prints for an error that is not a GroundworkError (a bug): documented like the others. */
export const INTERNAL_ERROR_CODE = 'INTERNAL';

/** Options carried by a GroundworkError beyond its code and message. */
export interface GroundworkErrorOptions {
  /** What the user can do about it, printed on its own line. */
  readonly hint?: string;
  /**
   * The fix when the error ends a GitHub Action step, where there are no flags or terminal: it names inputs and workflow
   * settings. Without it, an action shows `hint` (which then must not name CLI flags or commands).
   */
  readonly actionHint?: string;
  /** The underlying error, shown only with --verbose. */
  readonly cause?: unknown;
  /** Extra lines (for example every config error) printed after the message. */
  readonly details?: readonly string[];
}

/** The one error type Groundwork throws for anything a user can act on. */
export class GroundworkError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly actionHint?: string;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: GroundworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GroundworkError';
    this.code = code;
    this.hint = options.hint;
    this.actionHint = options.actionHint;
    this.details = options.details ?? [];
  }
}

/** True when the value is a GroundworkError (also across module copies). */
export function isGroundworkError(value: unknown): value is GroundworkError {
  return value instanceof Error && value.name === 'GroundworkError' && 'code' in value;
}
