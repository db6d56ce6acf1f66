import { describe, expect, it } from 'vitest';
import { GroundworkError } from '../errors.js';
import { applyPlan } from './apply.js';
import { buildPlan, orderKinds } from './plan.js';
import { backoffDelay, isTransient, withRetry } from './retry.js';
import type { ChangeSpec, ProgressEvent, ResourceKind } from './types.js';

const noSleep = async () => {};

describe('withRetry', () => {
  it('retries throttling, concurrent modification and 5xx, then succeeds', async () => {
    const errors = [
      Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }),
      Object.assign(new Error('busy'), { name: 'ConcurrentModificationException' }),
      Object.assign(new Error('oops'), { name: 'Whatever', $metadata: { httpStatusCode: 503 } }),
    ];
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        const error = errors.shift();
        if (error) throw error;
        return 'ok';
      },
      { sleep: noSleep, onRetry: (attempt) => retries.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('does not retry a validation error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('bad'), { name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
        },
        { sleep: noSleep },
      ),
    ).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        },
        { sleep: noSleep, maxAttempts: 3 },
      ),
    ).rejects.toThrow('throttled');
    expect(calls).toBe(3);
  });

  it('asks recover() after a 5xx, and stops when the call did take effect', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        throw Object.assign(new Error('lost response'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
      },
      { sleep: noSleep, recover: async () => true },
    );
    expect(result).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('does not call recover() after a throttle, which never takes effect', async () => {
    let recovered = 0;
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } });
        return 'ok';
      },
      {
        sleep: noSleep,
        recover: async () => {
          recovered++;
          return false;
        },
      },
    );
    expect(recovered).toBe(0);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and is jittered within [0, cap]', () => {
    expect(backoffDelay(1, { random: () => 0.999, baseDelayMs: 100 })).toBe(199);
    expect(backoffDelay(3, { random: () => 0.999, baseDelayMs: 100 })).toBe(799);
    expect(backoffDelay(20, { random: () => 0.999, baseDelayMs: 100, maxDelayMs: 5000 })).toBe(4995);
    expect(backoffDelay(5, { random: () => 0 })).toBe(0);
  });

  it('treats network resets and timeouts as transient', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(new Error('plain'))).toBe(false);
  });
});

/** A toy kind over an in-memory map, to test the engine alone. */
function memoryKind(
  kind: string,
  dependsOn: string[],
  desired: Record<string, string>,
  actual: Record<string, string>,
  log: string[],
  fail?: string,
): ResourceKind<[string, string], [string, string]> {
  const spec = (action: ChangeSpec['action'], name: string, run: () => void): ChangeSpec => ({
    action,
    details: {},
    group: 'Root',
    run: async () => {
      if (name === fail) throw new Error(`${name} broke`);
      log.push(`${kind}:${name}`);
      run();
    },
  });
  return {
    kind,
    dependsOn,
    read: async () => Object.entries(actual),
    desired: () => Object.entries(desired),
    identity: ([name]) => name,
    diff: ([name, value], live) => {
      if (!live) return [spec('create', name, () => (actual[name] = value))];
      if (live[1] !== value) return [spec('update', name, () => (actual[name] = value))];
      return [];
    },
    orphan: ([name]) => spec('delete', name, () => delete actual[name]),
  };
}

describe('the plan/apply engine', () => {
  it('diffs desired against actual into create, update and delete', async () => {
    const plan = await buildPlan([memoryKind('thing', [], { a: '1', b: '2' }, { b: '1', c: '3' }, [])]);
    expect(plan.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['create thing:a', 'update thing:b', 'delete thing:c']);
  });

  it('plans nothing when actual matches desired', async () => {
    const plan = await buildPlan([memoryKind('thing', [], { a: '1' }, { a: '1' }, [])]);
    expect(plan.changes).toEqual([]);
  });

  it('applies dependencies first', async () => {
    const log: string[] = [];
    const plan = await buildPlan([memoryKind('child', ['parent'], { x: '1' }, {}, log), memoryKind('parent', [], { p: '1' }, {}, log)]);
    const result = await applyPlan(plan, { concurrency: 4 });
    expect(result.failed).toEqual([]);
    expect(log).toEqual(['parent:p', 'child:x']);
  });

  it('skips only the changes that depend on a failed one', async () => {
    const log: string[] = [];
    const events: ProgressEvent[] = [];
    const plan = await buildPlan([
      memoryKind('parent', [], { p: '1', q: '1' }, {}, log, 'p'),
      memoryKind('child', ['parent'], { x: '1' }, {}, log),
      memoryKind('other', [], { o: '1' }, {}, log),
    ]);
    const result = await applyPlan(plan, { emit: (e) => events.push(e) });
    expect(result.failed.map((f) => f.change.id)).toEqual(['parent:p']);
    expect(result.skipped.map((c) => c.id)).toEqual(['child:x']);
    expect(log.sort()).toEqual(['other:o', 'parent:q']);
    expect(events.filter((e) => e.type === 'skipped')).toHaveLength(1);
  });

  it('with per-item requirements, a failed item skips only the items that need it, and says why', async () => {
    const log: string[] = [];
    const plan = await buildPlan([
      memoryKind('account', [], { a: '1', b: '1', c: '1' }, {}, log, 'b'),
      { ...memoryKind('baseline', ['account'], { a: '1', b: '1', c: '1' }, {}, log), requires: ([name]) => [`account:${name}`] },
    ]);
    const result = await applyPlan(plan);
    expect(result.failed.map((f) => f.change.id)).toEqual(['account:b']);
    expect(result.skipped.map((c) => c.id)).toEqual(['baseline:b']);
    expect(result.skippedBecause.get('baseline:b')).toBe('needs account b, which failed');
    expect(log.filter((l) => l.startsWith('baseline')).sort()).toEqual(['baseline:a', 'baseline:c']);
  });

  it('a per-item requirement names every change of that item, and kind:* every change of a kind', async () => {
    const log: string[] = [];
    const account = memoryKind('account', [], { a: '2' }, { a: '1', z: '1' }, log);
    const plan = await buildPlan([
      account,
      { ...memoryKind('org', [], { o: '1' }, {}, log) },
      { ...memoryKind('baseline', ['account', 'org'], { a: '1' }, {}, log), requires: ([name]) => ['org:*', `account:${name}`] },
    ]);
    const baseline = plan.changes.find((c) => c.id === 'baseline:a');
    expect(baseline?.requires).toEqual(['org:o', 'account:a']);
  });

  it('rejects kinds that depend on each other in a cycle', () => {
    const log: string[] = [];
    expect(() => orderKinds([memoryKind('a', ['b'], {}, {}, log), memoryKind('b', ['a'], {}, {}, log)])).toThrow(GroundworkError);
  });

  it('respects the concurrency limit', async () => {
    let inFlight = 0;
    let most = 0;
    const kind: ResourceKind<number, number> = {
      kind: 'slow',
      dependsOn: [],
      read: async () => [],
      desired: () => Array.from({ length: 12 }, (_, i) => i),
      identity: (n) => String(n),
      diff: () => [
        {
          action: 'create',
          details: {},
          group: 'Root',
          run: async () => {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((r) => setTimeout(r, 5));
            inFlight--;
          },
        },
      ],
      orphan: () => undefined,
    };
    await applyPlan(await buildPlan([kind]), { concurrency: 3 });
    expect(most).toBe(3);
  });
});
