import { elapsedMs } from '../clock.js';
import type { ProgressEvent } from '../engine/types.js';
import type { Output } from './output.js';

/** A progress listener that prints `[n/total]` lines for apply: starts, retries, waits, results. */
export function progressPrinter(out: Output, total: number): (event: ProgressEvent) => void {
  let finished = 0;
  const lastWait = new Map<string, number>();
  return (event) => {
    switch (event.type) {
      case 'start':
        out.debug(`start ${event.change.id}`);
        break;
      case 'progress': {
        // Waits repeat every poll; show one line per 10 seconds per change.
        const now = elapsedMs();
        if (event.message.startsWith('creating…') && now - (lastWait.get(event.change.id) ?? Number.NEGATIVE_INFINITY) < 10_000) break;
        lastWait.set(event.change.id, now);
        out.progress(`        ${event.change.kind} ${event.change.name}: ${event.message}`);
        break;
      }
      case 'done':
        finished++;
        out.progress(`[${finished}/${total}] ✓ ${event.change.action} ${event.change.kind} ${event.change.name} (${(event.ms / 1000).toFixed(1)} s)`);
        break;
      case 'failed':
        finished++;
        out.progress(`[${finished}/${total}] ✗ ${event.change.action} ${event.change.kind} ${event.change.name}: ${event.error}`);
        break;
      case 'skipped':
        finished++;
        out.progress(`[${finished}/${total}] - skipped ${event.change.kind} ${event.change.name} (${event.because})`);
        break;
      default:
        break;
    }
  };
}
