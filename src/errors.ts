/** Every error code Groundwork raises; each is documented in docs/error-codes.md. */
export type ErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'PYTHON_MISSING'
  | 'VENV_MISSING'
  | 'EMULATOR_INSTALL_FAILED'
  | 'EMULATOR_START_FAILED'
  | 'EMULATOR_NOT_RUNNING'
  | 'AWS_CREDENTIALS'
  | 'AWS_ACCESS_DENIED'
  | 'AWS_REQUEST_FAILED'
  | 'AWS_NOT_ORGANIZATION_MANAGEMENT'
  | 'SYNTH_FAILED'
  | 'NAG_FAILED'
  | 'PLAN_INVALID'
  | 'APPLY_FAILED'
  | 'APPLY_ABORTED'
  | 'CLOSE_REFUSED'
  | 'IMPORT_STOPPED'
  | 'ACCOUNT_AMBIGUOUS';

/** Options carried by a GroundworkError beyond its code and message. */
export interface GroundworkErrorOptions {
  /** What the user can do about it, printed on its own line. */
  readonly hint?: string;
  /** The underlying error, shown only with --verbose. */
  readonly cause?: unknown;
  /** Extra lines (for example every config error) printed after the message. */
  readonly details?: readonly string[];
}

/** The one error type Groundwork throws for anything a user can act on. */
export class GroundworkError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: GroundworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GroundworkError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** True when the value is a GroundworkError (also across module copies). */
export function isGroundworkError(value: unknown): value is GroundworkError {
  return value instanceof Error && value.name === 'GroundworkError' && 'code' in value;
}
