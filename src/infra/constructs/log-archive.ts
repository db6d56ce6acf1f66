import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LOG_ARCHIVE_KEY_ALIAS, ORGANIZATION_TRAIL_NAME } from '../../audit/audit-names.js';
import { ARCHIVE_DEPLOYER_ROLE_PATTERN } from '../../org/guardrails/protected-roles.js';
import { accessLogsBucket } from './access-logs-bucket.js';

/**
 * Key calls that would make the archive unreadable (deletion, disabling, a policy that drops the readers) or move its
 * alias (the trail names the key by it): the key policy denies them to everyone but the deploy role.
 */
export const ARCHIVE_KEY_PROTECTED_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DeleteAlias', 'kms:UpdateAlias'] as const;

/** The key-policy statement that denies {@link ARCHIVE_KEY_PROTECTED_ACTIONS} to every principal whose ARN is not `deployer` (a pattern). */
export function denyKeyDestructionExcept(deployer: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyKeyDestructionExceptDeployRole',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...ARCHIVE_KEY_PROTECTED_ACTIONS],
    resources: ['*'],
    conditions: { ArnNotLike: { 'aws:PrincipalArn': deployer } },
  });
}

/**
 * Roles of the log-archive account that may read the archive (decrypt log files, run Athena with encrypted results):
 * Identity Center permission-set roles, and the role the CLI and the console search through.
 */
export const DEFAULT_ARCHIVE_READERS = ['aws-reserved/sso.amazonaws.com/*', 'OrganizationAccountAccessRole'] as const;

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
  /**
   * Roles in this account that may decrypt the archive, as paths below `role/` with wildcards.
   * @default DEFAULT_ARCHIVE_READERS
   */
  readonly readerRolePatterns?: readonly string[];
}

/**
 * The immutable log archive: a versioned, Object Lock, SSE-KMS bucket that only CloudTrail's organization delivery may
 * write to, and the key that encrypts the trail's log files. Only the deploy role (the StackSet's execution role) may
 * administer the key; its deletion, disabling, policy and alias changes are denied to every other principal, and
 * attempts are forwarded to the management account's event bus, where the audit tamper alarm reports them.
 */
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
      alias: LOG_ARCHIVE_KEY_ALIAS,
      description: 'Encrypts the Groundwork organization trail and the log-archive buckets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Given whole, so the CDK adds no `kms:*` for the account: no administrator of this account may manage the key.
      policy: archiveKeyPolicy(stack, trailArn, props.readerRolePatterns ?? DEFAULT_ARCHIVE_READERS),
    });
    this.forwardKeyEvents(props.managementAccountId, props.trailRegion);

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

  /**
   * Sends every protected key call made in this account (allowed or denied) to the management account's default event
   * bus, where the audit tamper alarm matches it: the key lives here, but the operators' topic is there.
   */
  private forwardKeyEvents(managementAccountId: string, region: string): void {
    const stack = Stack.of(this);
    const bus = events.EventBus.fromEventBusArn(this, 'ManagementEventBus', `arn:${stack.partition}:events:${region}:${managementAccountId}:event-bus/default`);
    new events.Rule(this, 'ForwardKeyEvents', {
      description: 'Groundwork: protected calls on the log-archive key, to the management account, where the audit tamper alarm reports them',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventName: ARCHIVE_KEY_PROTECTED_ACTIONS.map((a) => a.replace('kms:', '')) },
      },
      targets: [new targets.EventBus(bus)],
    });
  }
}

/** The archive key's policy: the deploy role administers, CloudTrail encrypts, the readers decrypt, nobody else destroys. */
function archiveKeyPolicy(stack: Stack, trailArn: string, readers: readonly string[]): iam.PolicyDocument {
  const account = new iam.AccountRootPrincipal();
  const role = (path: string) => `arn:${stack.partition}:iam::${stack.account}:role/${path}`;
  const deployer = role(ARCHIVE_DEPLOYER_ROLE_PATTERN);
  return new iam.PolicyDocument({
    statements: [
      // The deploy role keeps every key permission, kms:PutKeyPolicy included: KMS refuses a policy that would lock out its caller.
      new iam.PolicyStatement({
        sid: 'KeyAdministrationByDeployRole',
        principals: [account],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': deployer } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadKeyMetadata',
        principals: [account],
        actions: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
        resources: ['*'],
      }),
      denyKeyDestructionExcept(deployer),
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
      // Athena writes its encrypted results with the reader's own permissions, hence GenerateDataKey.
      new iam.PolicyStatement({
        sid: 'AllowReadersToUseKey',
        principals: [account],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': readers.map(role) } },
      }),
    ],
  });
}
