import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StatementGenerator, type StatementGeneratorProps } from '../constructs/statement-generator.js';

/** Props of {@link CostStatementsStack}: the stack's own and those of its {@link StatementGenerator}. */
export interface CostStatementsStackProps extends StackProps, StatementGeneratorProps {}

/** Management account: the monthly statement generator, its schedule and its encrypted bucket. */
export class CostStatementsStack extends Stack {
  readonly generator: StatementGenerator;

  constructor(scope: Construct, id: string, props: CostStatementsStackProps) {
    super(scope, id, props);
    this.generator = new StatementGenerator(this, 'StatementGenerator', props);
  }
}
