import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ORGANIZATION_TRAIL_NAME } from '../../audit/audit-names.js';
import { LOG_ARCHIVE_BUCKET_PREFIX, LogArchive } from '../constructs/log-archive.js';
import { OrganizationTrail } from '../constructs/organization-trail.js';
import { AuditTrailStack, LogArchiveStack } from './audit-stacks.js';

const ORG = 'o-abcdefghij';
const MANAGEMENT = '111111111111';
const ARCHIVE = '222222222222';

function stacks() {
  const app = new App();
  const archive = new LogArchiveStack(app, 'Archive', {
    env: { account: ARCHIVE, region: 'us-east-1' },
    organizationId: ORG,
    managementAccountId: MANAGEMENT,
    trailRegion: 'us-east-1',
    accountIds: [MANAGEMENT, ARCHIVE, '333333333333'],
    regions: ['us-east-1', 'eu-west-1'],
    objectLockRetentionDays: 365,
  });
  const trail = new AuditTrailStack(app, 'Trail', {
    env: { account: MANAGEMENT, region: 'us-east-1' },
    organizationId: ORG,
    bucketName: `${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`,
    logArchiveAccountId: ARCHIVE,
    logRetentionDays: 90,
  });
  return { archive: Template.fromStack(archive), trail: Template.fromStack(trail) };
}

describe('the organization trail', () => {
  const { trail } = stacks();

  it('is an organization trail over all regions with log file validation, encrypted with KMS', () => {
    trail.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: ORGANIZATION_TRAIL_NAME,
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrganizationTrailKey'), 'Arn'] },
      S3BucketName: `${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`,
    });
  });

  it('records management events only by default (data events cost extra)', () => {
    const props = Object.values(trail.findResources('AWS::CloudTrail::Trail'))[0] as { Properties: { EventSelectors?: { DataResources?: unknown[] }[] } };
    expect((props.Properties.EventSelectors ?? []).flatMap((s) => s.DataResources ?? [])).toEqual([]);
  });

  it('scopes the key policy to CloudTrail for this trail, and decryption to the log-archive readers', () => {
    const key = Object.values(trail.findResources('AWS::KMS::Key'))[0] as {
      Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: Record<string, unknown>[] } };
    };
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const bySid = Object.fromEntries(key.Properties.KeyPolicy.Statement.map((s) => [s.Sid, s]));
    expect(bySid.AllowCloudTrailToEncryptLogs).toMatchObject({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*' });
    expect(JSON.stringify(bySid.AllowCloudTrailToEncryptLogs?.Condition)).toContain(`:cloudtrail:us-east-1:${MANAGEMENT}:trail/${ORGANIZATION_TRAIL_NAME}`);
    expect(bySid.AllowOrganizationToReadLogs).toBeUndefined();
    expect(bySid.AllowLogArchiveReadersToDecrypt).toMatchObject({
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ARCHIVE}:root`]] } },
      Action: 'kms:Decrypt',
      Condition: {
        ArnLike: { 'aws:PrincipalArn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ARCHIVE}:role/aws-reserved/sso.amazonaws.com/*`]] }] },
      },
    });
    // No statement lets any principal of the organization (or anyone) decrypt.
    const decrypters = key.Properties.KeyPolicy.Statement.filter((s) => JSON.stringify(s.Action).includes('kms:Decrypt'));
    for (const s of decrypters) expect(JSON.stringify(s)).not.toMatch(/PrincipalOrgID|"AWS":"\*"/);
  });

  it('delivers to CloudWatch Logs with the configured retention, encrypted', () => {
    trail.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/groundwork/organization-trail', RetentionInDays: 90, KmsKeyId: Match.anyValue() });
    trail.hasResourceProperties('AWS::CloudTrail::Trail', { CloudWatchLogsLogGroupArn: Match.anyValue(), CloudWatchLogsRoleArn: Match.anyValue() });
  });
});

describe('the log archive', () => {
  const { archive } = stacks();
  const trailBucket = () =>
    Object.values(archive.findResources('AWS::S3::Bucket')).find(
      (b) => (b as { Properties: { BucketName: string } }).Properties.BucketName === `${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`,
    ) as { Properties: Record<string, unknown> };

  it('keeps every version under Object Lock in compliance mode, by default, for the configured days', () => {
    expect(trailBucket().Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
  });

  it('uses governance mode when the config asks for it', () => {
    const app = new App();
    const stack = new LogArchiveStack(app, 'Governed', {
      env: { account: ARCHIVE, region: 'us-east-1' },
      organizationId: ORG,
      managementAccountId: MANAGEMENT,
      trailRegion: 'us-east-1',
      accountIds: [ARCHIVE],
      regions: ['us-east-1'],
      objectLockMode: 'GOVERNANCE',
    });
    const buckets = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    expect(buckets.map((b) => b.Properties.ObjectLockConfiguration).filter(Boolean)).toEqual([
      { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
    ]);
  });

  it('encrypts with KMS, blocks public access, moves to Glacier Instant Retrieval after 90 days, and logs access elsewhere', () => {
    expect(trailBucket().Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] })] },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^LogArchiveAccessLogs/) } },
    });
  });

  it('allows only CloudTrail organization delivery, and denies non-TLS access and deletes', () => {
    const policies = Object.values(archive.findResources('AWS::S3::BucketPolicy')) as {
      Properties: { Bucket: { Ref: string }; PolicyDocument: { Statement: Record<string, unknown>[] } };
    }[];
    const policy = policies.find((p) => p.Properties.Bucket.Ref.startsWith('LogArchiveTrail'));
    const statements = policy?.Properties.PolicyDocument.Statement ?? [];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([{ Service: 'cloudtrail.amazonaws.com' }, { Service: 'cloudtrail.amazonaws.com' }]);
    const write = allows.find((s) => s.Sid === 'AWSCloudTrailOrganizationWrite');
    expect(JSON.stringify(write?.Resource)).toContain(`AWSLogs/${ORG}/*`);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyDeletes',
        Effect: 'Deny',
        Action: expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket']),
      }),
    );
  });

  it('has an encrypted Athena workgroup whose results expire after 7 days', () => {
    archive.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'groundwork-audit',
      WorkGroupConfiguration: { EnforceWorkGroupConfiguration: true, ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } } },
    });
    archive.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `groundwork-audit-query-results-${ARCHIVE}-us-east-1`,
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
    });
  });

  it('projects partitions by account, region and date, so no crawler is needed', () => {
    const table = Object.values(archive.findResources('AWS::Glue::Table'))[0] as {
      Properties: { TableInput: { PartitionKeys: { Name: string }[]; Parameters: Record<string, unknown> } };
    };
    expect(table.Properties.TableInput.PartitionKeys.map((k) => k.Name)).toEqual(['account', 'region', 'date']);
    expect(table.Properties.TableInput.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.account.values': `${MANAGEMENT},${ARCHIVE},333333333333`,
      'projection.region.values': 'us-east-1,eu-west-1',
      'projection.date.format': 'yyyy/MM/dd',
    });
    expect(JSON.stringify(table.Properties.TableInput.Parameters['storage.location.template'])).toContain(
      `/AWSLogs/${ORG}/\${account}/CloudTrail/\${region}/\${date}`,
    );
  });
});

describe('the guardrails protect these resources', () => {
  const policy = JSON.parse(readFileSync(new URL('../../org/guardrails/protect-audit-trail/policy.json', import.meta.url), 'utf8')) as {
    Statement: { Resource: string | string[] }[];
  };
  const resources = policy.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const covered = (arn: string) => resources.some((r) => glob(r).test(arn));

  it('names the organization trail', () => {
    expect(covered(`arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/${ORGANIZATION_TRAIL_NAME}`)).toBe(true);
  });

  it('names the trail bucket and the access-log bucket, and their objects', () => {
    for (const bucket of [`${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`, `${LOG_ARCHIVE_BUCKET_PREFIX}access-${ARCHIVE}-us-east-1`]) {
      expect(covered(`arn:aws:s3:::${bucket}`)).toBe(true);
      expect(covered(`arn:aws:s3:::${bucket}/AWSLogs/x`)).toBe(true);
    }
  });
});

describe('construct validation', () => {
  it('rejects a malformed organization ID', () => {
    const app = new App();
    const stack = new LogArchiveStack(app, 'X', {
      env: { account: ARCHIVE, region: 'us-east-1' },
      organizationId: 'o-abcdefghij',
      managementAccountId: MANAGEMENT,
      trailRegion: 'us-east-1',
      accountIds: [ARCHIVE],
      regions: ['us-east-1'],
    });
    expect(() => new LogArchive(stack, 'Bad', { organizationId: 'org-1', managementAccountId: MANAGEMENT, trailRegion: 'us-east-1' })).toThrow(
      'LogArchive: organizationId "org-1" is not an organization ID; expected o- followed by 10-32 lower-case letters or digits',
    );
  });

  it('rejects a log retention CloudWatch Logs does not offer', () => {
    const app = new App();
    const stack = new AuditTrailStack(app, 'Y', {
      env: { account: MANAGEMENT, region: 'us-east-1' },
      organizationId: ORG,
      bucketName: 'groundwork-log-archive-x',
      logArchiveAccountId: ARCHIVE,
    });
    const base = { bucketName: 'groundwork-log-archive-x', organizationId: ORG, logArchiveAccountId: ARCHIVE };
    expect(() => new OrganizationTrail(stack, 'Bad', { ...base, logRetentionDays: 45 })).toThrow(/logRetentionDays is 45; use a CloudWatch Logs retention/);
    expect(() => new OrganizationTrail(stack, 'BadReader', { ...base, logArchiveAccountId: 'log-archive' })).toThrow(
      'OrganizationTrail: logArchiveAccountId "log-archive" is not a 12-digit account ID',
    );
  });
});
