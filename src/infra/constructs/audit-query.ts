import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_DATABASE, AUDIT_TABLE, AUDIT_WORKGROUP } from '../../audit/audit-names.js';

/** The Glue database and table names the audit search queries. */

/** Props of {@link AuditQuery}. */
export interface AuditQueryProps {
  /** The trail bucket. */
  readonly trailBucket: s3.IBucket;
  /** Bucket that receives server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Key for query results. */
  readonly key: kms.IKey;
  readonly organizationId: string;
  /** Account IDs whose logs the table projects. */
  readonly accountIds: readonly string[];
  /** Regions whose logs the table projects. */
  readonly regions: readonly string[];
  /**
   * Days Athena query results are kept.
   * @default 7
   */
  readonly resultRetentionDays?: number;
  /**
   * First day the date partition projects, yyyy/MM/dd.
   * @default '2024/01/01'
   */
  readonly firstDay?: string;
}

/** CloudTrail columns, as AWS documents them for Athena. */
const CLOUDTRAIL_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'eventversion', type: 'string' },
  {
    name: 'useridentity',
    type: 'struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,sourceidentity:string>>',
  },
  { name: 'eventtime', type: 'string' },
  { name: 'eventsource', type: 'string' },
  { name: 'eventname', type: 'string' },
  { name: 'awsregion', type: 'string' },
  { name: 'sourceipaddress', type: 'string' },
  { name: 'useragent', type: 'string' },
  { name: 'errorcode', type: 'string' },
  { name: 'errormessage', type: 'string' },
  { name: 'requestparameters', type: 'string' },
  { name: 'responseelements', type: 'string' },
  { name: 'additionaleventdata', type: 'string' },
  { name: 'requestid', type: 'string' },
  { name: 'eventid', type: 'string' },
  { name: 'readonly', type: 'string' },
  { name: 'resources', type: 'array<struct<arn:string,accountid:string,type:string>>' },
  { name: 'eventtype', type: 'string' },
  { name: 'apiversion', type: 'string' },
  { name: 'recipientaccountid', type: 'string' },
  { name: 'serviceeventdetails', type: 'string' },
  { name: 'sharedeventid', type: 'string' },
  { name: 'vpcendpointid', type: 'string' },
];

/** Athena over the log archive: an encrypted workgroup, and a CloudTrail table with partition projection (account, region, date), so no crawler runs. */
export class AuditQuery extends Construct {
  readonly resultsBucket: s3.Bucket;
  readonly workGroup: athena.CfnWorkGroup;
  readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: AuditQueryProps) {
    super(scope, id);
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = props.resultRetentionDays ?? 7;
    if (props.accountIds.length === 0) throw new Error('AuditQuery: accountIds is empty; pass every account whose trail logs should be queryable');
    if (props.regions.length === 0) throw new Error('AuditQuery: regions is empty; pass the governed regions');
    const stack = Stack.of(this);

    this.resultsBucket = new s3.Bucket(this, 'Results', {
      bucketName: `groundwork-audit-query-results-${stack.account}-${stack.region}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'query-results/',
      lifecycleRules: [{ id: 'ExpireResults', expiration: Duration.days(retention) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: AUDIT_WORKGROUP,
      description: 'Groundwork audit search over the organization trail',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: AUDIT_DATABASE, description: 'Groundwork: the organization trail, queryable with Athena' },
    });
    const location = `s3://${props.trailBucket.bucketName}/AWSLogs/${props.organizationId}`;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: AUDIT_DATABASE,
      tableInput: {
        name: AUDIT_TABLE,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'account', type: 'string' },
          { name: 'region', type: 'string' },
          { name: 'date', type: 'string' },
        ],
        parameters: {
          classification: 'cloudtrail',
          'projection.enabled': 'true',
          'projection.account.type': 'enum',
          'projection.account.values': props.accountIds.join(','),
          'projection.region.type': 'enum',
          'projection.region.values': props.regions.join(','),
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy/MM/dd',
          'projection.date.range': `${props.firstDay ?? '2024/01/01'},NOW`,
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${location}/\${account}/CloudTrail/\${region}/\${date}`,
        },
        storageDescriptor: {
          columns: CLOUDTRAIL_COLUMNS,
          location,
          inputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
        },
      },
    });
    this.table.addResourceDependency(database);
  }
}
