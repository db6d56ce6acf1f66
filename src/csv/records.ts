import { createReadStream, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { toGroundworkError } from '../aws/aws-error.js';
import { mapLimit } from '../engine/concurrency.js';
import { GroundworkError } from '../errors.js';

/** One record of a CSV file: its line and fields. */
export interface ParsedRecord {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Streams a CSV file's records with the line each starts on, fields in `columns` order whatever the file's column
 * order; the header must name exactly those columns. `example` is the sample file the errors point to.
 */
export async function* readRecords(file: string, columns: readonly string[], example: string): AsyncGenerator<ParsedRecord> {
  const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let header: string[] | undefined;
  let previousLines = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number } }>) {
      const line = previousLines + 1 + (info.empty_lines - previousEmpty);
      previousLines = info.lines;
      previousEmpty = info.empty_lines;
      if (!header) {
        header = record.map((h) => h.trim().toLowerCase());
        const missing = columns.filter((c) => !header?.includes(c));
        const unknown = header.filter((h) => !(columns as readonly string[]).includes(h));
        if (missing.length > 0 || unknown.length > 0 || header.length !== columns.length) {
          throw new GroundworkError('USAGE', `${file}:${line}: the header must be ${columns.join(',')}`, {
            details: [...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []), ...(unknown.length > 0 ? [`unknown: ${unknown.join(', ')}`] : [])],
            hint: `fix the first line of the file; see ${example}`,
          });
        }
        continue;
      }
      const order = header;
      // Fields in contract order, whatever the column order of the file.
      const fields = record.length === order.length ? columns.map((c) => record[order.indexOf(c)] ?? '') : record;
      yield { line, fields };
    }
  } catch (error) {
    if (error instanceof GroundworkError) throw error;
    const e = error as { code?: string; lines?: number; message: string };
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GroundworkError('USAGE', `file not found: ${file}`, {
        hint: `pass the path of a CSV file with the columns ${columns.join(',')}`,
      });
    }
    throw new GroundworkError('USAGE', `${file}:${e.lines ?? '?'}: the CSV cannot be read: ${e.message}`, {
      hint: 'check the quoting around that line (RFC 4180: fields with commas or quotes are quoted, quotes doubled)',
    });
  }
  if (!header) throw new GroundworkError('USAGE', `${file} is empty`, { hint: `the first line must be ${columns.join(',')}` });
}

/** Writes the rejected rows, each with a reason column, to FILE.rejected.csv atomically; returns its path. */
export function writeRejected(file: string, columns: readonly string[], rows: readonly string[][]): string {
  const target = `${file}.rejected.csv`;
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSync(temp, stringify([[...columns, 'reason'], ...rows]));
  renameSync(temp, target);
  return target;
}

/**
 * Imports one batch of valid rows, `concurrency` at a time. At the first failure no other row starts; the rows in flight
 * finish, and the import stops with IMPORT_STOPPED, saying what was written before the stop (the counts so far).
 */
export async function importBatch<T>(
  rows: readonly T[],
  concurrency: number,
  importRow: (row: T) => Promise<void>,
  counts: { readonly created: number; readonly updated: number; readonly unchanged: number },
): Promise<void> {
  try {
    await mapLimit(rows, concurrency, importRow);
  } catch (error) {
    throw new GroundworkError('IMPORT_STOPPED', `the import stopped at its first failure: ${toGroundworkError(error).message}`, {
      details: [
        `before the stop: created ${counts.created}, updated ${counts.updated}, unchanged ${counts.unchanged}; rows after the failure were not attempted`,
      ],
      hint: 'fix the cause and import the same file again: rows already imported count as unchanged',
      cause: error,
    });
  }
}
