import { costEstimate } from '../../deploy/cost-estimate.js';
import { placeholderDirectory } from '../../infra/account-directory.js';
import { type CommandContext, configFrom } from '../context.js';
import { renderTable } from '../render-table.js';

const usd = (n: number) => `$${n.toFixed(2)}`;

/** `groundwork cost-estimate`: the fixed monthly cost of every stack and baseline, per account and in total; no AWS call. */
export async function costEstimateCommand(ctx: CommandContext): Promise<void> {
  const config = configFrom(ctx);
  ctx.out.progress('Synthesizing the stacks and reading the StackSet templates (no AWS call)…');
  const estimate = costEstimate(config, placeholderDirectory(config));
  ctx.out.result(estimate, () => {
    const rows = [
      ['ACCOUNT', 'FROM', 'WHAT', 'QTY', 'PER MONTH', 'BASIS'],
      ...estimate.lines.map((l) => [l.account, l.source, l.item, String(l.quantity), usd(l.monthlyUsd), l.basis]),
    ];
    return [
      renderTable(rows, { align: ['left', 'left', 'left', 'right', 'right', 'left'] }),
      '',
      'Per account:',
      renderTable(
        estimate.accounts.map((a) => [a.account, usd(a.monthlyUsd)]),
        { indent: '  ', align: ['left', 'right'] },
      ),
      '',
      `Foundation (without workloads): ${usd(estimate.foundationUsd)} a month`,
      `Workloads (the backend in staging and prod): ${usd(estimate.workloadsUsd)} a month`,
      `Total: ${usd(estimate.totalUsd)} a month, before usage-based charges past the volumes below`,
      '',
      'Assumed volumes:',
      ...estimate.assumptions.map((a) => `  - ${a}`),
      `Prices: on-demand, us-east-1, read ${estimate.prices[0]?.date} (src/cost/price-table.ts lists each with its source)`,
    ].join('\n');
  });
}
