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
  /**
   * The organization's access analyzers (`security.accessAnalyzer`): external access and unused access.
   * @default - the external-access analyzer only
   */
  readonly accessAnalyzer?: { readonly external: boolean; readonly unused: boolean; readonly unusedAccessAgeDays: number };
}

/** Management account: the operators' alert topic and the organization's access analyzers (external access; unused access when opted in). */
export class OperatorNotificationsStack extends Stack {
  readonly notifications: OperatorNotifications;

  constructor(scope: Construct, id: string, props: OperatorNotificationsStackProps = {}) {
    super(scope, id, props);
    this.notifications = new OperatorNotifications(this, 'OperatorNotifications', {
      operatorEmails: props.operatorEmails,
      // Budgets (budget alerts, the Playground guard), CloudWatch alarms, and EventBridge (the audit tamper alarm).
      publisherServices: ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com', 'events.amazonaws.com'],
    });
    const analyzers = props.accessAnalyzer ?? { external: true, unused: false, unusedAccessAgeDays: 90 };
    if (analyzers.external) new OrganizationAccessAnalyzer(this, 'AccessAnalyzer');
    if (analyzers.unused) {
      new OrganizationAccessAnalyzer(this, 'UnusedAccessAnalyzer', { type: 'ORGANIZATION_UNUSED_ACCESS', unusedAccessAgeDays: analyzers.unusedAccessAgeDays });
    }
    new CfnOutput(this, 'TopicArn', { value: this.notifications.topic.topicArn, exportName: 'groundwork-operator-notifications-topic' });
  }
}
