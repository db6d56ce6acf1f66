import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
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
    new CfnOutput(this, 'StatementsBucket', {
      value: this.generator.bucket.bucketName,
      description: 'Where statements/YYYY-MM/<environment>.{html,csv,json} are written',
    });
    new CfnOutput(this, 'StatementGeneratorFunction', {
      value: this.generator.function.functionName,
      description: 'Invoke with {"month":"YYYY-MM"} to write a month again',
    });
  }
}
