import { Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** The Playground guard: a budget action that attaches the deny-new-spend SCP to one account. */
export interface PlaygroundGuardProps {
  /** Name of the guarded account (its budget is `groundwork-<name>`). */
  readonly accountName: string;
  /** ID (`p-…`) of the deny-new-spend SCP, created unattached by `groundwork apply`. */
  readonly policyId: string;
  /** The organization ID (`o-…`), to scope the execution role to this policy and account. */
  readonly organizationId: string;
  /**
   * Actual spend, in percent of the budget, at which the policy is attached.
   * @default 100
   */
  readonly thresholdPercent?: number;
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
  /**
   * The Playground guard; created by the construct that also creates the guarded account's budget.
   * @default no guard
   */
  readonly playgroundGuard?: PlaygroundGuardProps;
}

/** A separate invoice per environment (invoice units), the Environment cost category, and a monthly budget per account with alerts. */
export class CostControls extends Construct {
  readonly invoiceUnits: invoicing.CfnInvoiceUnit[] = [];
  readonly budgets: budgets.CfnBudget[] = [];
  readonly costCategory?: ce.CfnCostCategory;
  /** The Playground guard's budget action, when this construct holds the guarded account's budget. */
  readonly guardAction?: budgets.CfnBudgetsAction;

  constructor(scope: Construct, id: string, props: CostControlsProps) {
    super(scope, id);
    if (props.accounts.length === 0) throw new Error('CostControls: accounts is empty; pass every account of the organization');
    for (const account of props.accounts) {
      if (!(account.monthlyBudgetUsd > 0)) {
        throw new Error(`CostControls: account "${account.name}" has a monthly budget of ${account.monthlyBudgetUsd} USD; budgets must be more than 0`);
      }
    }
    const guard = props.playgroundGuard;
    if (guard) {
      if (!props.accounts.some((a) => a.name === guard.accountName)) {
        throw new Error(
          `CostControls: playgroundGuard.accountName is "${guard.accountName}", which is not one of accounts (${props.accounts.map((a) => a.name).join(', ')}); name a member account`,
        );
      }
      if (!/^p-[0-9a-z_]{8,128}$/.test(guard.policyId)) {
        throw new Error(
          `CostControls: playgroundGuard.policyId is "${guard.policyId}"; expected an SCP ID such as "p-abcd1234" (run \`groundwork apply\` to create it)`,
        );
      }
      const threshold = guard.thresholdPercent ?? 100;
      if (!(threshold > 0 && threshold <= 1000)) {
        throw new Error(`CostControls: playgroundGuard.thresholdPercent is ${threshold}; use more than 0 and at most 1000`);
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
      const budget = new budgets.CfnBudget(this, `Budget-${account.name}`, {
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
      });
      this.budgets.push(budget);
      if (guard?.accountName === account.name) this.guardAction = this.addGuard(guard, account, budget, props.alertTopic);
    }
  }

  /** The budget action and the role AWS Budgets uses to attach (and, when lifted, detach) the SCP. */
  private addGuard(guard: PlaygroundGuardProps, account: CostAccount, budget: budgets.CfnBudget, topic: sns.ITopic): budgets.CfnBudgetsAction {
    const stack = Stack.of(this);
    const budgetName = `groundwork-${account.name}`;
    const role = new iam.Role(this, 'PlaygroundGuardRole', {
      description: `Lets AWS Budgets attach the deny-new-spend SCP to ${account.name} when its budget is spent`,
      assumedBy: new iam.ServicePrincipal('budgets.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:budget/${budgetName}` },
        },
      }),
      inlinePolicies: {
        AttachDenyNewSpend: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
              resources: [
                `arn:${stack.partition}:organizations::${stack.account}:policy/${guard.organizationId}/service_control_policy/${guard.policyId}`,
                `arn:${stack.partition}:organizations::${stack.account}:account/${guard.organizationId}/${account.accountId}`,
              ],
            }),
          ],
        }),
      },
    });
    const action = new budgets.CfnBudgetsAction(this, 'PlaygroundGuard', {
      budgetName,
      actionType: 'APPLY_SCP_POLICY',
      approvalModel: 'AUTOMATIC',
      notificationType: 'ACTUAL',
      actionThreshold: { type: 'PERCENTAGE', value: guard.thresholdPercent ?? 100 },
      executionRoleArn: role.roleArn,
      definition: { scpActionDefinition: { policyId: guard.policyId, targetIds: [account.accountId] } },
      subscribers: [{ type: 'SNS', address: topic.topicArn }],
    });
    action.addResourceDependency(budget);
    return action;
  }
}
