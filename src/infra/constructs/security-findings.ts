import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Finding severities, lowest first, as Security Hub labels them. */
export const SEVERITY_LABELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/**
 * GuardDuty's numeric severity where each label starts (GuardDuty: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9,
 * Critical 9.0–10.0): its findings carry the number, not the label.
 */
export const GUARD_DUTY_SEVERITY_FLOOR: Record<SeverityLabel, number> = { LOW: 1, MEDIUM: 4, HIGH: 7, CRITICAL: 9 };

/** The Security Hub labels at or above a minimum. */
export function labelsFrom(minimum: SeverityLabel): SeverityLabel[] {
  return SEVERITY_LABELS.slice(SEVERITY_LABELS.indexOf(minimum));
}

/** GuardDuty findings at or above the minimum severity (the event GuardDuty sends for a new or updated finding). */
export function guardDutyFindingPattern(minimum: SeverityLabel): events.EventPattern {
  return {
    source: ['aws.guardduty'],
    detailType: ['GuardDuty Finding'],
    detail: { severity: events.Match.greaterThanOrEqual(GUARD_DUTY_SEVERITY_FLOOR[minimum]) },
  };
}

/**
 * Security Hub findings at or above the minimum severity that are active and new (not yet acted on). Findings GuardDuty
 * sends into Security Hub are left out when GuardDuty's own rule reports them, so one finding is one message.
 */
export function securityHubFindingPattern(minimum: SeverityLabel, withoutGuardDuty: boolean): events.EventPattern {
  return {
    source: ['aws.securityhub'],
    detailType: ['Security Hub Findings - Imported'],
    detail: {
      findings: {
        Severity: { Label: labelsFrom(minimum) },
        RecordState: ['ACTIVE'],
        Workflow: { Status: ['NEW'] },
        ...(withoutGuardDuty ? { ProductName: events.Match.anythingBut('GuardDuty') } : {}),
      },
    },
  };
}

/** Props of {@link SecurityFindingsAlerts}. */
export interface SecurityFindingsAlertsProps {
  /** The operators' topic. Its policy must let `events.amazonaws.com` publish for this account's rules. */
  readonly topic: sns.ITopic;
  /** Findings of this severity or above are sent. */
  readonly minimumSeverity: SeverityLabel;
  /** Whether GuardDuty findings are sent. */
  readonly guardDuty: boolean;
  /** Whether Security Hub findings are sent. */
  readonly securityHub: boolean;
  /**
   * The delegated administrator of GuardDuty and Security Hub, whose forwarding rules send their findings to this
   * account's default event bus: the bus accepts `events:PutEvents` from it.
   * @default - none: the management account administers them
   */
  readonly forwardingAccountId?: string;
}

/**
 * EventBridge rules on the management account's default bus that tell the operators' topic of GuardDuty and Security
 * Hub findings at or above the configured severity, found here or forwarded by the security administrator account.
 */
export class SecurityFindingsAlerts extends Construct {
  constructor(scope: Construct, id: string, props: SecurityFindingsAlertsProps) {
    super(scope, id);
    const forwarding = props.forwardingAccountId;
    if (forwarding !== undefined && !/^\d{12}$/.test(forwarding)) {
      throw new Error(`SecurityFindingsAlerts: forwardingAccountId is "${forwarding}", which is not a 12-digit account ID; pass the security account's ID`);
    }
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the CDK's SnsTopic target: it would add a topic policy statement without the confused-deputy conditions
    // that OperatorNotifications already grants EventBridge.
    const toTopic = (input: events.RuleTargetInput): events.IRuleTarget => ({ bind: () => ({ arn: props.topic.topicArn, input }) });
    if (props.guardDuty) {
      new events.Rule(this, 'GuardDutyFindings', {
        description: `Groundwork: GuardDuty findings of severity ${props.minimumSeverity} or above, to the operators' topic`,
        eventPattern: guardDutyFindingPattern(props.minimumSeverity),
        targets: [
          toTopic(
            events.RuleTargetInput.fromText(
              `Groundwork security finding (GuardDuty, severity ${field('$.detail.severity')}): ${field('$.detail.title')}. ` +
                `Account ${field('$.detail.accountId')}, ${field('$.detail.region')}, type ${field('$.detail.type')}, finding ${field('$.detail.id')}. ` +
                'See docs/runbooks/security.md, "When a finding arrives".',
            ),
          ),
        ],
      });
    }
    if (props.securityHub) {
      new events.Rule(this, 'SecurityHubFindings', {
        description: `Groundwork: active, new Security Hub findings of severity ${props.minimumSeverity} or above, to the operators' topic`,
        eventPattern: securityHubFindingPattern(props.minimumSeverity, props.guardDuty),
        targets: [
          toTopic(
            events.RuleTargetInput.fromText(
              `Groundwork security finding (Security Hub, ${field('$.detail.findings[0].Severity.Label')}): ${field('$.detail.findings[0].Title')}. ` +
                `Account ${field('$.detail.findings[0].AwsAccountId')}, ${field('$.detail.findings[0].Region')}, from ${field('$.detail.findings[0].ProductName')} (${field('$.detail.findings[0].ProductArn')}). ` +
                'See docs/runbooks/security.md, "When a finding arrives".',
            ),
          ),
        ],
      });
    }
    if (forwarding !== undefined && (props.guardDuty || props.securityHub)) {
      const stack = Stack.of(this);
      new events.CfnEventBusPolicy(this, 'AcceptForwarded', {
        eventBusName: 'default',
        statementId: `groundwork-security-findings-${forwarding}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${forwarding}:root` },
          Action: 'events:PutEvents',
          Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
          // Only the findings the forwarder's rules send: without this, anyone in the security account with PutEvents could
          // put events of their own (any custom source) on this bus. `aws.` sources cannot be sent by PutEvents, so an event
          // with these sources and detail types was forwarded by a rule. ForAllValues covers every entry of one call (AWS's
          // example policy for a cross-account bus).
          Condition: {
            'ForAllValues:StringEquals': {
              'events:source': [...(props.guardDuty ? ['aws.guardduty'] : []), ...(props.securityHub ? ['aws.securityhub'] : [])],
              'events:detail-type': [...(props.guardDuty ? ['GuardDuty Finding'] : []), ...(props.securityHub ? ['Security Hub Findings - Imported'] : [])],
            },
          },
        },
      });
    }
  }
}
