import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One change made through the console: who, what, when, and how it ended. */
export interface ConsoleChange {
  readonly at: string;
  readonly who: string;
  readonly action: string;
  readonly target: Record<string, string>;
  readonly result: 'changed' | 'unchanged' | 'failed';
  /** What the change did, in words: "removed from 2 group(s)". */
  readonly summary?: string;
  readonly error?: string;
  readonly requestId: string;
}

/** Where changes are recorded: newest first in memory, and one JSON line each in a file when one is given. */
export class ChangeLog {
  private readonly entries: ConsoleChange[] = [];

  constructor(private readonly file?: string) {}

  record(change: ConsoleChange): void {
    this.entries.unshift(change);
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${JSON.stringify(change)}\n`);
    }
  }

  list(limit = 100): readonly ConsoleChange[] {
    return this.entries.slice(0, limit);
  }
}
