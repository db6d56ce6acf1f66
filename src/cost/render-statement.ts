import { stringify } from 'csv-stringify/sync';
import type { Statement } from './statement.js';

const SAMPLE_NOTE = 'SAMPLE DATA: generated figures for the sandbox, not AWS billing data.';

/** The statement as CSV: one row per line, then the total; sample data says so in its first row. */
export function statementToCsv(statement: Statement): string {
  const rows = [
    ...(statement.sample ? [[SAMPLE_NOTE]] : []),
    ['environment', 'month', 'description', 'kind', 'usage_quantity', 'usage_unit', `amount_${statement.currency}`],
    ...statement.lines.map((l) => [statement.environment, statement.month, l.description, l.kind, l.usageQuantity ?? '', l.usageUnit ?? '', l.amount]),
    [statement.environment, statement.month, 'Total', 'total', '', '', statement.total],
  ];
  // RFC 4180 quoting (commas, quotes, CR and LF in a field) by csv-stringify, as users import writes its rejects.
  return stringify(rows);
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The statement as a standalone HTML page. */
export function statementToHtml(statement: Statement): string {
  const rows = statement.lines
    .map(
      (l) =>
        `<tr class="${l.kind}"><td>${escapeHtml(l.description)}</td><td class="num">${l.usageQuantity ? `${escapeHtml(l.usageQuantity)} ${escapeHtml(l.usageUnit ?? '')}` : ''}</td><td class="num">${escapeHtml(l.amount)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(statement.environment)} statement, ${escapeHtml(statement.month)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}td,th{padding:.4rem .6rem;border-bottom:1px solid #ddd;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}.credit,.refund{color:#0a6}.sample{background:#fff3cd;border:1px solid #e0b800;padding:.6rem;font-weight:600}tfoot td{font-weight:700}</style>
</head>
<body>
${statement.sample ? `<p class="sample">${SAMPLE_NOTE}</p>\n` : ''}<h1>Statement: ${escapeHtml(statement.environment)}, ${escapeHtml(statement.month)}</h1>
<p>Accounts: ${statement.accountIds.map(escapeHtml).join(', ') || 'none'} · Currency: ${escapeHtml(statement.currency)}</p>
<table>
<thead><tr><th>Service</th><th class="num">Usage</th><th class="num">Amount (${escapeHtml(statement.currency)})</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="3">No usage this month.</td></tr>'}
</tbody>
<tfoot><tr><td>Total</td><td></td><td class="num">${escapeHtml(statement.total)}</td></tr></tfoot>
</table>
</body>
</html>
`;
}

/** The statement as JSON, with a `note` when it is sample data. */
export function statementToJson(statement: Statement): string {
  return `${JSON.stringify({ ...statement, note: statement.sample ? 'SAMPLE DATA' : undefined }, null, 2)}\n`;
}

/** Every format a statement is written in: its content type and renderer. */
export const STATEMENT_FORMATS = {
  html: { contentType: 'text/html; charset=utf-8', render: statementToHtml },
  csv: { contentType: 'text/csv; charset=utf-8', render: statementToCsv },
  json: { contentType: 'application/json', render: statementToJson },
} as const satisfies Record<string, { contentType: string; render: (s: Statement) => string }>;

/** A statement format's name. */
export type StatementFormat = keyof typeof STATEMENT_FORMATS;
