import { App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { GUARD_DUTY_SEVERITY_FLOOR, labelsFrom } from '../constructs/security-findings.js';
import { SecurityFindingsForwarderStack, SecurityFindingsStack } from './security-findings-stacks.js';

const MANAGEMENT = '111111111111';
const SECURITY = '222222222222';

function management(props: { minimumSeverity?: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; guardDuty?: boolean; securityHub?: boolean; forwarding?: string } = {}) {
  const app = new App();
  const topicStack = new Stack(app, 'Topic', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  const topic = new sns.Topic(topicStack, 'Topic');
  const stack = new SecurityFindingsStack(app, 'Findings', {
    env: { account: MANAGEMENT, region: 'us-east-1' },
    operatorTopic: topic,
    minimumSeverity: props.minimumSeverity ?? 'HIGH',
    guardDuty: props.guardDuty ?? true,
    securityHub: props.securityHub ?? true,
    forwardingAccountId: props.forwarding,
  });
  return Template.fromStack(stack);
}

type Rule = {
  Properties: { EventPattern: Record<string, unknown>; Targets: { Arn: unknown; InputTransformer?: { InputTemplate: string }; RoleArn?: unknown }[] };
  Condition?: string;
};
const rules = (t: Template) => Object.values(t.findResources('AWS::Events::Rule')) as Rule[];
const ruleFor = (t: Template, source: string) => rules(t).find((r) => (r.Properties.EventPattern.source as string[])[0] === source);

describe("security findings to the operators' topic", () => {
  it('sends GuardDuty findings from severity 7 (HIGH) and active, new Security Hub findings labelled HIGH or CRITICAL', () => {
    const t = management();
    expect(ruleFor(t, 'aws.guardduty')?.Properties.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    });
    expect(ruleFor(t, 'aws.securityhub')?.Properties.EventPattern).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          Severity: { Label: ['HIGH', 'CRITICAL'] },
          RecordState: ['ACTIVE'],
          Workflow: { Status: ['NEW'] },
          // GuardDuty's own rule reports its findings: one finding, one message.
          ProductName: [{ 'anything-but': ['GuardDuty'] }],
        },
      },
    });
  });

  it('follows security.findings.minimumSeverity, label for label', () => {
    expect(labelsFrom('LOW')).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
    expect(labelsFrom('CRITICAL')).toEqual(['CRITICAL']);
    expect(GUARD_DUTY_SEVERITY_FLOOR).toEqual({ LOW: 1, MEDIUM: 4, HIGH: 7, CRITICAL: 9 });
    const t = management({ minimumSeverity: 'MEDIUM' });
    expect(ruleFor(t, 'aws.guardduty')?.Properties.EventPattern.detail).toEqual({ severity: [{ numeric: ['>=', 4] }] });
  });

  it("targets the operators' topic with a readable message, adding no topic policy statement of its own", () => {
    const t = management();
    for (const rule of rules(t)) {
      expect(JSON.stringify(rule.Properties.Targets[0]?.Arn)).toContain('Topic');
      expect(rule.Properties.Targets[0]?.InputTransformer?.InputTemplate).toContain('Groundwork security finding');
    }
    t.resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });

  it("names the Security Hub finding's product ARN, since ProductName is whatever an importer wrote (a member's BatchImportFindings)", () => {
    const hub = ruleFor(management(), 'aws.securityhub')?.Properties.Targets[0]?.InputTransformer as {
      InputTemplate: string;
      InputPathsMap: Record<string, string>;
    };
    const arnField = Object.entries(hub.InputPathsMap).find(([, path]) => path === '$.detail.findings[0].ProductArn')?.[0];
    expect(arnField).toBeDefined();
    expect(hub.InputTemplate).toContain(`(<${arnField}>)`);
  });

  it('lets only the security account put events on the default bus, and only when it administers the services', () => {
    management().resourceCountIs('AWS::Events::EventBusPolicy', 0);
    const t = management({ forwarding: SECURITY });
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: { Effect: 'Allow', Action: 'events:PutEvents' },
    });
    expect(() => management({ forwarding: 'security' })).toThrow(/not a 12-digit account ID/);
  });

  it("accepts only GuardDuty and Security Hub findings from the security account, not any event it makes up (a member's own PutEvents)", () => {
    const [policy] = Object.values(management({ forwarding: SECURITY }).findResources('AWS::Events::EventBusPolicy'));
    // As AWS's example for a cross-account bus: ForAllValues over every entry of one PutEvents call.
    expect(policy?.Properties.Statement.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'events:source': ['aws.guardduty', 'aws.securityhub'],
        'events:detail-type': ['GuardDuty Finding', 'Security Hub Findings - Imported'],
      },
    });
  });

  it('has no Security Hub rule when Security Hub is off, and then keeps GuardDuty findings as they come', () => {
    const t = management({ securityHub: false });
    expect(rules(t).map((r) => (r.Properties.EventPattern.source as string[])[0])).toEqual(['aws.guardduty']);
    const onlyHub = management({ guardDuty: false });
    expect(ruleFor(onlyHub, 'aws.securityhub')?.Properties.EventPattern.detail).not.toHaveProperty('findings.ProductName');
  });
});

describe('the forwarder in the security account', () => {
  const app = new App();
  const stack = new SecurityFindingsForwarderStack(app, 'Forwarder', {
    env: { account: SECURITY, region: 'us-east-1' },
    synthesizer: new BootstraplessSynthesizer(),
    managementAccountId: MANAGEMENT,
    homeRegion: 'us-east-1',
    minimumSeverity: 'HIGH',
    guardDuty: true,
    securityHub: true,
  });
  const t = Template.fromStack(stack);

  it("forwards to the management account's default bus in the home region, through a role only EventBridge assumes", () => {
    for (const rule of rules(t)) {
      expect(JSON.stringify(rule.Properties.Targets[0]?.Arn)).toContain(`:events:us-east-1:${MANAGEMENT}:event-bus/default`);
      expect(rule.Properties.Targets[0]?.RoleArn).toBeDefined();
    }
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'events.amazonaws.com' } }] } });
  });

  it('forwards Security Hub findings from the home region only (it aggregates the others), GuardDuty findings from every region', () => {
    expect(ruleFor(t, 'aws.securityhub')?.Condition).toBe('InHomeRegion');
    expect(ruleFor(t, 'aws.guardduty')?.Condition).toBeUndefined();
    expect(t.toJSON().Conditions.InHomeRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
  });
});
