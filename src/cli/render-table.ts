/** How a column is aligned: text left, amounts right. */
export type ColumnAlign = 'left' | 'right';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Alignment per column. @default every column left */
  readonly align?: readonly ColumnAlign[];
  /** Put before every line (for tables nested under a heading). @default '' */
  readonly indent?: string;
  /** Columns that are not padded (a long last column such as a URL or a list). @default the last column */
  readonly unpadded?: readonly number[];
}

/**
 * The one way the CLI prints a table: columns two spaces apart, each as wide as its widest cell, no trailing spaces.
 * `--json` never goes through it, so tables can change without breaking scripts.
 */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const unpadded = new Set(options.unpadded ?? [columns - 1]);
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const pad = (cell: string, i: number) => {
    if (unpadded.has(i) && options.align?.[i] !== 'right') return cell;
    const gap = ' '.repeat((widths[i] ?? 0) - [...cell].length);
    return options.align?.[i] === 'right' ? gap + cell : cell + gap;
  };
  return rows.map((r) => `${options.indent ?? ''}${r.map((cell, i) => pad(cell, i)).join('  ')}`.trimEnd()).join('\n');
}
