/**
 * What time it is. Domain code and servers take a clock instead of asking the system, so that a test can fix "now"
 * for a pure function, and so that the whole program follows one clock (libfaketime shifts the system's for the
 * date-sensitive tests: scripts/test-any-day.sh).
 */
export type Clock = () => Date;

/** The system's wall clock: the default wherever a clock is optional. */
export const systemClock: Clock = () => new Date();

/** A clock stopped at one instant, for tests of pure functions. */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`fixedClock: "${String(at)}" is not a date`);
  return () => new Date(instant);
}

/** Milliseconds since an arbitrary start that never jumps with the wall clock: for timeouts, deadlines and durations. */
export const elapsedMs = (): number => performance.now();
