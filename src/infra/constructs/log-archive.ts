import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ORGANIZATION_TRAIL_NAME } from '../../audit/audit-names.js';
import { accessLogsBucket } from './access-logs-bucket.js';

/** The trail name the guardrail SCP protects (src/org/guardrails/protect-audit-trail). */
/** Prefix of every log-archive bucket the guardrail SCP protects. */
export const LOG_ARCHIVE_BUCKET_PREFIX = 'groundwork-log-archive-';

/** Props of {@link LogArchive}. */
export interface LogArchiveProps {
  /** The organization ID (`o-…`); CloudTrail writes under AWSLogs/<organizationId>/. */
  readonly organizationId: string;
  /** The management account, where the organization trail lives. */
  readonly managementAccountId: string;
  /** Region of the organization trail. */
  readonly trailRegion: string;
  /**
   * Object Lock retention of every log file, in days.
   * @default 365
   */
  readonly objectLockRetentionDays?: number;
  /**
   * Object Lock mode. COMPLIANCE cannot be bypassed by anyone, root included, until retention ends; GOVERNANCE can be
   * bypassed with s3:BypassGovernanceRetention (which the protect-audit-trail guardrail denies in member accounts).
   * @default 'COMPLIANCE'
   */
  readonly objectLockMode?: 'COMPLIANCE' | 'GOVERNANCE';
  /**
   * Days before log files move to Glacier Instant Retrieval.
   * @default 90
   */
  readonly glacierTransitionDays?: number;
}

/** The immutable log archive: a versioned, Object Lock, SSE-KMS bucket that only CloudTrail's organization delivery may write to. */
export class LogArchive extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    // Access logs are delivered through a bucket policy, not ACLs: the buckets enforce bucket-owner ownership.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = props.objectLockRetentionDays ?? 365;
    const transition = props.glacierTransitionDays ?? 90;
    const mode = props.objectLockMode ?? 'COMPLIANCE';
    if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') {
      throw new Error(
        `LogArchive: objectLockMode is "${mode}"; use COMPLIANCE (cannot be bypassed) or GOVERNANCE (bypassable with s3:BypassGovernanceRetention)`,
      );
    }
    if (!/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      throw new Error(
        `LogArchive: organizationId "${props.organizationId}" is not an organization ID; expected o- followed by 10-32 lower-case letters or digits`,
      );
    }
    if (!Number.isInteger(retention) || retention < 1 || retention > 36500) {
      throw new Error(`LogArchive: objectLockRetentionDays is ${retention}; use a whole number of days from 1 to 36500`);
    }
    const stack = Stack.of(this);
    const trailArn = `arn:${stack.partition}:cloudtrail:${props.trailRegion}:${props.managementAccountId}:trail/${ORGANIZATION_TRAIL_NAME}`;

    this.key = new kms.Key(this, 'Key', {
      alias: 'alias/groundwork/log-archive',
      description: 'Encrypts the Groundwork log-archive buckets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );

    this.accessLogsBucket = accessLogsBucket(this, {
      bucketName: `${LOG_ARCHIVE_BUCKET_PREFIX}access-${stack.account}-${stack.region}`,
      servedBuckets: 'the log-archive buckets',
      retentionDays: retention,
    });

    this.bucket = new s3.Bucket(this, 'Trail', {
      bucketName: `${LOG_ARCHIVE_BUCKET_PREFIX}${stack.account}-${stack.region}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        mode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(Duration.days(retention)) : s3.ObjectLockRetention.governance(Duration.days(retention)),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'trail-bucket/',
      lifecycleRules: [
        {
          id: 'GlacierInstantRetrieval',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transition) }],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudtrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailAclCheck',
        principals: [cloudtrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailOrganizationWrite',
        principals: [cloudtrail],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${props.managementAccountId}/*`), this.bucket.arnForObjects(`AWSLogs/${props.organizationId}/*`)],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDeletes',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket', 's3:PutLifecycleConfiguration', 's3:BypassGovernanceRetention'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
  }
}
