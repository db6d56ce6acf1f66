import { elapsedMs } from '../clock.js';
import type { Change, Plan, ProgressListener } from './types.js';

/** Outcome of an apply. */
export interface ApplyResult {
  readonly done: readonly Change[];
  readonly failed: readonly { readonly change: Change; readonly error: unknown }[];
  readonly skipped: readonly Change[];
  /** Why each skipped change was skipped: the failed change it needed, by id. */
  readonly skippedBecause: ReadonlyMap<string, string>;
}

/** Runs the plan's changes in dependency order, `concurrency` at a time; a failure skips only what depends on it. */
export async function applyPlan(plan: Plan, options: { concurrency?: number; emit?: ProgressListener } = {}): Promise<ApplyResult> {
  const emit = options.emit ?? (() => {});
  const concurrency = options.concurrency ?? 8;
  const ids = new Set(plan.changes.map((c) => c.id));
  const waitingOn = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  for (const change of plan.changes) {
    const deps = new Set(change.requires.filter((id) => ids.has(id) && id !== change.id));
    waitingOn.set(change.id, deps);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), change.id]);
  }
  const done: Change[] = [];
  const failed: { change: Change; error: unknown }[] = [];
  const skipped: Change[] = [];
  const skippedBecause = new Map<string, string>();
  const ready: Change[] = plan.changes.filter((c) => waitingOn.get(c.id)?.size === 0);
  const settled = new Set<string>();

  const skipDependents = (id: string, because: string) => {
    for (const dependentId of dependents.get(id) ?? []) {
      if (settled.has(dependentId)) continue;
      settled.add(dependentId);
      const dependent = byId.get(dependentId) as Change;
      skipped.push(dependent);
      skippedBecause.set(dependentId, because);
      emit({ type: 'skipped', change: dependent, because });
      skipDependents(dependentId, because);
    }
  };

  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = () => {
      while (running < concurrency && ready.length > 0) {
        const change = ready.shift() as Change;
        if (settled.has(change.id)) continue;
        running++;
        const started = elapsedMs();
        emit({ type: 'start', change });
        change
          .run((message) => emit({ type: 'progress', change, message }))
          .then(
            () => {
              done.push(change);
              emit({ type: 'done', change, ms: elapsedMs() - started });
              for (const dependentId of dependents.get(change.id) ?? []) {
                const waits = waitingOn.get(dependentId) as Set<string>;
                waits.delete(change.id);
                if (waits.size === 0 && !settled.has(dependentId)) ready.push(byId.get(dependentId) as Change);
              }
            },
            (error: unknown) => {
              failed.push({ change, error });
              emit({ type: 'failed', change, error: (error as Error)?.message ?? String(error) });
              skipDependents(change.id, `needs ${change.kind} ${change.name}, which failed`);
            },
          )
          .finally(() => {
            settled.add(change.id);
            running--;
            if (running === 0 && ready.length === 0) resolve();
            else pump();
          });
      }
      if (running === 0 && ready.length === 0) resolve();
    };
    pump();
  });
  return { done, failed, skipped, skippedBecause };
}
