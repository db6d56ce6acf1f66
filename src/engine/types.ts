/** What a change does; the contract's `action` values. */
export type ChangeAction = 'create' | 'update' | 'move' | 'delete';

/** One step of a plan. */
export interface Change {
  /** `kind:name`, unique in a plan. */
  readonly id: string;
  readonly action: ChangeAction;
  readonly kind: string;
  readonly name: string;
  readonly details: Record<string, unknown>;
  /** Where the change shows in the human plan: an OU name, `Root` or `Organization`. */
  readonly group: string;
  /** Ids of changes (in this plan) that must finish first. */
  readonly requires: readonly string[];
  /** Performs the change; receives a progress callback for long operations. */
  readonly run: (progress: (message: string) => void) => Promise<void>;
}

/** Something the plan reports without changing it. */
export interface Finding {
  readonly kind: string;
  readonly name: string;
  readonly message: string;
  readonly group: string;
  /**
   * Set on what the sandbox's emulator cannot do: the message says what AWS would do. Reported apart, never as a
   * change or as needing attention.
   */
  readonly notEmulated?: boolean;
}

/** The full result of planning. */
export interface Plan {
  readonly changes: readonly Change[];
  /** Live resources the config does not declare: left alone. */
  readonly unmanaged: readonly Finding[];
  /** Things that need a person: shown with `!`. */
  readonly attention: readonly Finding[];
  /** In the sandbox, what the emulator cannot show, each with what AWS would do. */
  readonly notEmulated?: readonly Finding[];
}

/** Typed progress events; the CLI renders them, tests collect them. */
export type ProgressEvent =
  | { readonly type: 'read'; readonly kind: string; readonly count: number }
  | { readonly type: 'start'; readonly change: Change }
  | { readonly type: 'progress'; readonly change: Change; readonly message: string }
  | { readonly type: 'retry'; readonly change?: Change; readonly operation: string; readonly attempt: number; readonly delayMs: number; readonly error: string }
  | { readonly type: 'done'; readonly change: Change; readonly ms: number }
  | { readonly type: 'failed'; readonly change: Change; readonly error: string }
  | { readonly type: 'skipped'; readonly change: Change; readonly because: string };

export type ProgressListener = (event: ProgressEvent) => void;

/**
 * A kind of resource the engine manages. Desired items come from the config, actual items from AWS;
 * both are matched by identity (a name, never a random ID).
 */
export interface ResourceKind<Desired, Actual> {
  readonly kind: string;
  /**
   * Kinds read (and diffed) before this one. Unless the kind states `requires`, every change of these kinds must also
   * finish before any change of this kind starts.
   */
  readonly dependsOn: readonly string[];
  /** Reads live state: paginated, with bounded concurrency. */
  read(): Promise<readonly Actual[]>;
  desired(): readonly Desired[];
  identity(item: Desired | Actual): string;
  /** Finds the live item for a desired one; the default matches identities. Accounts also match by e-mail. */
  match?(desired: Desired, actual: readonly Actual[]): Actual | undefined;
  /** The changes needed to make `actual` look like `desired` (none when they agree), and findings that need a person. */
  diff(desired: Desired, actual: Actual | undefined): readonly (ChangeSpec | Omit<Finding, 'kind'>)[];
  /** What to do with a live item that no desired item matched: a change (delete), a finding, or nothing. */
  orphan(actual: Actual): ChangeSpec | Omit<Finding, 'kind'> | undefined;
  /**
   * What a change for this item waits for, per item: `kind:identity` (every change of that item) or `kind:*` (every
   * change of a kind). A kind that states this waits for nothing else, so one failed item blocks only what needs it.
   */
  requires?(item: Desired | Actual): readonly string[];
}

/** A change as a kind describes it; the engine adds id, kind and ordering. */
export interface ChangeSpec {
  readonly action: ChangeAction;
  readonly name?: string;
  readonly details: Record<string, unknown>;
  readonly group: string;
  readonly run: (progress: (message: string) => void) => Promise<void>;
  /** Extra requirements beyond the kind's own, in the same form (or exact change ids). */
  readonly requires?: readonly string[];
  /** Set on an orphan to report it as needing attention in addition to the change. */
  readonly attention?: string;
}
