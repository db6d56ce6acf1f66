import { GroundworkError } from '../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Turns an SDK or network error into a GroundworkError that says what failed and what to do. */
export function toGroundworkError(error: unknown, action: string, endpoint?: string): GroundworkError {
  if (error instanceof GroundworkError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  const network = (error as { cause?: { code?: string } })?.cause?.code ?? e.code;
  if (network === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return new GroundworkError('EMULATOR_NOT_RUNNING', `${action}: nothing answers at ${endpoint ?? 'the AWS endpoint'}`, {
      hint: 'start the sandbox with `groundwork emulator start` (or `npm start`), or pass --endpoint URL',
      cause: error,
    });
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return new GroundworkError('AWS_CREDENTIALS', `${action}: no AWS credentials found (${message})`, {
      hint: 'sign in with `aws sso login --profile NAME` and pass --profile NAME, or set AWS_PROFILE',
      cause: error,
    });
  }
  if (/AccessDenied|UnauthorizedOperation|AccessDeniedException/.test(name)) {
    return new GroundworkError('AWS_ACCESS_DENIED', `${action}: access denied (${message})`, {
      hint: 'use credentials of the management account with administrator access',
      cause: error,
    });
  }
  return new GroundworkError('AWS_REQUEST_FAILED', `${action}: ${name ? `${name}: ` : ''}${message}`, {
    hint: 'run again with --verbose for details; transient errors are retried automatically',
    cause: error,
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
