import { toGroundworkError } from '../aws/aws-error.js';
import { GroundworkError } from '../errors.js';

/** A number input within a range, or a clear error naming the input, the value and the range. */
export function numberInput(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new GroundworkError('USAGE', `input ${name} is "${raw}"; use a number from ${min} to ${max}`, { hint: `set ${name} in the step's with: block` });
  }
  return value;
}

/** What an action prints when it fails: one line (code, message, fix) for setFailed, and detail lines as annotations. */
export function actionError(error: unknown): { line: string; details: readonly string[] } {
  const mapped = error instanceof GroundworkError ? error : toGroundworkError(error);
  return { line: `${mapped.code}: ${mapped.message}${mapped.hint ? ` (fix: ${mapped.hint})` : ''}`, details: mapped.details };
}
