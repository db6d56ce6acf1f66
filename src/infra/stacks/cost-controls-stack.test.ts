import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { CostControls } from '../constructs/cost-controls.js';
import { CostControlsStack } from './cost-controls-stack.js';

const ACCOUNTS = [
  { name: 'management', accountId: '111111111111', environment: 'management', monthlyBudgetUsd: 300 },
  { name: 'prod', accountId: '222222222222', environment: 'prod', monthlyBudgetUsd: 2000 },
  { name: 'staging', accountId: '333333333333', environment: 'staging', monthlyBudgetUsd: 500 },
  { name: 'dev', accountId: '444444444444', environment: 'dev', monthlyBudgetUsd: 300 },
];

/** An ARN in the stack's partition, as CloudFormation spells it. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

const GUARD = { accountName: 'dev', policyId: 'p-denyspend1', organizationId: 'o-abc123defg', thresholdPercent: 100 };

function template(): Template {
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };
  const topicStack = new Stack(app, 'Topic', { env });
  const topic = new sns.Topic(topicStack, 'Alerts');
  return Template.fromStack(
    new CostControlsStack(app, 'Cost', {
      env,
      accounts: ACCOUNTS,
      invoiceReceiverAccountId: '111111111111',
      alertTopic: topic,
      playgroundGuard: GUARD,
    }),
  );
}

describe('the cost controls stack', () => {
  const t = template();

  it('creates one invoice unit per environment, received by the configured account', () => {
    t.resourceCountIs('AWS::Invoicing::InvoiceUnit', 4);
    t.hasResourceProperties('AWS::Invoicing::InvoiceUnit', {
      Name: 'groundwork-prod',
      InvoiceReceiver: '111111111111',
      Rule: { LinkedAccounts: ['222222222222'] },
    });
  });

  it('creates a monthly budget per account with alerts at 80% and 100% actual and 100% forecast', () => {
    t.resourceCountIs('AWS::Budgets::Budget', 4);
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'groundwork-prod',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 2000, Unit: 'USD' },
        CostFilters: { LinkedAccount: ['222222222222'] },
      },
      NotificationsWithSubscribers: [
        Match.objectLike({ Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' } }),
        Match.objectLike({ Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' } }),
        Match.objectLike({ Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' } }),
      ],
    });
    const budget = Object.values(t.findResources('AWS::Budgets::Budget'))[0] as {
      Properties: { NotificationsWithSubscribers: { Subscribers: { SubscriptionType: string }[] }[] };
    };
    expect(budget.Properties.NotificationsWithSubscribers.every((n) => n.Subscribers[0]?.SubscriptionType === 'SNS')).toBe(true);
  });

  it('maps accounts to environments in the Environment cost category', () => {
    const category = Object.values(t.findResources('AWS::CE::CostCategory'))[0] as { Properties: { Name: string; Rules: string } };
    expect(category.Properties.Name).toBe('Environment');
    expect(JSON.parse(category.Properties.Rules)).toContainEqual({
      Value: 'prod',
      Rule: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['222222222222'], MatchOptions: ['EQUALS'] } },
    });
  });

  it('rejects a zero budget, naming the account', () => {
    const stack = new Stack(new App(), 'S');
    const topic = new sns.Topic(stack, 'T');
    expect(
      () =>
        new CostControls(stack, 'C', {
          accounts: [{ ...ACCOUNTS[1], monthlyBudgetUsd: 0 } as (typeof ACCOUNTS)[number]],
          invoiceReceiverAccountId: '1',
          alertTopic: topic,
        }),
    ).toThrow('CostControls: account "prod" has a monthly budget of 0 USD; budgets must be more than 0');
  });
});

describe('the Playground guard', () => {
  const t = template();

  it('attaches the deny-new-spend SCP to the dev account when its actual spend reaches 100%, and tells the operators', () => {
    t.resourceCountIs('AWS::Budgets::BudgetsAction', 1);
    t.hasResourceProperties('AWS::Budgets::BudgetsAction', {
      BudgetName: 'groundwork-dev',
      ActionType: 'APPLY_SCP_POLICY',
      ApprovalModel: 'AUTOMATIC',
      NotificationType: 'ACTUAL',
      ActionThreshold: { Type: 'PERCENTAGE', Value: 100 },
      Definition: { ScpActionDefinition: { PolicyId: 'p-denyspend1', TargetIds: ['444444444444'] } },
      Subscribers: [Match.objectLike({ Type: 'SNS' })],
    });
    const action = Object.values(t.findResources('AWS::Budgets::BudgetsAction'))[0] as { DependsOn: string[] };
    const devBudget = Object.entries(t.findResources('AWS::Budgets::Budget')).find(
      ([, r]) => (r as { Properties: { Budget: { BudgetName: string } } }).Properties.Budget.BudgetName === 'groundwork-dev',
    )?.[0];
    expect(action.DependsOn).toContain(devBudget);
  });

  it('runs as a role only AWS Budgets can assume, allowed to attach and detach only that policy on only that account', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'budgets.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': arn(':budgets::111111111111:budget/groundwork-dev') },
            },
          }),
        ],
      },
      Policies: [
        {
          PolicyName: 'AttachDenyNewSpend',
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
                Resource: [
                  arn(':organizations::111111111111:policy/o-abc123defg/service_control_policy/p-denyspend1'),
                  arn(':organizations::111111111111:account/o-abc123defg/444444444444'),
                ],
              },
            ],
          },
        },
      ],
    });
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('"*"');
  });

  it('rejects a guard on an account it does not know, or a malformed policy ID', () => {
    const make = (guard: typeof GUARD) => () => {
      const stack = new Stack(new App(), 'S');
      new CostControls(stack, 'C', { accounts: ACCOUNTS, invoiceReceiverAccountId: '1', alertTopic: new sns.Topic(stack, 'T'), playgroundGuard: guard });
    };
    expect(make({ ...GUARD, accountName: 'sandbox' })).toThrow(
      'CostControls: playgroundGuard.accountName is "sandbox", which is not one of accounts (management, prod, staging, dev); name a member account',
    );
    expect(make({ ...GUARD, policyId: 'deny-new-spend' })).toThrow(/playgroundGuard.policyId is "deny-new-spend"; expected an SCP ID/);
  });
});

describe('large organizations', () => {
  it('spread invoice units and budgets over stacks below the CloudFormation limit of 500 resources', async () => {
    const { costStackParts } = await import('./cost-controls-stack.js');
    const accounts = Array.from({ length: 1000 }, (_, i) => ({
      name: `a${i}`,
      accountId: String(100000000000 + i),
      environment: `e${i}`,
      monthlyBudgetUsd: 10,
    }));
    const parts = costStackParts(accounts);
    expect(parts.length).toBe(6);
    expect(parts.flatMap((p) => p.accounts)).toHaveLength(1000);
    expect(parts.flatMap((p) => p.environments)).toHaveLength(1000);
    for (const [i, p] of parts.entries()) expect(p.accounts.length + p.environments.length + (i === 0 ? 1 : 0)).toBeLessThanOrEqual(400);
    expect(costStackParts(ACCOUNTS)).toEqual([{ environments: ['management', 'prod', 'staging', 'dev'], accounts: ['management', 'prod', 'staging', 'dev'] }]);
  });
});
