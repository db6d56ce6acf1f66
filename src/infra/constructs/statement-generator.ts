import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bundleHandler } from '../bundle-handler.js';
import { accessLogsBucket } from './access-logs-bucket.js';

/** Props of {@link StatementGenerator}. */
export interface StatementGeneratorProps {
  /** Every account and its environment; each environment gets its own statement. */
  readonly accounts: readonly { readonly accountId: string; readonly environment: string }[];
  /** The operators' topic: the monthly summary and failure alarms go there. */
  readonly operatorTopic: sns.ITopic;
  /** The key encrypting that topic; the generator may use it to publish, nothing more. */
  readonly operatorTopicKey: kms.IKey;
  /**
   * Days statements are kept.
   * @default 400
   */
  readonly retentionDays?: number;
  /**
   * Day of the month of the run (06:00 UTC); AWS finalizes most of the previous month's charges by the 3rd.
   * @default 3
   */
  readonly dayOfMonth?: number;
}

/** Name of the function (and prefix of its alarm): one per organization, in the management account. */
export const STATEMENT_GENERATOR_NAME = 'groundwork-statement-generator';

/** Prefix of the statement objects: `statements/YYYY-MM/<environment>.{html,csv,json}`. */
export const STATEMENTS_PREFIX = 'statements';

/**
 * The monthly statement generator: a Lambda run by EventBridge Scheduler that writes each environment's statement for
 * the previous month as HTML, CSV and JSON to an encrypted bucket, and sends the operators a summary with links.
 */
export class StatementGenerator extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  readonly function: lambda.Function;
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;
  /** The bundled handler folder (index.mjs and environments.json). */
  readonly bundleDir: string;

  constructor(scope: Construct, id: string, props: StatementGeneratorProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 400;
    const day = props.dayOfMonth ?? 3;
    if (props.accounts.length === 0) throw new Error('StatementGenerator: accounts is empty; pass every account with its environment');
    if (!Number.isInteger(retention) || retention < 31) {
      throw new Error(`StatementGenerator: retentionDays is ${retention}; keep statements at least 31 days so each month's survives until the next`);
    }
    if (!Number.isInteger(day) || day < 1 || day > 28) {
      throw new Error(`StatementGenerator: dayOfMonth is ${day}; use 1 to 28 so that every month has the day`);
    }
    const stack = Stack.of(this);
    // Access logs are delivered through a bucket policy, not ACLs (the buckets enforce bucket-owner ownership).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.key = new kms.Key(this, 'Key', {
      description: 'Groundwork: encrypts the monthly statements',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogs = accessLogsBucket(this, { servedBuckets: 'the statements bucket', retentionDays: retention });
    this.bucket = new s3.Bucket(this, 'Statements', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'statements-bucket/',
      lifecycleRules: [{ id: 'ExpireStatements', expiration: Duration.days(retention), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      description: 'Groundwork statement generator: reads Cost Explorer, writes statements, tells the operators',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      inlinePolicies: {
        Statements: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'ReadCosts', actions: ['ce:GetCostAndUsage'], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'WriteStatements', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${STATEMENTS_PREFIX}/*`)] }),
            new iam.PolicyStatement({ sid: 'EncryptStatements', actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }),
            new iam.PolicyStatement({ sid: 'NotifyOperators', actions: ['sns:Publish'], resources: [props.operatorTopic.topicArn] }),
            new iam.PolicyStatement({
              sid: 'EncryptNotification',
              actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
              resources: [props.operatorTopicKey.keyArn],
            }),
            new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}`] }),
          ],
        }),
      },
    });
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const logGroupId = stack.getLogicalId(logGroup.node.defaultChild as CfnElement);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Cost Explorer has no resource-level permissions, so ce:GetCostAndUsage (the only action on "*") cannot name a resource.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${STATEMENTS_PREFIX}/*]`,
      reason: 'Statement objects are named by month and environment; s3:PutObject is limited to the statements/ prefix of its own bucket.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>]`,
      reason: 'The log group ARN ends in :* to cover its own log streams, whose names Lambda picks; no other group is writable.',
    });

    const environments: Record<string, string> = {};
    for (const account of props.accounts) environments[account.accountId] = account.environment;
    this.bundleDir = bundleHandler('statement-generator', { 'environments.json': `${JSON.stringify(environments, null, 1)}\n` });
    this.function = new lambda.Function(this, 'Function', {
      functionName: STATEMENT_GENERATOR_NAME,
      description: 'Groundwork: writes the monthly statement of each environment and tells the operators',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(this.bundleDir),
      memorySize: 512,
      timeout: Duration.minutes(5),
      role: this.role,
      logGroup,
      environment: {
        STATEMENTS_BUCKET: this.bucket.bucketName,
        OPERATOR_TOPIC_ARN: props.operatorTopic.topicArn,
      },
    });

    // The LambdaInvoke target grants this role lambda:InvokeFunction on the function (and its versions), nothing else.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'Lets EventBridge Scheduler run the Groundwork statement generator',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.function.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'The scheduler target grant covers the statement generator and its versions (function:*); it reaches no other function.',
    });
    this.schedule = new scheduler.Schedule(this, 'Monthly', {
      description: `Groundwork: the previous month's statements, on day ${day} of each month at 06:00 UTC`,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '6', day: String(day), timeZone: TimeZone.ETC_UTC }),
      target: new schedulerTargets.LambdaInvoke(this.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });

    // A failed run must not go unnoticed: the operators hear of it the same day.
    const failures = new cloudwatch.Alarm(this, 'Failures', {
      alarmName: `${STATEMENT_GENERATOR_NAME}-failures`,
      alarmDescription: 'Groundwork: the monthly statement generator failed; run it again with {"month":"YYYY-MM"} after fixing the cause',
      metric: this.function.metricErrors({ period: Duration.hours(6), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    failures.addAlarmAction(new cloudwatchActions.SnsAction(props.operatorTopic));
  }
}
