import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Props of {@link accessLogsBucket}. */
export interface AccessLogsBucketProps {
  /** Which buckets log into it, for the cdk-nag acknowledgement, e.g. "the log-archive buckets". */
  readonly servedBuckets: string;
  /** Days the logs are kept. */
  readonly retentionDays: number;
  /**
   * The bucket's name.
   * @default a name CloudFormation generates
   */
  readonly bucketName?: string;
}

/**
 * The bucket that receives other buckets' server access logs, as construct `AccessLogs` of `scope`: private, TLS
 * only, versioned, bucket-owner enforced, S3-managed encryption (log delivery cannot use a KMS key), kept
 * `retentionDays`. The scope must set the context `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` before its first child.
 */
export function accessLogsBucket(scope: Construct, props: AccessLogsBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'AccessLogs', {
    ...(props.bucketName ? { bucketName: props.bucketName } : {}),
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(props.retentionDays) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket receives the server access logs of ${props.servedBuckets}; logging it to itself would loop.`,
  });
  return bucket;
}
