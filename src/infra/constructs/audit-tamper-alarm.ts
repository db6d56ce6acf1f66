import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ARCHIVE_KEY_PROTECTED_ACTIONS } from './log-archive.js';

/** The calls that stop, narrow or blind the organization trail, or destroy a key its log files depend on, by event source. */
export const AUDIT_TAMPER_EVENTS = {
  'cloudtrail.amazonaws.com': ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
  'kms.amazonaws.com': ARCHIVE_KEY_PROTECTED_ACTIONS.map((action) => action.replace(/^kms:/, '')),
} as const;

/** Props of {@link AuditTamperAlarm}. */
export interface AuditTamperAlarmProps {
  /** The operators' topic. Its policy must let `events.amazonaws.com` publish for this account's rules. */
  readonly topic: sns.ITopic;
  /**
   * Accounts whose rules forward their own tamper events to this account's default event bus (the log-archive account,
   * where the archive key lives): the bus accepts `events:PutEvents` from them.
   * @default - none
   */
  readonly forwardingAccountIds?: readonly string[];
}

/**
 * An EventBridge rule on the default bus that tells the operators' topic of every call in {@link AUDIT_TAMPER_EVENTS},
 * allowed or refused, made in this account or forwarded from the accounts named. A reviewed deployment that changes the
 * trail or a key policy triggers it too: the message says to check that it was one.
 */
export class AuditTamperAlarm extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: AuditTamperAlarmProps) {
    super(scope, id);
    const forwarding = props.forwardingAccountIds ?? [];
    for (const account of forwarding) {
      if (!/^\d{12}$/.test(account)) {
        throw new Error(`AuditTamperAlarm: forwardingAccountIds contains "${account}", which is not a 12-digit account ID; pass the log-archive account's ID`);
      }
    }
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `Groundwork audit alarm: ${field('$.detail.eventName')} on ${field('$.detail.eventSource')} by ${field('$.detail.userIdentity.arn')} ` +
        `in account ${field('$.account')}, ${field('$.region')}, at ${field('$.time')}. This changes the organization trail or a key its log files ` +
        'depend on. If it was not a reviewed Groundwork deployment, treat it as an incident: see docs/runbooks/audit.md, "When the audit alarm fires".',
    );
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Groundwork: the organization trail stopped, deleted or narrowed, or a log key deleted, disabled or re-policied',
      eventPattern: {
        source: ['aws.cloudtrail', 'aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: Object.keys(AUDIT_TAMPER_EVENTS),
          eventName: Object.values(AUDIT_TAMPER_EVENTS).flat(),
        },
      },
      // Not the CDK's SnsTopic target: it would add a topic policy statement without the confused-deputy conditions
      // that OperatorNotifications already grants EventBridge.
      targets: [{ bind: () => ({ arn: props.topic.topicArn, input: message }) }],
    });
    const stack = Stack.of(this);
    forwarding.forEach((account, index) => {
      new events.CfnEventBusPolicy(this, index === 0 ? 'AcceptForwarded' : `AcceptForwarded${index + 1}`, {
        eventBusName: 'default',
        statementId: `groundwork-audit-tamper-${account}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
          // Only the API calls the forwarding rule sends (`aws.` sources cannot be sent by PutEvents), not events of a
          // member principal's own making.
          Condition: { 'ForAllValues:StringEquals': { 'events:source': ['aws.cloudtrail', 'aws.kms'], 'events:detail-type': ['AWS API Call via CloudTrail'] } },
        },
      });
    });
  }
}
