import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { checkMonth, costExplorerError } from './cost-session.js';

describe('cost session helpers', () => {
  it('turns Cost Explorer errors into ones that say what to do', () => {
    const unavailable = costExplorerError(Object.assign(new Error('data is not available'), { name: 'DataUnavailableException' }), 'the statements of 2026-10');
    expect(unavailable).toMatchObject({
      code: 'AWS_REQUEST_FAILED',
      message: 'Cost Explorer has no data for the statements of 2026-10: data is not available',
    });
    expect(unavailable.hint).toMatch(/docs\/runbooks\/cost.md/);
    const disabled = costExplorerError(
      Object.assign(new Error('User not enabled for cost explorer access'), { name: 'AccessDeniedException' }),
      'the cost figures',
    );
    expect(disabled).toMatchObject({ code: 'AWS_ACCESS_DENIED', message: 'Cost Explorer is not enabled for this organization (the cost figures)' });
    // Cost Explorer's LimitExceededException is its rate limit.
    expect(costExplorerError(Object.assign(new Error('slow down'), { name: 'LimitExceededException' }), 'x').code).toBe('AWS_THROTTLED');
  });

  it('accepts this month and earlier, and refuses malformed or future months', () => {
    const now = fixedClock('2026-11-25T00:00:00Z');
    expect(() => checkMonth('2026-11', now)).not.toThrow();
    expect(() => checkMonth('2026-13', now)).toThrow('"2026-13" is not a month');
    expect(() => checkMonth('2026-12', now)).toThrow('2026-12 is in the future; the latest month with costs is 2026-11');
  });
});
