import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean } from '../../config/suggest.js';
import { costExplorerSource, fetchMonth, sampleCostSource } from '../../cost/cost-source.js';
import { statementToCsv, statementToHtml } from '../../cost/render-statement.js';
import { buildStatements, type Statement } from '../../cost/statement.js';
import { GroundworkError } from '../../errors.js';
import { readAccounts } from '../../org/kinds/account-kind.js';
import { environmentsByAccountId, readOrganizationBasics } from '../../org/read-organization.js';
import { type CommandContext, resolveTarget } from '../context.js';
import { openOrgSession } from '../org-session.js';

/** Options of `groundwork bills`. */
export interface BillsOptions {
  readonly month: string;
  readonly env?: string;
  readonly format: 'html' | 'csv' | 'json';
  readonly out: string;
}

/** Checks `YYYY-MM` and that the month has begun. */
export function checkMonth(month: string, now = new Date()): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    throw new GroundworkError('USAGE', `"${month}" is not a month`, { hint: 'use YYYY-MM with a month from 01 to 12, e.g. --month 2026-10' });
  }
  const current = now.toISOString().slice(0, 7);
  if (month > current)
    throw new GroundworkError('USAGE', `${month} is in the future; the latest month with costs is ${current}`, { hint: `use --month ${current} or earlier` });
}

/** `groundwork bills --month YYYY-MM [--env NAME] [--format html|csv|json] [--out DIR]`: the monthly statement per environment. */
export async function billsCommand(ctx: CommandContext, options: BillsOptions): Promise<void> {
  checkMonth(options.month);
  const session = await openOrgSession(ctx);
  const { config, org } = session;
  const environments = [config.organization.managementAccount.environment, ...config.organization.accounts.map((a) => a.environment)];
  if (options.env && !environments.includes(options.env)) {
    throw new GroundworkError('USAGE', `unknown environment "${options.env}"`, { hint: didYouMean(options.env, environments) });
  }
  if (await readOrganizationBasics(org)) await readAccounts(org);
  const byAccount = environmentsByAccountId(config, org.registry);
  if (byAccount.size === 0) throw new GroundworkError('USAGE', 'the organization has no accounts yet', { hint: 'run groundwork apply first' });
  const sandbox = resolveTarget(ctx) === 'sandbox';
  const source = sandbox ? sampleCostSource([...byAccount].map(([id, environment]) => ({ id, environment }))) : costExplorerSource(session.clients);
  if (source.sample) ctx.out.progress('note: the sandbox has no AWS billing data; these statements are generated SAMPLE DATA');
  const { usagePages, adjustmentPages, requests } = await fetchMonth(source, options.month);
  const statements = buildStatements({ month: options.month, usagePages, adjustmentPages, environments: byAccount, sample: source.sample }).filter(
    (s) => !options.env || s.environment === options.env,
  );

  mkdirSync(options.out, { recursive: true });
  const render = (s: Statement) =>
    options.format === 'html'
      ? statementToHtml(s)
      : options.format === 'csv'
        ? statementToCsv(s)
        : `${JSON.stringify({ ...s, note: s.sample ? 'SAMPLE DATA' : undefined }, null, 2)}\n`;
  const files = statements.map((s) => {
    const file = join(options.out, `${s.environment}-${s.month}.${options.format}`);
    writeFileSync(`${file}.tmp`, render(s));
    renameSync(`${file}.tmp`, file);
    return { environment: s.environment, file, total: s.total, currency: s.currency, lines: s.lines.length };
  });
  ctx.out.result({ month: options.month, sample: source.sample, costExplorerRequests: requests, statements: files }, () =>
    [
      `${source.sample ? 'SAMPLE DATA — ' : ''}Statements for ${options.month} (${requests} Cost Explorer request${requests === 1 ? '' : 's'}${source.sample ? ', simulated' : ''}):`,
      ...files.map((f) => `  ${f.environment.padEnd(12)} ${f.currency} ${f.total.padStart(12)}  ${f.lines} line(s)  ${f.file}`),
    ].join('\n'),
  );
}
