import { isGroundworkError } from '../errors.js';
import { MESSAGES } from './messages.js';

/** Where a command writes; injected so tests can capture it. */
export interface OutputStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Renders command results and progress: human text, or JSON on stdout only. */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly streams: OutputStreams;

  constructor(options: { json: boolean; verbose: boolean }, streams: OutputStreams = process) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.streams = streams;
  }

  /** The command's result: JSON when --json, else the human rendering. */
  result(data: unknown, human: () => string): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else {
      const text = human();
      if (text) this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A GitHub Actions workflow command (`::error …::…`): stdout, where the runner reads it; left out with --json. */
  annotation(line: string): void {
    if (!this.json) this.streams.stdout.write(`${line}\n`);
  }

  /** Progress and notices: always stderr, so stdout stays clean for --json and pipes. */
  progress(message: string): void {
    this.streams.stderr.write(`${message}\n`);
  }

  /** Debug detail shown only with --verbose. */
  debug(message: string): void {
    if (this.verbose) this.streams.stderr.write(`debug: ${message}\n`);
  }

  /** Prints an error: one line, its details, and a hint; the stack only with --verbose. */
  error(error: unknown): void {
    const known = isGroundworkError(error);
    const code = known ? error.code : 'INTERNAL';
    const message = known ? error.message : `${MESSAGES.unexpected}: ${(error as Error)?.message ?? String(error)}`;
    const hint = known ? error.hint : MESSAGES.unexpectedHint;
    const details = known ? error.details : [];
    if (this.json) this.streams.stdout.write(`${JSON.stringify({ error: { code, message, hint, details } }, null, 2)}\n`);
    const lines = [`error: ${message}`, ...details.map((d) => `  ${d}`)];
    if (hint) lines.push(`hint: ${hint}`);
    if (this.verbose) {
      const stack = (error as Error)?.stack;
      if (stack) lines.push(stack);
      const cause = (error as { cause?: Error })?.cause;
      if (cause?.stack) lines.push(`caused by: ${cause.stack}`);
    }
    this.streams.stderr.write(`${lines.join('\n')}\n`);
  }
}
