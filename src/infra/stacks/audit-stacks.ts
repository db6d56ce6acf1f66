import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AuditQuery } from '../constructs/audit-query.js';
import { AuditTamperAlarm } from '../constructs/audit-tamper-alarm.js';
import { LogArchive } from '../constructs/log-archive.js';
import { OrganizationTrail } from '../constructs/organization-trail.js';

/** Props of {@link LogArchiveStack}. */
export interface LogArchiveStackProps extends StackProps {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly trailRegion: string;
  readonly accountIds: readonly string[];
  readonly regions: readonly string[];
  /** @default 365 */
  readonly objectLockRetentionDays?: number;
  /** @default 'COMPLIANCE' */
  readonly objectLockMode?: 'COMPLIANCE' | 'GOVERNANCE';
}

/** Log-archive account: the immutable trail bucket, its access-log bucket, the key of the trail's log files, and Athena over it. */
export class LogArchiveStack extends Stack {
  readonly archive: LogArchive;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, props);
    this.archive = new LogArchive(this, 'LogArchive', {
      organizationId: props.organizationId,
      managementAccountId: props.managementAccountId,
      trailRegion: props.trailRegion,
      objectLockRetentionDays: props.objectLockRetentionDays,
      objectLockMode: props.objectLockMode,
    });
    new AuditQuery(this, 'AuditQuery', {
      trailBucket: this.archive.bucket,
      accessLogsBucket: this.archive.accessLogsBucket,
      key: this.archive.key,
      organizationId: props.organizationId,
      accountIds: props.accountIds,
      regions: props.regions,
    });
    new CfnOutput(this, 'TrailBucketName', { value: this.archive.bucket.bucketName });
  }
}

/** Props of {@link AuditTrailStack}. */
export interface AuditTrailStackProps extends StackProps {
  readonly organizationId: string;
  readonly bucketName: string;
  /** The log-archive account: its key encrypts the log files, and its reader roles decrypt them. */
  readonly logArchiveAccountId: string;
  /** The operators' topic, which the audit tamper alarm publishes to (its policy must let EventBridge publish). */
  readonly operatorTopic: sns.ITopic;
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** @default false */
  readonly s3DataEvents?: boolean;
  /** @default false */
  readonly lambdaDataEvents?: boolean;
}

/** Management account: the organization trail, and the alarm on calls that stop it or destroy its keys. */
export class AuditTrailStack extends Stack {
  readonly trail: OrganizationTrail;

  constructor(scope: Construct, id: string, props: AuditTrailStackProps) {
    super(scope, id, props);
    this.trail = new OrganizationTrail(this, 'OrganizationTrail', {
      bucketName: props.bucketName,
      organizationId: props.organizationId,
      logArchiveAccountId: props.logArchiveAccountId,
      logRetentionDays: props.logRetentionDays,
      s3DataEvents: props.s3DataEvents,
      lambdaDataEvents: props.lambdaDataEvents,
    });
    new AuditTamperAlarm(this, 'TamperAlarm', { topic: props.operatorTopic, forwardingAccountIds: [props.logArchiveAccountId] });
    new CfnOutput(this, 'TrailArn', { value: this.trail.trail.trailArn });
  }
}
