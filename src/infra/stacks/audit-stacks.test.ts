import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LOG_ARCHIVE_KEY_ALIAS, ORGANIZATION_TRAIL_NAME } from '../../audit/audit-names.js';
import { resolveValue } from '../../delivery/trust-policy.js';
import { accountOf, administratorMay, type PolicyDocument } from '../../org/policy-evaluation.js';
import { AUDIT_TAMPER_EVENTS } from '../constructs/audit-tamper-alarm.js';
import { LOG_ARCHIVE_BUCKET_PREFIX, LogArchive } from '../constructs/log-archive.js';
import { OrganizationTrail } from '../constructs/organization-trail.js';
import { AuditTrailStack, LogArchiveStack } from './audit-stacks.js';
import { OperatorNotificationsStack } from './operator-notifications-stack.js';

const ORG = 'o-abcdefghij';
const MANAGEMENT = '111111111111';
const ARCHIVE = '222222222222';

function stacks() {
  const app = new App();
  const notifications = new OperatorNotificationsStack(app, 'Notifications', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  const operatorTopic = notifications.notifications.topic;
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
    operatorTopic,
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
      KMSKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:us-east-1:${ARCHIVE}:${LOG_ARCHIVE_KEY_ALIAS}`]] },
      S3BucketName: `${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`,
    });
  });

  it('records management events only by default (data events cost extra)', () => {
    const props = Object.values(trail.findResources('AWS::CloudTrail::Trail'))[0] as { Properties: { EventSelectors?: { DataResources?: unknown[] }[] } };
    expect((props.Properties.EventSelectors ?? []).flatMap((s) => s.DataResources ?? [])).toEqual([]);
  });

  it("keeps the management account's key for the log group and the files it encrypted before, readable by the archive's readers only", () => {
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
        ArnLike: {
          'aws:PrincipalArn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ARCHIVE}:role/aws-reserved/sso.amazonaws.com/*`]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ARCHIVE}:role/OrganizationAccountAccessRole`]] },
          ],
        },
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
    Statement: { Resource: string | string[]; Action: string | string[] }[];
  };
  const resources = policy.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const covered = (arn: string) => resources.some((r) => glob(r).test(arn));

  it('name no trail action: the organization trail is in the management account, which no SCP binds, and members cannot change it', () => {
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('cloudtrail:'))).toEqual([]);
  });

  it('names the trail bucket and the access-log bucket, and their objects', () => {
    for (const bucket of [`${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`, `${LOG_ARCHIVE_BUCKET_PREFIX}access-${ARCHIVE}-us-east-1`]) {
      expect(covered(`arn:aws:s3:::${bucket}`)).toBe(true);
      expect(covered(`arn:aws:s3:::${bucket}/AWSLogs/x`)).toBe(true);
    }
  });
});

describe('only the deploy path can change the archive bucket, its key and the trail', () => {
  const { archive, trail } = stacks();
  const resolve = (value: unknown, account: string) => resolveValue(value, { parameters: {}, accountId: account, region: 'us-east-1' });
  const scps = ['protect-audit-trail', 'protect-groundwork-roles'].map(
    (name) => JSON.parse(readFileSync(new URL(`../../org/guardrails/${name}/policy.json`, import.meta.url), 'utf8')) as PolicyDocument,
  );
  const guard = { scps, managementAccount: MANAGEMENT };

  /** The key the trail encrypts its log files with, found from the trail's KMSKeyId: its account and its key policy. */
  function trailKey(): { account: string; policy: PolicyDocument; aliases: string[] } {
    const props = Object.values(trail.findResources('AWS::CloudTrail::Trail'))[0]?.Properties as { KMSKeyId: unknown };
    const keyId = props.KMSKeyId as { 'Fn::GetAtt'?: [string, string] };
    const [template, account, logicalId] = keyId['Fn::GetAtt']
      ? [trail, MANAGEMENT, keyId['Fn::GetAtt'][0]]
      : (() => {
          const arn = String(resolve(props.KMSKeyId, MANAGEMENT));
          const [, , , , keyAccount, alias] = arn.split(':');
          const target = Object.values(archive.findResources('AWS::KMS::Alias')).find((a) => a.Properties.AliasName === alias);
          return [archive, String(keyAccount), (target?.Properties.TargetKeyId as { 'Fn::GetAtt': [string] } | undefined)?.['Fn::GetAtt'][0] ?? ''];
        })();
    const key = template.findResources('AWS::KMS::Key')[logicalId] as { Properties: { KeyPolicy: unknown } };
    const aliases = Object.values(template.findResources('AWS::KMS::Alias'))
      .filter((a) => JSON.stringify(a.Properties.TargetKeyId).includes(logicalId))
      .map((a) => String(a.Properties.AliasName));
    return { account, policy: resolve(key.Properties.KeyPolicy, account) as PolicyDocument, aliases };
  }

  /** A bucket's ARN in place of each `Fn::GetAtt [bucket, Arn]`: the bucket names are fixed, so the ARNs are known. */
  const bucketArns = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(bucketArns);
    if (!value || typeof value !== 'object') return value;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    const bucket = getAtt && archive.findResources('AWS::S3::Bucket')[getAtt[0]];
    if (bucket && getAtt?.[1] === 'Arn') return `arn:aws:s3:::${resolve(bucket.Properties.BucketName, ARCHIVE)}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bucketArns(v)]));
  };
  const bucketPolicy = () => {
    const policies = Object.values(archive.findResources('AWS::S3::BucketPolicy'));
    const found = policies.find((p) => (p.Properties.Bucket as { Ref: string }).Ref.startsWith('LogArchiveTrail'));
    return resolve(bucketArns(found?.Properties.PolicyDocument), ARCHIVE) as PolicyDocument;
  };

  const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
  const principals = {
    'management root user': `arn:aws:iam::${MANAGEMENT}:root`,
    'management administrator': role(MANAGEMENT, 'aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformAdmin_0a1b2c3d'),
    'management deploy role (CDK execution role)': role(MANAGEMENT, `cdk-hnb659fds-cfn-exec-role-${MANAGEMENT}-us-east-1`),
    'log-archive root user': `arn:aws:iam::${ARCHIVE}:root`,
    'log-archive administrator': role(ARCHIVE, 'aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0a1b2c3d'),
    'log-archive OrganizationAccountAccessRole': role(ARCHIVE, 'OrganizationAccountAccessRole'),
    'log-archive deploy role (StackSet execution role)': role(ARCHIVE, 'stacksets-exec-9f8e7d6c5b4a39281706f5e4d3c2b1a0'),
    'workload account administrator': role('333333333333', 'OrganizationAccountAccessRole'),
  };
  type Who = keyof typeof principals;
  const allowed = (check: (principal: string) => boolean) => (Object.keys(principals) as Who[]).filter((who) => check(principals[who]));

  it('the key of the log files: only the log-archive deploy role may delete, disable, re-policy it or move its alias', () => {
    const key = trailKey();
    expect(key.account).toBe(ARCHIVE);
    expect(key.aliases).toEqual([LOG_ARCHIVE_KEY_ALIAS]);
    const resource = `arn:aws:kms:us-east-1:${key.account}:key/0a1b2c3d-0000-4000-8000-000000000000`;
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DeleteAlias', 'kms:UpdateAlias']) {
      const who = allowed((principal) =>
        administratorMay(
          { principal, action, resource, context: { 'kms:ResourceAliases': key.aliases } },
          { ...guard, account: key.account, policy: key.policy, policyMustAllow: true },
        ),
      );
      expect({ action, who }).toEqual({ action, who: ['log-archive deploy role (StackSet execution role)'] });
    }
  });

  it('the key: the SCP alone also stops every member principal but the deploy role (a key policy changed by the deploy path cannot open it)', () => {
    const resource = `arn:aws:kms:us-east-1:${ARCHIVE}:key/0a1b2c3d-0000-4000-8000-000000000000`;
    const openKey: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ARCHIVE}:root` }, Action: 'kms:*', Resource: '*' }] };
    const who = allowed((principal) =>
      administratorMay(
        { principal, action: 'kms:ScheduleKeyDeletion', resource, context: { 'kms:ResourceAliases': [LOG_ARCHIVE_KEY_ALIAS] } },
        { ...guard, account: ARCHIVE, policy: openKey, policyMustAllow: true },
      ),
    );
    expect(who).toEqual(['log-archive deploy role (StackSet execution role)']);
  });

  it('the key lets CloudTrail encrypt for this trail only, and the readers decrypt; no one else decrypts', () => {
    const key = trailKey();
    const resource = `arn:aws:kms:us-east-1:${key.account}:key/k`;
    const may = (principal: string, action: string, context = {}) =>
      administratorMay({ principal, action, resource, context }, { ...guard, account: key.account, policy: key.policy, policyMustAllow: true });
    const trailArn = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/${ORGANIZATION_TRAIL_NAME}`;
    expect(may('cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': trailArn })).toBe(true);
    expect(may('cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:333333333333:trail/x` })).toBe(false);
    expect(allowed((principal) => may(principal, 'kms:Decrypt'))).toEqual([
      'log-archive administrator',
      'log-archive OrganizationAccountAccessRole',
      'log-archive deploy role (StackSet execution role)',
    ]);
  });

  it('the archive bucket: only the log-archive deploy role may change its policy or Object Lock, and no one may delete it', () => {
    const resource = `arn:aws:s3:::${LOG_ARCHIVE_BUCKET_PREFIX}${ARCHIVE}-us-east-1`;
    const may = (action: string) =>
      allowed((principal) =>
        administratorMay({ principal, action, resource, context: { 'aws:SecureTransport': 'true' } }, { ...guard, account: ARCHIVE, policy: bucketPolicy() }),
      );
    for (const action of ['s3:PutBucketPolicy', 's3:PutBucketObjectLockConfiguration', 's3:PutEncryptionConfiguration', 's3:PutBucketVersioning']) {
      expect({ action, who: may(action) }).toEqual({ action, who: ['log-archive deploy role (StackSet execution role)'] });
    }
    expect(may('s3:DeleteBucket')).toEqual([]);
    expect(
      allowed((principal) =>
        administratorMay(
          { principal, action: 's3:DeleteObjectVersion', resource: `${resource}/AWSLogs/${ORG}/x.json.gz`, context: { 'aws:SecureTransport': 'true' } },
          { ...guard, account: ARCHIVE, policy: bucketPolicy() },
        ),
      ),
    ).toEqual([]);
  });

  it('no one in a member account can make or re-trust a role that matches the deploy role, OrganizationAccountAccessRole included', () => {
    for (const [action, resource] of [
      ['iam:CreateRole', role(ARCHIVE, 'stacksets-exec-lookalike')],
      ['iam:UpdateAssumeRolePolicy', principals['log-archive deploy role (StackSet execution role)']],
      ['iam:PutRolePolicy', principals['log-archive deploy role (StackSet execution role)']],
    ] as const) {
      const who = allowed((principal) => accountOf(principal) === ARCHIVE && administratorMay({ principal, action, resource }, { ...guard, account: ARCHIVE }));
      expect({ action, who }).toEqual({ action, who: [] });
    }
  });

  it('the trail: no member principal can change it; management administrators can (no SCP binds them), and each such call raises the alarm', () => {
    const resource = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/${ORGANIZATION_TRAIL_NAME}`;
    for (const action of ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors']) {
      const who = allowed((principal) => administratorMay({ principal, action, resource }, { ...guard, account: MANAGEMENT }));
      expect({ action, who }).toEqual({
        action,
        who: ['management root user', 'management administrator', 'management deploy role (CDK execution role)'],
      });
      expect(AUDIT_TAMPER_EVENTS['cloudtrail.amazonaws.com']).toContain(action.replace('cloudtrail:', ''));
    }
  });

  it("the management account's own key (the log group, and files archived before the move): no single call of an administrator there destroys it", () => {
    const keys = trail.findResources('AWS::KMS::Key');
    const [logicalId, key] = Object.entries(keys).find(([id]) => id.startsWith('OrganizationTrailKey')) ?? [];
    expect(logicalId).toBeDefined();
    const policy = resolve((key as { Properties: { KeyPolicy: unknown } }).Properties.KeyPolicy, MANAGEMENT) as PolicyDocument;
    const resource = `arn:aws:kms:us-east-1:${MANAGEMENT}:key/k`;
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy']) {
      const who = allowed((principal) => administratorMay({ principal, action, resource }, { ...guard, account: MANAGEMENT, policy, policyMustAllow: true }));
      expect({ action, who }).toEqual({ action, who: ['management deploy role (CDK execution role)'] });
    }
  });
});

describe('the audit tamper alarm', () => {
  const { trail, archive } = stacks();

  it('sends every tampering call on the trail and on the log keys to the operators topic', () => {
    const rule = Object.values(trail.findResources('AWS::Events::Rule'))[0] as { Properties: Record<string, unknown> };
    expect(rule.Properties).toMatchObject({
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.cloudtrail', 'aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudtrail.amazonaws.com', 'kms.amazonaws.com'],
          eventName: [
            'StopLogging',
            'DeleteTrail',
            'UpdateTrail',
            'PutEventSelectors',
            'ScheduleKeyDeletion',
            'DisableKey',
            'PutKeyPolicy',
            'DeleteAlias',
            'UpdateAlias',
          ],
        },
      },
      Targets: [expect.objectContaining({ Arn: { 'Fn::ImportValue': expect.stringMatching(/OperatorNotificationsTopic/) } })],
    });
    expect(JSON.stringify(rule.Properties.Targets)).toContain('Groundwork audit alarm: <detail-eventName>');
  });

  it('receives the key calls of the log-archive account, which forwards them to the management default bus', () => {
    trail.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ARCHIVE}:root`]] } },
        // Only the forwarded API calls, not any event a log-archive principal makes up with PutEvents.
        Condition: { 'ForAllValues:StringEquals': { 'events:source': ['aws.cloudtrail', 'aws.kms'], 'events:detail-type': ['AWS API Call via CloudTrail'] } },
      },
    });
    archive.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.kms'], detail: { eventName: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy', 'DeleteAlias', 'UpdateAlias'] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-1:${MANAGEMENT}:event-bus/default`]] } })],
    });
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
      operatorTopic: new OperatorNotificationsStack(app, 'N', { env: { account: MANAGEMENT, region: 'us-east-1' } }).notifications.topic,
    });
    const base = { bucketName: 'groundwork-log-archive-x', organizationId: ORG, logArchiveAccountId: ARCHIVE };
    expect(() => new OrganizationTrail(stack, 'Bad', { ...base, logRetentionDays: 45 })).toThrow(/logRetentionDays is 45; use a CloudWatch Logs retention/);
    expect(() => new OrganizationTrail(stack, 'BadReader', { ...base, logArchiveAccountId: 'log-archive' })).toThrow(
      'OrganizationTrail: logArchiveAccountId "log-archive" is not a 12-digit account ID',
    );
  });
});
