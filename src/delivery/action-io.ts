import { toGroundworkError } from '../aws/aws-error.js';
import { ClientFactory } from '../aws/client-factory.js';
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

/**
 * The client factory of an action that runs after assume-role-via-oidc: credentials from the environment it exported,
 * the region from the input or AWS_REGION, and AWS_ENDPOINT_URL honoured (the emulator in tests).
 */
export function sessionClients(regionInput: string, env: Readonly<Record<string, string | undefined>>): ClientFactory {
  const region = regionInput || env.AWS_REGION || '';
  if (!region) {
    throw new GroundworkError('USAGE', 'no AWS region: aws-region is empty and AWS_REGION is not set', {
      hint: 'run assume-role-via-oidc first, or set aws-region',
    });
  }
  return new ClientFactory({ target: 'aws', region, endpoint: env.AWS_ENDPOINT_URL || undefined });
}
