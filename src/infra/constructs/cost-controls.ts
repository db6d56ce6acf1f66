import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as invoicing from 'aws-cdk-lib/aws-invoicing';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** One account as the cost controls see it. */
export interface CostAccount {
  readonly name: string;
  readonly accountId: string;
  readonly environment: string;
  readonly monthlyBudgetUsd: number;
}

/** Props of {@link CostControls}. */
export interface CostControlsProps {
  readonly accounts: readonly CostAccount[];
  /** Account ID that receives every invoice unit. */
  readonly invoiceReceiverAccountId: string;
  /** Where budget alerts go (the encrypted operator topic). */
  readonly alertTopic: sns.ITopic;
  /**
   * Environments whose invoice units this construct creates (a large organization spreads them over several stacks).
   * @default every environment of `accounts`
   */
  readonly invoiceUnitEnvironments?: readonly string[];
  /**
   * Accounts whose budgets this construct creates.
   * @default every account of `accounts`
   */
  readonly budgetAccounts?: readonly string[];
  /**
   * Whether this construct creates the Environment cost category (one per organization).
   * @default true
   */
  readonly costCategory?: boolean;
  /**
   * Alert thresholds on actual spend, in percent of the budget.
   * @default [80, 100]
   */
  readonly actualThresholdsPercent?: readonly number[];
  /**
   * Alert threshold on forecast spend, in percent of the budget.
   * @default 100
   */
  readonly forecastThresholdPercent?: number;
}

/** A separate invoice per environment (invoice units), the Environment cost category, and a monthly budget per account with alerts. */
export class CostControls extends Construct {
  readonly invoiceUnits: invoicing.CfnInvoiceUnit[] = [];
  readonly budgets: budgets.CfnBudget[] = [];
  readonly costCategory?: ce.CfnCostCategory;

  constructor(scope: Construct, id: string, props: CostControlsProps) {
    super(scope, id);
    if (props.accounts.length === 0) throw new Error('CostControls: accounts is empty; pass every account of the organization');
    for (const account of props.accounts) {
      if (!(account.monthlyBudgetUsd > 0)) {
        throw new Error(`CostControls: account "${account.name}" has a monthly budget of ${account.monthlyBudgetUsd} USD; budgets must be more than 0`);
      }
    }
    const byEnvironment = new Map<string, string[]>();
    for (const account of props.accounts) byEnvironment.set(account.environment, [...(byEnvironment.get(account.environment) ?? []), account.accountId]);

    const unitEnvironments = new Set(props.invoiceUnitEnvironments ?? byEnvironment.keys());
    for (const [environment, accountIds] of byEnvironment) {
      if (!unitEnvironments.has(environment)) continue;
      this.invoiceUnits.push(
        new invoicing.CfnInvoiceUnit(this, `InvoiceUnit-${environment}`, {
          name: `groundwork-${environment}`.slice(0, 50),
          description: `Groundwork: the ${environment} environment's own invoice`,
          invoiceReceiver: props.invoiceReceiverAccountId,
          rule: { linkedAccounts: accountIds },
        }),
      );
    }

    if (props.costCategory ?? true)
      this.costCategory = new ce.CfnCostCategory(this, 'EnvironmentCategory', {
        name: 'Environment',
        ruleVersion: 'CostCategoryExpression.v1',
        defaultValue: 'unassigned',
        rules: JSON.stringify(
          [...byEnvironment].map(([environment, accountIds]) => ({
            Value: environment,
            Rule: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: accountIds, MatchOptions: ['EQUALS'] } },
          })),
        ),
      });

    const subscriber = { subscriptionType: 'SNS', address: props.alertTopic.topicArn };
    const notification = (type: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: { notificationType: type, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers: [subscriber],
    });
    const budgetAccounts = new Set(props.budgetAccounts ?? props.accounts.map((a) => a.name));
    for (const account of props.accounts) {
      if (!budgetAccounts.has(account.name)) continue;
      this.budgets.push(
        new budgets.CfnBudget(this, `Budget-${account.name}`, {
          budget: {
            budgetName: `groundwork-${account.name}`,
            budgetType: 'COST',
            timeUnit: 'MONTHLY',
            budgetLimit: { amount: account.monthlyBudgetUsd, unit: 'USD' },
            costFilters: { LinkedAccount: [account.accountId] },
          },
          notificationsWithSubscribers: [
            ...(props.actualThresholdsPercent ?? [80, 100]).map((t) => notification('ACTUAL', t)),
            notification('FORECASTED', props.forecastThresholdPercent ?? 100),
          ],
        }),
      );
    }
  }
}
