import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type CostAccount, CostControls } from '../constructs/cost-controls.js';

/** Props of {@link CostControlsStack}. */
export interface CostControlsStackProps extends StackProps {
  readonly accounts: readonly CostAccount[];
  readonly invoiceReceiverAccountId: string;
  readonly alertTopic: sns.ITopic;
}

/** Management account: invoice units, the Environment cost category, and budgets per account. */
export class CostControlsStack extends Stack {
  readonly controls: CostControls;

  constructor(scope: Construct, id: string, props: CostControlsStackProps) {
    super(scope, id, props);
    this.controls = new CostControls(this, 'CostControls', props);
  }
}
