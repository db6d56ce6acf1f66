import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LOG_ARCHIVE_KEY_ALIAS, ORGANIZATION_TRAIL_NAME, TRAIL_LOG_GROUP } from '../../audit/audit-names.js';
import { DEFAULT_ARCHIVE_READERS, denyKeyDestructionExcept } from './log-archive.js';

/** CloudWatch Logs retention periods, in days. */
const RETENTION: Record<number, logs.RetentionDays> = {
  1: logs.RetentionDays.ONE_DAY,
  3: logs.RetentionDays.THREE_DAYS,
  5: logs.RetentionDays.FIVE_DAYS,
  7: logs.RetentionDays.ONE_WEEK,
  14: logs.RetentionDays.TWO_WEEKS,
  30: logs.RetentionDays.ONE_MONTH,
  60: logs.RetentionDays.TWO_MONTHS,
  90: logs.RetentionDays.THREE_MONTHS,
  120: logs.RetentionDays.FOUR_MONTHS,
  150: logs.RetentionDays.FIVE_MONTHS,
  180: logs.RetentionDays.SIX_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
  400: logs.RetentionDays.THIRTEEN_MONTHS,
  545: logs.RetentionDays.EIGHTEEN_MONTHS,
  731: logs.RetentionDays.TWO_YEARS,
  1096: logs.RetentionDays.THREE_YEARS,
  1827: logs.RetentionDays.FIVE_YEARS,
  2192: logs.RetentionDays.SIX_YEARS,
  2557: logs.RetentionDays.SEVEN_YEARS,
  2922: logs.RetentionDays.EIGHT_YEARS,
  3288: logs.RetentionDays.NINE_YEARS,
  3653: logs.RetentionDays.TEN_YEARS,
};

/** The management account's deploy path: the CDK bootstrap's CloudFormation execution role. */
const MANAGEMENT_DEPLOYER_ROLE_PATTERN = 'cdk-hnb659fds-cfn-exec-role-*';

/** Props of {@link OrganizationTrail}. */
export interface OrganizationTrailProps {
  /** Name of the log-archive trail bucket (in the log-archive account). */
  readonly bucketName: string;
  readonly organizationId: string;
  /** The log-archive account, whose reader roles may decrypt the archived log files (Athena, the console). */
  readonly logArchiveAccountId: string;
  /**
   * Roles in the log-archive account that may decrypt log files archived before the trail moved to the archive's key, as
   * paths below `role/` with wildcards (the archive key names its readers itself).
   * @default DEFAULT_ARCHIVE_READERS
   */
  readonly readerRolePatterns?: readonly string[];
  /**
   * Retention of the CloudWatch Logs copy, in days (a CloudWatch Logs retention value).
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * Record S3 object-level data events (extra cost per 100,000 events).
   * @default false
   */
  readonly s3DataEvents?: boolean;
  /**
   * Record Lambda invoke data events (extra cost per 100,000 events).
   * @default false
   */
  readonly lambdaDataEvents?: boolean;
}

/**
 * An organization trail over all regions with log file validation, delivered to the log archive and to CloudWatch Logs.
 * Its log files are encrypted with the log archive's key (in the log-archive account, named by its alias ARN), which
 * no one in this account, where SCPs never apply, may delete, disable or re-policy. The management account's own key
 * encrypts the CloudWatch Logs copy, and still decrypts the log files archived before the move.
 */
export class OrganizationTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  /** The management account's key: the CloudWatch Logs copy, and log files archived before the trail used the archive key. */
  readonly key: kms.Key;
  /** The log archive's key, as an alias ARN: what the trail encrypts its log files with. */
  readonly archiveKeyArn: string;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OrganizationTrailProps) {
    super(scope, id);
    const retentionDays = props.logRetentionDays ?? 90;
    const retention = RETENTION[retentionDays];
    if (!retention) {
      throw new Error(`OrganizationTrail: logRetentionDays is ${retentionDays}; use a CloudWatch Logs retention: ${Object.keys(RETENTION).join(', ')}`);
    }
    const stack = Stack.of(this);
    const trailArn = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/${ORGANIZATION_TRAIL_NAME}`;

    if (!/^\d{12}$/.test(props.logArchiveAccountId)) {
      throw new Error(`OrganizationTrail: logArchiveAccountId "${props.logArchiveAccountId}" is not a 12-digit account ID; pass the log-archive account's ID`);
    }
    this.archiveKeyArn = `arn:${stack.partition}:kms:${stack.region}:${props.logArchiveAccountId}:${LOG_ARCHIVE_KEY_ALIAS}`;

    // Same construct ID as when it encrypted the log files, so a deployed key stays (and keeps decrypting what it encrypted).
    this.key = new kms.Key(this, 'Key', {
      alias: 'alias/groundwork/organization-trail',
      description: 'Encrypts the Groundwork organization trail log group; decrypts log files archived before the trail used the archive key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Only the deploy path may destroy or re-policy it: a single call from an administrator here no longer can.
    this.key.addToResourcePolicy(denyKeyDestructionExcept(`arn:${stack.partition}:iam::${stack.account}:role/${MANAGEMENT_DEPLOYER_ROLE_PATTERN}`));
    // Kept while the trail switches keys: the trail updates after this key (it depends on the log group, which depends on
    // the key), so this grant leaves no moment in which CloudTrail could not encrypt.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    const readers = props.readerRolePatterns ?? DEFAULT_ARCHIVE_READERS;
    // Only the archive's readers decrypt the log files this key encrypted, not every principal of the organization.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowLogArchiveReadersToDecrypt',
        principals: [new iam.AccountPrincipal(props.logArchiveAccountId)],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:PrincipalArn': readers.map((path) => `arn:${stack.partition}:iam::${props.logArchiveAccountId}:role/${path}`) },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${TRAIL_LOG_GROUP}` },
        },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: TRAIL_LOG_GROUP,
      retention,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: ORGANIZATION_TRAIL_NAME,
      bucket: s3.Bucket.fromBucketName(this, 'LogArchiveBucket', props.bucketName),
      isOrganizationTrail: true,
      orgId: props.organizationId,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });
    // The key lives in another account: an imported key would carry this account's ARN, so the ARN is set as is.
    (this.trail.node.defaultChild as cloudtrail.CfnTrail).kmsKeyId = this.archiveKeyArn;
    if (props.s3DataEvents) this.trail.logAllS3DataEvents();
    if (props.lambdaDataEvents) this.trail.logAllLambdaDataEvents();
    Validations.of(this.trail).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason:
        'CloudTrail writes a log stream per account and region; the stream names are not known in advance, so the delivery role is scoped to the trail log group with a stream wildcard.',
    });
  }
}
