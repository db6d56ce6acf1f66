import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperatorNotifications } from '../constructs/operator-notifications.js';
import { OrganizationAccessAnalyzer } from '../constructs/organization-access-analyzer.js';

/** Props of {@link OperatorNotificationsStack}. */
export interface OperatorNotificationsStackProps extends StackProps {
  /**
   * Operators subscribed to alerts.
   * @default - none
   */
  readonly operatorEmails?: readonly string[];
}

/** Management account: the operators' alert topic and the organization-wide access analyzer. */
export class OperatorNotificationsStack extends Stack {
  readonly notifications: OperatorNotifications;

  constructor(scope: Construct, id: string, props: OperatorNotificationsStackProps = {}) {
    super(scope, id, props);
    this.notifications = new OperatorNotifications(this, 'OperatorNotifications', {
      operatorEmails: props.operatorEmails,
      // Budgets (budget alerts, the Playground guard), CloudWatch alarms, and EventBridge (the audit tamper alarm).
      publisherServices: ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com', 'events.amazonaws.com'],
    });
    new OrganizationAccessAnalyzer(this, 'AccessAnalyzer');
    new CfnOutput(this, 'TopicArn', { value: this.notifications.topic.topicArn, exportName: 'groundwork-operator-notifications-topic' });
  }
}
