import { decimalToCents, formatCents } from './money.js';

/** The parts of a Cost Explorer GetCostAndUsage page Groundwork uses. */
export interface CostExplorerPage {
  readonly ResultsByTime?: readonly {
    readonly TimePeriod?: { readonly Start?: string; readonly End?: string };
    readonly Groups?: readonly { readonly Keys?: readonly string[]; readonly Metrics?: Record<string, { readonly Amount?: string; readonly Unit?: string }> }[];
    /** Set instead of groups when the query has no GroupBy. */
    readonly Total?: Record<string, { readonly Amount?: string; readonly Unit?: string }>;
    /** True while the period's figures may still change. */
    readonly Estimated?: boolean;
  }[];
  readonly NextPageToken?: string;
}

/** One line of a statement. */
export interface StatementLine {
  /** Service name, or "Credits" / "Refunds". */
  readonly description: string;
  readonly kind: 'usage' | 'credit' | 'refund';
  readonly amountCents: number;
  readonly amount: string;
  readonly usageQuantity?: string;
  readonly usageUnit?: string;
}

/** The monthly statement of one environment, itemized by service. */
export interface Statement {
  readonly environment: string;
  /** YYYY-MM. */
  readonly month: string;
  readonly currency: string;
  readonly accountIds: readonly string[];
  readonly lines: readonly StatementLine[];
  /** Always the sum of the lines, to the cent. */
  readonly totalCents: number;
  readonly total: string;
  /** True when the figures are generated sample data (the sandbox), not AWS billing data. */
  readonly sample: boolean;
}

/** Inputs of {@link buildStatements}. */
export interface StatementInputs {
  readonly month: string;
  /** Pages of the usage query: GroupBy LINKED_ACCOUNT, SERVICE; RECORD_TYPE not Credit or Refund. */
  readonly usagePages: readonly CostExplorerPage[];
  /** Pages of the adjustments query: GroupBy LINKED_ACCOUNT, RECORD_TYPE; RECORD_TYPE Credit or Refund. */
  readonly adjustmentPages: readonly CostExplorerPage[];
  /** Account ID → environment; every environment gets a statement, even with no usage. */
  readonly environments: ReadonlyMap<string, string>;
  readonly sample: boolean;
}

/** Builds one statement per environment from the two grouped Cost Explorer queries of a month. */
export function buildStatements(inputs: StatementInputs): Statement[] {
  const currencies = new Set<string>();
  const byEnvironment = new Map<string, Map<string, { cents: number; quantity: number; unit?: string; kind: StatementLine['kind'] }>>();
  for (const environment of new Set(inputs.environments.values())) byEnvironment.set(environment, new Map());
  const add = (
    accountId: string,
    description: string,
    kind: StatementLine['kind'],
    amount?: { Amount?: string; Unit?: string },
    usage?: { Amount?: string; Unit?: string },
  ) => {
    const environment = inputs.environments.get(accountId);
    if (!environment || !amount?.Amount) return;
    if (amount.Unit) currencies.add(amount.Unit);
    const lines = byEnvironment.get(environment) as Map<string, { cents: number; quantity: number; unit?: string; kind: StatementLine['kind'] }>;
    const line = lines.get(description) ?? { cents: 0, quantity: 0, unit: usage?.Unit, kind };
    line.cents += decimalToCents(amount.Amount);
    line.quantity += Number(usage?.Amount ?? 0);
    lines.set(description, line);
  };
  for (const page of inputs.usagePages) {
    for (const result of page.ResultsByTime ?? []) {
      for (const group of result.Groups ?? []) {
        const [accountId = '', service = 'Unknown service'] = group.Keys ?? [];
        add(accountId, service, 'usage', group.Metrics?.UnblendedCost, group.Metrics?.UsageQuantity);
      }
    }
  }
  for (const page of inputs.adjustmentPages) {
    for (const result of page.ResultsByTime ?? []) {
      for (const group of result.Groups ?? []) {
        const [accountId = '', recordType = ''] = group.Keys ?? [];
        const kind = recordType === 'Refund' ? 'refund' : 'credit';
        add(accountId, kind === 'refund' ? 'Refunds' : 'Credits', kind, group.Metrics?.UnblendedCost);
      }
    }
  }
  if (currencies.size > 1) throw new Error(`Cost Explorer returned several currencies (${[...currencies].join(', ')}); a statement has one`);
  const currency = [...currencies][0] ?? 'USD';
  return [...byEnvironment].map(([environment, lines]) => {
    const usage = [...lines]
      .filter(([, l]) => l.kind === 'usage' && (l.cents !== 0 || l.quantity > 0))
      .sort((a, b) => b[1].cents - a[1].cents || a[0].localeCompare(b[0]));
    const adjustments = [...lines].filter(([, l]) => l.kind !== 'usage' && l.cents !== 0);
    const statementLines: StatementLine[] = [...usage, ...adjustments].map(([description, l]) => ({
      description,
      kind: l.kind,
      amountCents: l.cents,
      amount: formatCents(l.cents),
      ...(l.kind === 'usage' && l.unit ? { usageQuantity: l.quantity.toFixed(2), usageUnit: l.unit } : {}),
    }));
    const totalCents = statementLines.reduce((sum, l) => sum + l.amountCents, 0);
    return {
      environment,
      month: inputs.month,
      currency,
      accountIds: [...inputs.environments].filter(([, env]) => env === environment).map(([id]) => id),
      lines: statementLines,
      totalCents,
      total: formatCents(totalCents),
      sample: inputs.sample,
    };
  });
}
