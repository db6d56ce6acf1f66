import { Aws, CfnCondition, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { guardDutyFindingPattern, SecurityFindingsAlerts, type SeverityLabel, securityHubFindingPattern } from '../constructs/security-findings.js';

/** Props of {@link SecurityFindingsStack}. */
export interface SecurityFindingsStackProps extends StackProps {
  readonly operatorTopic: sns.ITopic;
  readonly minimumSeverity: SeverityLabel;
  readonly guardDuty: boolean;
  readonly securityHub: boolean;
  /** @default - none: the management account administers the services */
  readonly forwardingAccountId?: string;
}

/** Management account: GuardDuty and Security Hub findings at or above the configured severity, to the operators' topic. */
export class SecurityFindingsStack extends Stack {
  constructor(scope: Construct, id: string, props: SecurityFindingsStackProps) {
    super(scope, id, props);
    new SecurityFindingsAlerts(this, 'Alerts', {
      topic: props.operatorTopic,
      minimumSeverity: props.minimumSeverity,
      guardDuty: props.guardDuty,
      securityHub: props.securityHub,
      forwardingAccountId: props.forwardingAccountId,
    });
  }
}

/** Props of {@link SecurityFindingsForwarderStack}. */
export interface SecurityFindingsForwarderStackProps extends StackProps {
  readonly managementAccountId: string;
  /** The home region: where the operators' topic and the management account's receiving rules are. */
  readonly homeRegion: string;
  readonly minimumSeverity: SeverityLabel;
  readonly guardDuty: boolean;
  readonly securityHub: boolean;
}

/**
 * The security administrator account, in every governed region (a StackSet): its GuardDuty findings (the organization's,
 * as administrator) at or above the severity, and in the home region, where Security Hub aggregates every linked region,
 * its Security Hub findings, forwarded to the management account's default bus in the home region.
 */
export class SecurityFindingsForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: SecurityFindingsForwarderStackProps) {
    super(scope, id, props);
    const bus = events.EventBus.fromEventBusArn(
      this,
      'ManagementEventBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion}:${props.managementAccountId}:event-bus/default`,
    );
    if (props.guardDuty) {
      new events.Rule(this, 'ForwardGuardDutyFindings', {
        description: `Groundwork: GuardDuty findings of severity ${props.minimumSeverity} or above, to the management account's operators' topic`,
        eventPattern: guardDutyFindingPattern(props.minimumSeverity),
        targets: [new targets.EventBus(bus)],
      });
    }
    if (props.securityHub) {
      const rule = new events.Rule(this, 'ForwardSecurityHubFindings', {
        description: `Groundwork: active, new Security Hub findings of severity ${props.minimumSeverity} or above, to the management account's operators' topic`,
        eventPattern: securityHubFindingPattern(props.minimumSeverity, props.guardDuty),
        targets: [new targets.EventBus(bus)],
      });
      // The aggregation (home) region already holds every linked region's findings: forwarding elsewhere would repeat them.
      const home = new CfnCondition(this, 'InHomeRegion', { expression: Fn.conditionEquals(Aws.REGION, props.homeRegion) });
      (rule.node.defaultChild as events.CfnRule).cfnOptions.condition = home;
    }
  }
}
