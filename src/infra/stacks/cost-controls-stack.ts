import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type CostAccount, CostControls, type CostControlsProps } from '../constructs/cost-controls.js';

/** Props of {@link CostControlsStack}: the stack's own and those of its {@link CostControls}. */
export interface CostControlsStackProps extends StackProps, CostControlsProps {}

/** Management account: invoice units, the Environment cost category, and budgets per account. */
export class CostControlsStack extends Stack {
  readonly controls: CostControls;

  constructor(scope: Construct, id: string, props: CostControlsStackProps) {
    super(scope, id, props);
    this.controls = new CostControls(this, 'CostControls', props);
  }
}

/** CloudFormation allows 500 resources per stack; cost stacks stay well below it. */
export const COST_RESOURCES_PER_STACK = 400;

/** Splits invoice units and budgets into stack-sized parts: each part lists the environments and accounts it creates. */
export function costStackParts(accounts: readonly CostAccount[], perStack = COST_RESOURCES_PER_STACK): { environments: string[]; accounts: string[] }[] {
  const environments = [...new Set(accounts.map((a) => a.environment))];
  const items: ({ kind: 'unit'; name: string } | { kind: 'budget'; name: string })[] = [
    ...environments.map((name) => ({ kind: 'unit' as const, name })),
    ...accounts.map((a) => ({ kind: 'budget' as const, name: a.name })),
  ];
  const parts: { environments: string[]; accounts: string[] }[] = [];
  // The first part also holds the cost category.
  for (let i = 0; i < items.length; i += perStack - (i === 0 ? 1 : 0)) {
    const slice = items.slice(i, i + perStack - (i === 0 ? 1 : 0));
    parts.push({
      environments: slice.filter((x) => x.kind === 'unit').map((x) => x.name),
      accounts: slice.filter((x) => x.kind === 'budget').map((x) => x.name),
    });
  }
  return parts;
}
