/**
 * One-time sign-in codes for Cognito's custom authentication flow, as plain functions over a small store interface:
 * a random code, kept only as a SHA-256 hash with its expiry (the table's TTL attribute), bound to one user, single use
 * (consumed by a conditional delete), refused after too many wrong answers, and rate-limited per user. The Lambda
 * triggers (DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse) and `groundwork auth code` call them.
 */
import { createHash, randomInt } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';

/** One user's code record. */
export interface CodeRecord {
  readonly username: string;
  readonly codeHash: string;
  /** Epoch seconds: the table's TTL attribute (DynamoDB deletes expired items within days; expiry is checked here). */
  readonly expiresAt: number;
  /** Start (epoch seconds) of the current rate-limit window, and codes issued in it. */
  readonly windowStart: number;
  readonly issuedInWindow: number;
  readonly wrongAnswers: number;
}

/** The table, as the functions need it; DynamoDB in the Lambda, a map in tests. */
export interface CodeStore {
  get(username: string): Promise<CodeRecord | undefined>;
  put(record: CodeRecord): Promise<void>;
  /** Deletes the record only if its hash is still `codeHash`; false when it was consumed or replaced meanwhile. */
  deleteIfHash(username: string, codeHash: string): Promise<boolean>;
  /** Records a wrong answer; returns the count after it. */
  addWrongAnswer(username: string, codeHash: string): Promise<number>;
}

/** The policy of one pool. */
export interface CodePolicy {
  /** @default 12 hours */
  readonly lifetimeMinutes: number;
  /** @default 5 */
  readonly perHour: number;
  /** Wrong answers before the code is void. @default 5 */
  readonly maxWrongAnswers?: number;
}

/** Why a code was not issued or not accepted. */
export type CodeRefusal = 'rate-limited' | 'no-code' | 'expired' | 'wrong' | 'used' | 'too-many-wrong';

const DIGITS = 8;

/** The hash a code is stored as: bound to the user, so one user's code is nothing for another. */
export function hashCode(username: string, code: string): string {
  return createHash('sha256').update(`${username.toLowerCase()}\u0000${code}`).digest('hex');
}

const epochSeconds = (now: Clock) => Math.floor(now().getTime() / 1000);

/** Whether a user's record holds a code that has not expired (CreateAuthChallenge then sends none). */
export function hasUsableCode(record: CodeRecord | undefined, now: Clock = systemClock): boolean {
  return record !== undefined && record.codeHash !== '' && record.expiresAt > epochSeconds(now);
}

/** Issues a new code for a user (replacing any earlier one), within the per-hour limit; the code is returned once. */
export async function issueCode(
  store: CodeStore,
  username: string,
  policy: CodePolicy,
  now: Clock = systemClock,
  random: () => string = () => String(randomInt(0, 10 ** DIGITS)).padStart(DIGITS, '0'),
): Promise<{ code: string; expiresAt: number } | { refused: 'rate-limited'; retryAfterSeconds: number }> {
  const seconds = epochSeconds(now);
  const existing = await store.get(username);
  const sameWindow = existing && seconds - existing.windowStart < 3600;
  const issued = sameWindow ? existing.issuedInWindow : 0;
  if (existing && sameWindow && issued >= policy.perHour) {
    return { refused: 'rate-limited', retryAfterSeconds: existing.windowStart + 3600 - seconds };
  }
  const code = random();
  const expiresAt = seconds + policy.lifetimeMinutes * 60;
  await store.put({
    username: username.toLowerCase(),
    codeHash: hashCode(username, code),
    expiresAt,
    windowStart: sameWindow && existing ? existing.windowStart : seconds,
    issuedInWindow: issued + 1,
    wrongAnswers: 0,
  });
  return { code, expiresAt };
}

/** Checks an answer: accepted once, then the code is gone; wrong answers count towards voiding it. */
export async function verifyCode(
  store: CodeStore,
  username: string,
  answer: string,
  policy: Pick<CodePolicy, 'maxWrongAnswers'>,
  now: Clock = systemClock,
): Promise<{ ok: true } | { ok: false; refused: CodeRefusal }> {
  const record = await store.get(username);
  if (!record || record.codeHash === '') return { ok: false, refused: 'no-code' };
  if (record.expiresAt <= epochSeconds(now)) return { ok: false, refused: 'expired' };
  if (record.wrongAnswers >= (policy.maxWrongAnswers ?? 5)) return { ok: false, refused: 'too-many-wrong' };
  if (hashCode(username, answer.trim()) !== record.codeHash) {
    const wrong = await store.addWrongAnswer(username, record.codeHash);
    return { ok: false, refused: wrong >= (policy.maxWrongAnswers ?? 5) ? 'too-many-wrong' : 'wrong' };
  }
  // Single use: the conditional delete succeeds for one caller only.
  return (await store.deleteIfHash(username, record.codeHash)) ? { ok: true } : { ok: false, refused: 'used' };
}

/** One step of a custom-auth session, as Cognito passes it to DefineAuthChallenge. */
export interface ChallengeStep {
  readonly challengeName: string;
  readonly challengeResult: boolean;
}

/** DefineAuthChallenge's answer. */
export interface ChallengeDecision {
  readonly issueTokens: boolean;
  readonly failAuthentication: boolean;
  readonly challengeName?: 'CUSTOM_CHALLENGE';
}

/**
 * The define-challenge state machine: an unknown user fails (with the pool's prevent-user-existence setting Cognito
 * hides which); a correct answer issues tokens; up to `maxAttempts` custom challenges per session; anything else fails.
 */
export function defineChallenge(session: readonly ChallengeStep[], userNotFound: boolean, maxAttempts = 3): ChallengeDecision {
  if (userNotFound) return { issueTokens: false, failAuthentication: true };
  if (session.some((s) => s.challengeName !== 'CUSTOM_CHALLENGE')) return { issueTokens: false, failAuthentication: true };
  const last = session.at(-1);
  if (last?.challengeResult === true) return { issueTokens: true, failAuthentication: false };
  if (session.length >= maxAttempts) return { issueTokens: false, failAuthentication: true };
  return { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' };
}
