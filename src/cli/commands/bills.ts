import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchMonth } from '../../cost/cost-source.js';
import { STATEMENT_FORMATS, type StatementFormat } from '../../cost/render-statement.js';
import { buildStatements } from '../../cost/statement.js';
import type { CommandContext } from '../context.js';
import { checkMonth, costExplorerError, openCostSession } from '../cost-session.js';
import { renderTable } from '../render-table.js';

/** Options of `groundwork bills`. */
export interface BillsOptions {
  readonly month: string;
  readonly env?: string;
  readonly format: StatementFormat;
  readonly out: string;
  /** Ask Cost Explorer again instead of using cached answers. */
  readonly refresh?: boolean;
}

/** `groundwork bills --month YYYY-MM [--env NAME] [--format html|csv|json] [--out DIR]`: the monthly statement per environment. */
export async function billsCommand(ctx: CommandContext, options: BillsOptions): Promise<void> {
  checkMonth(options.month, ctx.now);
  const { source, environments, session } = await openCostSession(ctx, { env: options.env, refresh: options.refresh });
  let month: Awaited<ReturnType<typeof fetchMonth>>;
  try {
    month = await fetchMonth(source, options.month);
  } catch (error) {
    throw costExplorerError(error, `the statements of ${options.month}`, session.clients.settings.endpoint);
  }
  const { usagePages, adjustmentPages, requests } = month;
  const statements = buildStatements({ month: options.month, usagePages, adjustmentPages, environments, sample: source.sample }).filter(
    (s) => !options.env || s.environment === options.env,
  );

  mkdirSync(options.out, { recursive: true });
  const files = statements.map((s) => {
    const file = join(options.out, `${s.environment}-${s.month}.${options.format}`);
    writeFileSync(`${file}.tmp`, STATEMENT_FORMATS[options.format].render(s));
    renameSync(`${file}.tmp`, file);
    return { environment: s.environment, file, total: s.total, currency: s.currency, lines: s.lines.length };
  });
  ctx.out.result({ month: options.month, sample: source.sample, costExplorerRequests: requests, statements: files }, () =>
    [
      `${source.sample ? 'SAMPLE DATA — ' : ''}Statements for ${options.month} (${requests} Cost Explorer request${requests === 1 ? '' : 's'}${source.sample ? ', simulated' : ''}):`,
      renderTable(
        files.map((f) => [f.environment, f.currency, f.total, `${f.lines} line(s)`, f.file]),
        { align: ['left', 'left', 'right'], indent: '  ' },
      ),
    ].join('\n'),
  );
}
