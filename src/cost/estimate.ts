import { ASSUMPTIONS, HOURS_PER_MONTH, PRICES } from './price-table.js';

/** A CloudFormation template as the estimate reads it. */
export interface EstimateTemplate {
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
}

/** One template deployed into one account: a management stack, or a StackSet's instance with its parameters. */
export interface EstimateInput {
  readonly account: string;
  /** The stack or StackSet name. */
  readonly name: string;
  readonly template: EstimateTemplate;
  readonly parameters?: Readonly<Record<string, string>>;
  /** A workload (the backend's ECS service), counted apart from the foundation. */
  readonly workload?: boolean;
}

/** One priced line. */
export interface EstimateLine {
  readonly account: string;
  readonly source: string;
  readonly item: string;
  readonly quantity: number;
  readonly monthlyUsd: number;
  readonly basis: string;
  readonly workload: boolean;
}

/** The estimate: lines, per-account totals, the foundation and workload totals, and what was assumed. */
export interface Estimate {
  readonly lines: readonly EstimateLine[];
  readonly accounts: readonly { account: string; monthlyUsd: number }[];
  readonly foundationUsd: number;
  readonly workloadsUsd: number;
  readonly totalUsd: number;
  readonly assumptions: readonly string[];
  readonly prices: readonly { item: string; usd: number; unit: string; date: string; source: string }[];
}

const round = (usd: number) => Math.round(usd * 100) / 100;

/** Evaluates the parts of CloudFormation the estimate needs: Ref to parameters, Fn::If, Fn::Equals/Not/And/Or, conditions. */
function evaluator(template: EstimateTemplate, given: Readonly<Record<string, string>>) {
  const param = (name: string): unknown => given[name] ?? template.Parameters?.[name]?.Default;
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) conditions.set(name, truthy(value(template.Conditions?.[name])));
    return conditions.get(name) as boolean;
  };
  const truthy = (v: unknown) => v === true || v === 'true';
  const value = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(value);
    if (!node || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [key, arg] = entries[0] ?? [];
    const nested = () => Object.fromEntries(entries.map(([k, v]) => [k, value(v)]));
    if (entries.length !== 1 || key === undefined) return nested();
    switch (key) {
      case 'Ref':
        return param(String(arg)) ?? node;
      case 'Condition':
        return condition(String(arg));
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map(value);
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !truthy(value((arg as unknown[])[0]));
      case 'Fn::And':
        return (arg as unknown[]).every((c) => truthy(value(c)));
      case 'Fn::Or':
        return (arg as unknown[]).some((c) => truthy(value(c)));
      case 'Fn::If': {
        const [name, then, otherwise] = arg as [string, unknown, unknown];
        return value(condition(name) ? then : otherwise);
      }
      default:
        return nested();
    }
  };
  return { value, condition };
}

/** Resources priced per resource at a fixed monthly figure (a price, or a price at a stated volume). */
const FLAT_PRICES: readonly { type: string; label: string; monthlyUsd: number; basis: string }[] = [
  { type: 'AWS::KMS::Key', label: 'KMS keys', monthlyUsd: PRICES.kmsKey.usd, basis: `$${PRICES.kmsKey.usd} ${PRICES.kmsKey.unit}` },
  {
    type: 'AWS::Logs::LogGroup',
    label: 'CloudWatch Logs ingestion',
    monthlyUsd: ASSUMPTIONS.logGbPerGroup.value * PRICES.logsIngestionGb.usd,
    basis: `${ASSUMPTIONS.logGbPerGroup.text} × $${PRICES.logsIngestionGb.usd}`,
  },
  { type: 'AWS::CloudTrail::Trail', label: 'CloudTrail organization trail', monthlyUsd: 0, basis: PRICES.cloudTrailManagementEvents.unit },
  {
    type: 'AWS::S3::Bucket',
    label: 'S3 storage',
    monthlyUsd: ASSUMPTIONS.s3GbPerBucket.value * PRICES.s3GbMonth.usd,
    basis: `${ASSUMPTIONS.s3GbPerBucket.text} × $${PRICES.s3GbMonth.usd}`,
  },
  {
    type: 'AWS::ECR::Repository',
    label: 'ECR storage',
    monthlyUsd: ASSUMPTIONS.ecrGbPerRepository.value * PRICES.ecrGbMonth.usd,
    basis: `${ASSUMPTIONS.ecrGbPerRepository.text} × $${PRICES.ecrGbMonth.usd}`,
  },
  {
    type: 'AWS::Cognito::UserPool',
    label: 'Cognito monthly active users',
    monthlyUsd: Math.max(0, ASSUMPTIONS.cognitoMau.value - 10_000) * PRICES.cognitoMau.usd,
    basis: ASSUMPTIONS.cognitoMau.text,
  },
  { type: 'AWS::CloudWatch::Alarm', label: 'CloudWatch alarms', monthlyUsd: PRICES.alarm.usd, basis: `$${PRICES.alarm.usd} ${PRICES.alarm.unit}` },
  {
    type: 'AWS::CloudWatch::CompositeAlarm',
    label: 'CloudWatch composite alarms',
    monthlyUsd: PRICES.compositeAlarm.usd,
    basis: `$${PRICES.compositeAlarm.usd} ${PRICES.compositeAlarm.unit}`,
  },
];

const num = (v: unknown, fallback: number) => (Number.isFinite(Number(v)) ? Number(v) : fallback);

/**
 * Adds up the fixed monthly cost of every resource in the templates, per account, from the dated price table.
 * Conditions are evaluated with each deployment's parameters, so a resource the template leaves out is not counted.
 */
export function estimateMonthlyCost(inputs: readonly EstimateInput[]): Estimate {
  const lines: EstimateLine[] = [];
  const add = (input: EstimateInput, item: string, quantity: number, monthlyUsd: number, basis: string) => {
    if (quantity > 0)
      lines.push({ account: input.account, source: input.name, item, quantity, monthlyUsd: round(monthlyUsd), basis, workload: input.workload ?? false });
  };
  let budgets = 0;
  let budgetActions = 0;
  const budgetOwner = inputs.find((i) => Object.values(i.template.Resources ?? {}).some((r) => r.Type === 'AWS::Budgets::Budget'));

  for (const input of inputs) {
    const { value, condition } = evaluator(input.template, input.parameters ?? {});
    const resources = Object.values(input.template.Resources ?? {}).filter((r) => !r.Condition || condition(r.Condition));
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    const props = (r: { Properties?: Record<string, unknown> }) => (value(r.Properties ?? {}) ?? {}) as Record<string, unknown>;

    for (const flat of FLAT_PRICES) {
      const n = count(flat.type);
      add(input, flat.label, n, n * flat.monthlyUsd, flat.basis);
    }

    for (const lb of resources.filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      const p = props(lb);
      const hours = HOURS_PER_MONTH * (PRICES.albHour.usd + ASSUMPTIONS.albLcu.value * PRICES.albLcuHour.usd);
      add(
        input,
        'Application Load Balancer',
        1,
        hours,
        `${HOURS_PER_MONTH} h × ($${PRICES.albHour.usd} + ${ASSUMPTIONS.albLcu.value} LCU × $${PRICES.albLcuHour.usd})`,
      );
      if (p.Scheme !== 'internal') {
        const ips = Array.isArray(p.Subnets) ? p.Subnets.length : 2;
        add(
          input,
          'public IPv4 (load balancer, one per AZ)',
          ips,
          ips * HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd,
          `${ips} × ${HOURS_PER_MONTH} h × $${PRICES.publicIpv4Hour.usd}`,
        );
      }
    }

    const taskDefinitions = resources.filter((r) => r.Type === 'AWS::ECS::TaskDefinition').map(props);
    for (const service of resources.filter((r) => r.Type === 'AWS::ECS::Service')) {
      const p = props(service);
      const tasks = num(p.DesiredCount, 1);
      const td = taskDefinitions[0] ?? {};
      const vcpu = num(td.Cpu, 256) / 1024;
      const gb = num(td.Memory, 512) / 1024;
      const perTask = HOURS_PER_MONTH * (vcpu * PRICES.fargateVcpuHour.usd + gb * PRICES.fargateGbHour.usd);
      add(
        input,
        `Fargate tasks (${vcpu} vCPU, ${gb} GB)`,
        tasks,
        tasks * perTask,
        `${tasks} × ${HOURS_PER_MONTH} h × (${vcpu} × $${PRICES.fargateVcpuHour.usd} + ${gb} × $${PRICES.fargateGbHour.usd})`,
      );
      const network = (p.NetworkConfiguration as { AwsvpcConfiguration?: { AssignPublicIp?: unknown } } | undefined)?.AwsvpcConfiguration;
      if (network?.AssignPublicIp === 'ENABLED') {
        add(
          input,
          'public IPv4 (one per task)',
          tasks,
          tasks * HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd,
          `${tasks} × ${HOURS_PER_MONTH} h × $${PRICES.publicIpv4Hour.usd}`,
        );
      }
    }

    const nats = count('AWS::EC2::NatGateway');
    add(input, 'NAT gateways', nats, nats * HOURS_PER_MONTH * PRICES.natGatewayHour.usd, `${HOURS_PER_MONTH} h × $${PRICES.natGatewayHour.usd}`);
    const endpointAzs = resources
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map(props)
      .filter((p) => p.VpcEndpointType === 'Interface')
      .reduce((sum, p) => sum + (Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1), 0);
    add(
      input,
      'interface VPC endpoints (per AZ)',
      endpointAzs,
      endpointAzs * HOURS_PER_MONTH * PRICES.interfaceEndpointHour.usd,
      `${HOURS_PER_MONTH} h × $${PRICES.interfaceEndpointHour.usd}`,
    );

    budgets += count('AWS::Budgets::Budget');
    budgetActions += count('AWS::Budgets::BudgetsAction');
  }

  if (budgetOwner) {
    const paid = Math.max(0, budgets - 2);
    add(budgetOwner, 'AWS Budgets', budgets, paid * 30.4 * PRICES.budgetDay.usd, `${paid} past the 2 free × 30.4 days × $${PRICES.budgetDay.usd}`);
    const paidActions = Math.max(0, budgetActions - 2);
    add(
      budgetOwner,
      'budget actions',
      budgetActions,
      paidActions * 30.4 * PRICES.budgetActionDay.usd,
      `${paidActions} past the 2 free × 30.4 days × $${PRICES.budgetActionDay.usd}`,
    );
    add(
      budgetOwner,
      'Cost Explorer API requests',
      ASSUMPTIONS.costExplorerRequests.value,
      ASSUMPTIONS.costExplorerRequests.value * PRICES.costExplorerRequest.usd,
      ASSUMPTIONS.costExplorerRequests.text,
    );
  }

  const byAccount = new Map<string, number>();
  for (const l of lines) byAccount.set(l.account, (byAccount.get(l.account) ?? 0) + l.monthlyUsd);
  const sum = (ls: readonly EstimateLine[]) => round(ls.reduce((s, l) => s + l.monthlyUsd, 0));
  const foundationUsd = sum(lines.filter((l) => !l.workload));
  const workloadsUsd = sum(lines.filter((l) => l.workload));
  return {
    lines,
    accounts: [...byAccount].map(([account, usd]) => ({ account, monthlyUsd: round(usd) })),
    foundationUsd,
    workloadsUsd,
    totalUsd: round(foundationUsd + workloadsUsd),
    assumptions: Object.values(ASSUMPTIONS).map((a) => a.text),
    prices: Object.values(PRICES),
  };
}
