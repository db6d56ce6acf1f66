import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Props of {@link ConfigRecordingStack}. */
export interface ConfigRecordingStackProps extends StackProps {
  /** The home region: the only one that records global resource types (IAM), so they are not recorded and paid for twice. */
  readonly homeRegion: string;
  /** CONTINUOUS records every change; DAILY one configuration item per resource a day. */
  readonly recordingFrequency: 'CONTINUOUS' | 'DAILY';
  /**
   * Days the configuration snapshots and history files are kept in the delivery bucket.
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * AWS Config recording in one account and region (a StackSet instance in members, a stack in the management account):
 * every supported resource type, global types in the home region only, delivered to an encrypted bucket of the account
 * itself, through a role with AWS's own recorder policy. This is what Security Hub's controls evaluate: without it most
 * report no data. An account may have one recorder per region: one made by someone else makes this stack fail (runbook).
 */
export class ConfigRecordingStack extends Stack {
  constructor(scope: Construct, id: string, props: ConfigRecordingStackProps) {
    super(scope, id, props);
    const bucket = new s3.Bucket(this, 'DeliveryBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireConfigHistory', expiration: Duration.days(props.retentionDays ?? 365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'AWS Config writes its snapshots here and CloudTrail already records every access to the bucket; a second access-log bucket per account and region would only add cost.',
    });
    // Config delivers as its service principal, for this account only (AWS's documented delivery-bucket policy).
    const sourceAccount = { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID } };
    const config_ = new iam.ServicePrincipal('config.amazonaws.com');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketPermissionsCheck',
        principals: [config_],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: sourceAccount,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketDelivery',
        principals: [config_],
        actions: ['s3:PutObject'],
        resources: [`${bucket.bucketArn}/AWSLogs/${Aws.ACCOUNT_ID}/Config/*`],
        conditions: { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );

    const role = new iam.Role(this, 'RecorderRole', {
      description: 'Groundwork: lets AWS Config read resource configurations for the recorder',
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com', { conditions: sourceAccount }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
      reason: "AWS_ConfigRole is AWS's own policy for the recorder, kept current by AWS as Config supports new resource types; a copy would fall behind.",
    });

    const home = new CfnCondition(this, 'InHomeRegion', { expression: Fn.conditionEquals(Aws.REGION, props.homeRegion) });
    const recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      name: 'groundwork',
      roleArn: role.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: Fn.conditionIf(home.logicalId, true, false) as unknown as boolean },
      recordingMode: { recordingFrequency: props.recordingFrequency },
    });
    const channel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      name: 'groundwork',
      s3BucketName: bucket.bucketName,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // The delivery channel needs the recorder, and the bucket policy must let Config in before its first delivery.
    channel.addDependency(recorder);
    channel.node.addDependency(bucket.policy ?? bucket);
  }
}
