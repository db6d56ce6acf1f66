/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** @default 8 */
  readonly maxAttempts?: number;
  /** First delay. @default 200 */
  readonly baseDelayMs?: number;
  /** Largest delay. @default 20000 */
  readonly maxDelayMs?: number;
  /** Called before each wait, for progress display. */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  /**
   * Runs before a retry when the failed attempt may have taken effect (a 5xx or timeout after sending).
   * Returning true means it did, and the operation counts as done.
   */
  readonly recover?: () => Promise<boolean>;
  /** Errors that look transient but must not be retried (an emulator's "no such operation"). */
  readonly giveUpOn?: (error: unknown) => boolean;
  /** Random source, for seeded tests. @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

const TRANSIENT_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ConcurrentModificationException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalServerException',
  'ServiceException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'PriorRequestNotComplete',
  'SlowDown',
]);

/** True for throttling, concurrent modification, 5xx, and network timeouts or resets. */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (!e) return false;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.$retryable) return true;
  const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE' || code === 'ECONNABORTED';
}

/** True when a failed request may still have been carried out: a 5xx or a dropped connection, not a throttle. */
export function mayHaveTakenEffect(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === 'TooManyRequestsException' || e?.name === 'ThrottlingException' || status === 429 || status === 400) return false;
  return isTransient(error);
}

/** Capped exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {}): number {
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 20_000;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}

/** Runs `operation`, retrying transient errors with capped exponential backoff and jitter. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T | undefined> {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error) || attempt >= maxAttempts || options.giveUpOn?.(error)) throw error;
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
      if (options.recover && mayHaveTakenEffect(error) && (await options.recover())) return undefined;
    }
  }
}

/** withRetry with retries reported through a change's progress callback. */
export function retrying<T>(
  operation: string,
  progress: (m: string) => void,
  fn: () => Promise<T>,
  options: Omit<RetryOptions, 'onRetry'> = {},
): Promise<T | undefined> {
  return withRetry(fn, {
    ...options,
    onRetry: (attempt, delayMs, error) => progress(`${operation}: ${(error as Error).name ?? 'error'}; retry ${attempt} in ${delayMs} ms`),
  });
}
