/**
 * One-time sign-in codes for Cognito's custom authentication flow, as plain functions over a small store interface:
 * a random code, kept only as an HMAC-SHA-256 under a key the table's readers do not hold (a KMS HMAC key), keyed by
 * the user's immutable `sub`, with its expiry (the table's TTL attribute); single use; at most `maxWrongAnswers`
 * answers compared, each claimed by a conditional update before it is compared; voided at that limit, so that a new
 * one can be sent; rate-limited per user per hour. The Lambda triggers (DefineAuthChallenge, CreateAuthChallenge,
 * VerifyAuthChallengeResponse) and `groundwork auth code` call them.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';

/** One user's code record. */
export interface CodeRecord {
  /** The user's `sub` (immutable; an e-mail can change hands). */
  readonly sub: string;
  /** HMAC-SHA-256 of `sub` and code under the pool's key, base64; absent once used or voided (the rate window stays). */
  readonly codeMac?: string;
  /** Epoch seconds: the table's TTL attribute (DynamoDB deletes expired items within days; expiry is checked here). */
  readonly expiresAt: number;
  /** Start (epoch seconds) of the current rate-limit window, and codes issued in it. */
  readonly windowStart: number;
  readonly issuedInWindow: number;
  /** Answers claimed against the current code: counted before the comparison; a right one consumes the code. */
  readonly wrongAnswers: number;
}

/** The table, as the functions need it: DynamoDB in the Lambda and the CLI. */
export interface CodeStore {
  get(sub: string): Promise<CodeRecord | undefined>;
  /** Writes a record only if the user's record is still `previous` (its rate window), or absent; false otherwise. */
  put(record: CodeRecord, previous: CodeRecord | undefined): Promise<boolean>;
  /** Claims one answer: `wrongAnswers + 1` only while the code is `codeMac` and `wrongAnswers < max`; the count, or undefined. */
  claimAnswer(sub: string, codeMac: string, max: number): Promise<number | undefined>;
  /** Removes the code (keeping the rate window) only if it is still `codeMac`; false when consumed or replaced meanwhile. */
  clearCode(sub: string, codeMac: string): Promise<boolean>;
}

/** The keyed MAC a code is stored as (KMS GenerateMac, HMAC_SHA_256), base64. */
export type CodeMac = (message: string) => Promise<string>;

/** The policy of one pool. */
export interface CodePolicy {
  /** @default 12 hours */
  readonly lifetimeMinutes: number;
  /** @default 5 */
  readonly perHour: number;
  /** Answers compared before the code is void. @default 5 */
  readonly maxWrongAnswers?: number;
}

/** Why a code was not issued or not accepted. */
export type CodeRefusal = 'rate-limited' | 'no-code' | 'expired' | 'wrong' | 'used' | 'too-many-wrong';

const DIGITS = 8;
/** Wrong answers before a code is void. */
export const MAX_WRONG_ANSWERS = 5;

/** What is MACed for a code: bound to the user's sub, so one user's code is nothing for another. */
export const macInput = (sub: string, code: string) => `${sub}\u0000${code}`;

const epochSeconds = (now: Clock) => Math.floor(now().getTime() / 1000);

/** Whether a user's record holds a code that can still be answered (CreateAuthChallenge then sends none). */
export function hasUsableCode(record: CodeRecord | undefined, now: Clock = systemClock, max = MAX_WRONG_ANSWERS): boolean {
  return !!record?.codeMac && record.expiresAt > epochSeconds(now) && record.wrongAnswers < max;
}

/** Issues a new code for a user (replacing any earlier one), within the per-hour limit; the code is returned once. */
export async function issueCode(
  store: CodeStore,
  mac: CodeMac,
  sub: string,
  policy: CodePolicy,
  now: Clock = systemClock,
  random: () => string = () => String(randomInt(0, 10 ** DIGITS)).padStart(DIGITS, '0'),
): Promise<{ code: string; expiresAt: number } | { refused: 'rate-limited'; retryAfterSeconds: number }> {
  // A parallel issue changes the window: read again and decide again, so the limit holds under a race.
  for (;;) {
    const seconds = epochSeconds(now);
    const existing = await store.get(sub);
    const sameWindow = existing !== undefined && seconds - existing.windowStart < 3600;
    const issued = sameWindow ? existing.issuedInWindow : 0;
    if (sameWindow && issued >= policy.perHour) return { refused: 'rate-limited', retryAfterSeconds: existing.windowStart + 3600 - seconds };
    const code = random();
    const expiresAt = seconds + policy.lifetimeMinutes * 60;
    const record = {
      sub,
      codeMac: await mac(macInput(sub, code)),
      expiresAt,
      windowStart: sameWindow ? existing.windowStart : seconds,
      issuedInWindow: issued + 1,
      wrongAnswers: 0,
    };
    if (await store.put(record, existing)) return { code, expiresAt };
  }
}

/**
 * Checks an answer: each answer first claims one of the code's `maxWrongAnswers` attempts (a conditional update, so
 * parallel answers cannot exceed it), and only a claimed answer is compared; a right one consumes the code, the last
 * wrong one voids it (a new code may then be issued, within the hourly limit).
 */
export async function verifyCode(
  store: CodeStore,
  mac: CodeMac,
  sub: string,
  answer: string,
  policy: Pick<CodePolicy, 'maxWrongAnswers'>,
  now: Clock = systemClock,
): Promise<{ ok: true } | { ok: false; refused: CodeRefusal }> {
  const max = policy.maxWrongAnswers ?? MAX_WRONG_ANSWERS;
  const record = await store.get(sub);
  const stored = record?.codeMac;
  if (!record || !stored) return { ok: false, refused: 'no-code' };
  if (record.expiresAt <= epochSeconds(now)) return { ok: false, refused: 'expired' };
  const count = await store.claimAnswer(sub, stored, max);
  if (count === undefined) {
    const after = await store.get(sub);
    const spent = after !== undefined && after.wrongAnswers >= max && (after.codeMac === stored || !after.codeMac);
    return { ok: false, refused: spent ? 'too-many-wrong' : 'used' };
  }
  // Only a code-shaped answer is MACed: KMS refuses a message over 4 KB, and that error would single out a user with a code.
  const trimmed = answer.trim();
  const given = Buffer.from(/^\d{8}$/.test(trimmed) ? await mac(macInput(sub, trimmed)) : '');
  if (given.length !== stored.length || !timingSafeEqual(given, Buffer.from(stored))) {
    if (count < max) return { ok: false, refused: 'wrong' };
    await store.clearCode(sub, stored);
    return { ok: false, refused: 'too-many-wrong' };
  }
  // Single use: the conditional removal succeeds for one caller only.
  return (await store.clearCode(sub, stored)) ? { ok: true } : { ok: false, refused: 'used' };
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
 * The define-challenge state machine. A code signs in on its own (no password step: a session holding any other
 * challenge fails). Cognito asks no MFA in a passwordless custom flow, so a pool with MFA `ON` refuses code sign-in
 * outright. Unknown users (Cognito's `userNotFound`) go through the same steps as known ones, so that nothing tells
 * them apart; a correct answer issues tokens; up to `maxAttempts` custom challenges per session.
 */
export function defineChallenge(session: readonly ChallengeStep[], mfa: string, maxAttempts = 3): ChallengeDecision {
  if (mfa === 'ON' || session.some((s) => s.challengeName !== 'CUSTOM_CHALLENGE')) return { issueTokens: false, failAuthentication: true };
  const last = session.at(-1);
  if (last?.challengeResult === true) return { issueTokens: true, failAuthentication: false };
  if (session.length >= maxAttempts) return { issueTokens: false, failAuthentication: true };
  return { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' };
}
