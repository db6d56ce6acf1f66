import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { StatementGenerator } from '../constructs/statement-generator.js';
import { CostStatementsStack } from './cost-statements-stack.js';

const ACCOUNTS = [
  { accountId: '111111111111', environment: 'management' },
  { accountId: '222222222222', environment: 'prod' },
  { accountId: '333333333333', environment: 'prod' },
  { accountId: '444444444444', environment: 'dev' },
];

function build() {
  const app = new App();
  const env = { account: '111111111111', region: 'us-east-1' };
  const shared = new Stack(app, 'Shared', { env });
  const operatorTopicKey = new kms.Key(shared, 'TopicKey');
  const operatorTopic = new sns.Topic(shared, 'Topic', { masterKey: operatorTopicKey });
  const stack = new CostStatementsStack(app, 'Statements', { env, accounts: ACCOUNTS, operatorTopic, operatorTopicKey });
  return { stack, template: Template.fromStack(stack) };
}

/** Every statement of every inline or attached policy in the template. */
function policyStatements(t: Template): { Action: string | string[]; Resource: unknown; Sid?: string }[] {
  const roles = Object.values(t.findResources('AWS::IAM::Role')).flatMap(
    (r) => (r as { Properties: { Policies?: { PolicyDocument: { Statement: never[] } }[] } }).Properties.Policies ?? [],
  );
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).map((p) => (p as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties);
  return [...roles, ...policies].flatMap((p) => p.PolicyDocument.Statement);
}

describe('the statement generator stack', () => {
  const { stack, template: t } = build();

  it('runs on the 3rd of each month at 06:00 UTC, invoking the generator with retries', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 3 * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StatementGeneratorFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 3 } },
    });
  });

  it('writes to a bucket encrypted with its own rotating key, private, TLS only, with access logs and an expiry', () => {
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'Groundwork: encrypts the monthly statements' });
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StatementGeneratorKey'), 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'statements-bucket/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400, Status: 'Enabled' })] },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('gives the function only what it uses: Cost Explorer reads, statement writes, its keys, the topic and its logs', () => {
    const statements = policyStatements(t);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    expect(actions).toEqual([
      'ce:GetCostAndUsage',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:GenerateDataKey',
      'lambda:InvokeFunction',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:PutObject',
      'sns:Publish',
    ]);
    expect(actions.some((a) => a.includes('*'))).toBe(false);
    const put = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put?.Resource)).toContain('/statements/*');
    t.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  it('runs on the latest Node.js runtime with the bucket and topic in its environment, and alarms the operators on failure', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: { Variables: { STATEMENTS_BUCKET: { Ref: Match.stringLikeRegexp('^StatementGeneratorStatements') }, OPERATOR_TOPIC_ARN: Match.anyValue() } },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 1, AlarmActions: [Match.anyValue()] });
  });

  it('ships the account → environment map beside the bundled handler', () => {
    const dir = stack.generator.bundleDir;
    expect(JSON.parse(readFileSync(join(dir, 'environments.json'), 'utf8'))).toEqual({
      '111111111111': 'management',
      '222222222222': 'prod',
      '333333333333': 'prod',
      '444444444444': 'dev',
    });
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toContain('GetCostAndUsageCommand');
  });

  it('rejects a retention shorter than a month and a day that some months lack', () => {
    const make = (props: { retentionDays?: number; dayOfMonth?: number }) => () => {
      const s = new Stack(new App(), 'S');
      const key = new kms.Key(s, 'K');
      new StatementGenerator(s, 'G', { accounts: ACCOUNTS, operatorTopic: new sns.Topic(s, 'T'), operatorTopicKey: key, ...props });
    };
    expect(make({ retentionDays: 7 })).toThrow('StatementGenerator: retentionDays is 7; keep statements at least 31 days');
    expect(make({ dayOfMonth: 31 })).toThrow('StatementGenerator: dayOfMonth is 31; use 1 to 28 so that every month has the day');
  });
});
