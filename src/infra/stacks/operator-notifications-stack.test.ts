import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OperatorNotifications } from '../constructs/operator-notifications.js';
import { OrganizationAccessAnalyzer } from '../constructs/organization-access-analyzer.js';
import { OperatorNotificationsStack } from './operator-notifications-stack.js';

function template(emails: string[] = ['ops@example.com', 'oncall@example.com']): Template {
  const app = new App();
  const stack = new OperatorNotificationsStack(app, 'GroundworkOperatorNotifications', {
    env: { account: '111111111111', region: 'us-east-1' },
    operatorEmails: emails,
  });
  return Template.fromStack(stack);
}

describe('the operator notifications stack', () => {
  it('encrypts the topic with a rotating customer-managed key', () => {
    const t = template();
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'groundwork-operator-notifications',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OperatorNotificationsKey'), 'Arn'] },
    });
  });

  it('subscribes every operator e-mail', () => {
    const t = template();
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('denies publishing without TLS and lets budgets publish', () => {
    const policy = template().findResources('AWS::SNS::TopicPolicy');
    const statements = Object.values(policy).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'budgets.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::111111111111:*']] } },
        },
      }),
    );
  });

  it('lets each publishing service use the key only for its own account and resources (no confused deputy)', () => {
    const keys = Object.values(template().findResources('AWS::KMS::Key')) as { Properties: { KeyPolicy: { Statement: Record<string, unknown>[] } } }[];
    const statements = keys.flatMap((k) => k.Properties.KeyPolicy.Statement);
    const services = statements.filter((st) => (st.Principal as { Service?: unknown })?.Service);
    const service = (st: Record<string, unknown>) => (st.Principal as { Service: string }).Service;
    expect(services.map(service).sort()).toEqual(['budgets.amazonaws.com', 'cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    for (const st of services) {
      expect([...(st.Action as string[])].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      // EventBridge sends KMS no source keys (a condition on them drops every event); its topic grant carries them instead.
      if (service(st) === 'events.amazonaws.com') expect(st.Condition).toBeUndefined();
      else expect((st.Condition as { StringEquals: Record<string, string> }).StringEquals).toEqual({ 'aws:SourceAccount': '111111111111' });
    }
    expect(services.find((st) => (st.Principal as { Service: string }).Service === 'cloudwatch.amazonaws.com')?.Condition).toMatchObject({
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:111111111111:alarm:*']] } },
    });
  });

  it("lets EventBridge publish (the audit tamper alarm) only for this account's rules", () => {
    const policy = template().findResources('AWS::SNS::TopicPolicy');
    const statements = Object.values(policy).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111111111111:rule/*']] } },
        },
      }),
    );
  });

  it('analyzes access across the whole organization', () => {
    template().hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ORGANIZATION', AnalyzerName: 'groundwork-organization' });
    template().resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
  });

  it('adds the unused-access analyzer only when opted in, with its age, and drops the external one when turned off', () => {
    const stack = (accessAnalyzer: { external: boolean; unused: boolean; unusedAccessAgeDays: number }) =>
      Template.fromStack(
        new OperatorNotificationsStack(new App(), 'GroundworkOperatorNotifications', { env: { account: '111111111111', region: 'us-east-1' }, accessAnalyzer }),
      );
    const both = stack({ external: true, unused: true, unusedAccessAgeDays: 30 });
    both.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 2);
    both.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', {
      Type: 'ORGANIZATION_UNUSED_ACCESS',
      AnalyzerName: 'groundwork-organization-unused-access',
      AnalyzerConfiguration: { UnusedAccessConfiguration: { UnusedAccessAge: 30 } },
    });
    stack({ external: false, unused: false, unusedAccessAgeDays: 90 }).resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
  });

  it('keeps construct IDs stable', () => {
    const resources = template().toJSON().Resources as Record<string, unknown>;
    expect(Object.keys(resources)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OperatorNotificationsKey/),
        expect.stringMatching(/^OperatorNotificationsTopic/),
        expect.stringMatching(/^AccessAnalyzer/),
      ]),
    );
  });
});

describe('construct validation', () => {
  it('rejects an operator e-mail that is not an address, naming the value and the fix', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new OperatorNotifications(stack, 'N', { operatorEmails: ['ops-at-example'] })).toThrow(
      'OperatorNotifications: operatorEmails contains "ops-at-example", which is not an e-mail address; use name@domain.tld',
    );
  });

  it('rejects an unused-access age outside 1-365 days', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new OrganizationAccessAnalyzer(stack, 'U', { type: 'ORGANIZATION_UNUSED_ACCESS', unusedAccessAgeDays: 0 })).toThrow(
      'OrganizationAccessAnalyzer: unusedAccessAgeDays 0 is out of range; use 1 to 365 days',
    );
  });

  it('rejects an invalid analyzer name', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new OrganizationAccessAnalyzer(stack, 'A', { analyzerName: '9 bad name' })).toThrow(/analyzerName "9 bad name" is not valid/);
  });
});
