import { GroundworkError } from '../errors.js';
import type { Change, ChangeSpec, Finding, Plan, ProgressListener, ResourceKind } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: kinds of different item types live in one list.
export type AnyKind = ResourceKind<any, any>;

/** Orders kinds so that each comes after the kinds it depends on. */
export function orderKinds(kinds: readonly AnyKind[]): AnyKind[] {
  const byName = new Map(kinds.map((k) => [k.kind, k]));
  const ordered: AnyKind[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (kind: AnyKind, path: string[]) => {
    const s = state.get(kind.kind);
    if (s === 'done') return;
    if (s === 'visiting') throw new GroundworkError('PLAN_INVALID', `resource kinds depend on each other in a cycle: ${[...path, kind.kind].join(' → ')}`);
    state.set(kind.kind, 'visiting');
    for (const dep of kind.dependsOn) {
      const depKind = byName.get(dep);
      if (depKind) visit(depKind, [...path, kind.kind]);
    }
    state.set(kind.kind, 'done');
    ordered.push(kind);
  };
  for (const kind of kinds) visit(kind, []);
  return ordered;
}

function isChangeSpec(value: ChangeSpec | Omit<Finding, 'kind'>): value is ChangeSpec {
  return 'run' in value;
}

/** Reads every kind in dependency order, diffs desired against actual, and returns the ordered changes and findings. */
export async function buildPlan(kinds: readonly AnyKind[], emit: ProgressListener = () => {}): Promise<Plan> {
  const ordered = orderKinds(kinds);
  const changes: Change[] = [];
  const unmanaged: Finding[] = [];
  const attention: Finding[] = [];
  const notEmulated: Finding[] = [];
  const idsByKind = new Map<string, string[]>();
  const usedIds = new Set<string>();

  // Read in waves: every kind whose dependencies have been read is read concurrently (reads never write).
  const actuals = new Map<string, readonly unknown[]>();
  const pending = [...ordered];
  while (pending.length > 0) {
    const wave = pending.filter((k) => k.dependsOn.every((dep) => actuals.has(dep) || !pending.some((p) => p.kind === dep)));
    const read = await Promise.all(wave.map((k) => k.read()));
    wave.forEach((k, i) => {
      actuals.set(k.kind, read[i] as readonly unknown[]);
      emit({ type: 'read', kind: k.kind, count: (read[i] as readonly unknown[]).length });
      pending.splice(pending.indexOf(k), 1);
    });
  }

  // Requirements are resolved once every change exists: `kind:identity` names every change of that item, `kind:*` every change of the kind.
  const pendingRequires: { change: Change; wanted: readonly string[] }[] = [];
  const idsByKey = new Map<string, string[]>();
  for (const kind of ordered) {
    const actual = actuals.get(kind.kind) as readonly unknown[];
    const desired = kind.desired();
    const matched = new Set<unknown>();
    const kindIds: string[] = [];
    // A kind that states per-item requirements waits only for those; one that does not waits for every change of the kinds it depends on.
    const kindWide = kind.requires ? [] : kind.dependsOn.map((dep) => `${dep}:*`);
    const add = (spec: ChangeSpec, item: unknown) => {
      const name = spec.name ?? kind.identity(item);
      let id = `${kind.kind}:${name}`;
      if (usedIds.has(id)) id = `${id}:${spec.action}`;
      for (let n = 2; usedIds.has(id); n++) id = `${kind.kind}:${name}:${spec.action}${n}`;
      usedIds.add(id);
      kindIds.push(id);
      const key = `${kind.kind}:${kind.identity(item)}`;
      idsByKey.set(key, [...(idsByKey.get(key) ?? []), id]);
      const change: Change = {
        id,
        action: spec.action,
        kind: kind.kind,
        name,
        details: spec.details,
        group: spec.group,
        requires: [],
        run: spec.run,
      };
      changes.push(change);
      pendingRequires.push({ change, wanted: [...kindWide, ...(kind.requires?.(item) ?? []), ...(spec.requires ?? [])] });
      if (spec.attention) attention.push({ kind: kind.kind, name, message: spec.attention, group: spec.group });
    };
    for (const item of desired) {
      const live = kind.match ? kind.match(item, actual) : actual.find((a: unknown) => kind.identity(a) === kind.identity(item));
      if (live !== undefined) matched.add(live);
      for (const outcome of kind.diff(item, live)) {
        if (isChangeSpec(outcome)) add(outcome, item);
        else (outcome.notEmulated ? notEmulated : attention).push({ ...outcome, kind: kind.kind });
      }
    }
    for (const item of actual) {
      if (matched.has(item)) continue;
      const outcome = kind.orphan(item);
      if (!outcome) continue;
      if (isChangeSpec(outcome)) add(outcome, item);
      else (outcome.message.startsWith('!') ? attention : unmanaged).push({ ...outcome, kind: kind.kind, message: outcome.message.replace(/^!\s*/, '') });
    }
    idsByKind.set(kind.kind, kindIds);
  }
  const resolveRequirement = (wanted: string): readonly string[] => {
    if (wanted.endsWith(':*')) return idsByKind.get(wanted.slice(0, -2)) ?? [];
    return idsByKey.get(wanted) ?? (usedIds.has(wanted) ? [wanted] : []);
  };
  for (const { change, wanted } of pendingRequires) {
    (change as { requires: readonly string[] }).requires = [...new Set(wanted.flatMap(resolveRequirement))].filter((id) => id !== change.id);
  }
  return { changes, unmanaged, attention, ...(notEmulated.length > 0 ? { notEmulated } : {}) };
}

/** The plan as the contract's JSON: `{"changes":[{"action","kind","name","details"}], "unmanaged":[…], "attention":[…]}`. */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    changes: plan.changes.map((c) => ({ action: c.action, kind: c.kind, name: c.name, details: c.details })),
    unmanaged: plan.unmanaged.map((f) => ({ kind: f.kind, name: f.name, message: f.message })),
    attention: plan.attention.map((f) => ({ kind: f.kind, name: f.name, message: f.message })),
    ...(plan.notEmulated ? { notEmulated: plan.notEmulated.map((f) => ({ kind: f.kind, name: f.name, message: f.message })) } : {}),
  };
}
