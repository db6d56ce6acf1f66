import { type AwsSecurityFinding, BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { ClientFactory } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';

/** The generator every sample finding names: what marks a Security Hub finding as sandbox sample data. */
export const SAMPLE_FINDING_GENERATOR = 'groundwork-sample';

const SAMPLES: readonly { account: string; label: 'MEDIUM' | 'HIGH' | 'CRITICAL'; title: string; type: string }[] = [
  { account: 'prod', label: 'HIGH', title: 'S3 general purpose buckets should block public read access', type: 'AwsS3Bucket' },
  { account: 'staging', label: 'CRITICAL', title: 'Security groups should not allow ingress from 0.0.0.0/0 to port 22', type: 'AwsEc2SecurityGroup' },
  { account: 'dev', label: 'MEDIUM', title: 'EBS snapshots should not be publicly restorable', type: 'AwsEc2Snapshot' },
];

/** The sample findings for the accounts that exist, in BatchImportFindings' shape, each titled `[sample] …`. */
export function sampleFindings(adminAccountId: string, region: string, accounts: ReadonlyMap<string, string>, now: Date): AwsSecurityFinding[] {
  const at = now.toISOString();
  return SAMPLES.filter((s) => accounts.has(s.account)).map((s, i) => {
    const accountId = accounts.get(s.account) as string;
    return {
      SchemaVersion: '2018-10-08',
      Id: `groundwork-sample-${i + 1}`,
      ProductArn: `arn:aws:securityhub:${region}:${adminAccountId}:product/${adminAccountId}/default`,
      GeneratorId: SAMPLE_FINDING_GENERATOR,
      AwsAccountId: accountId,
      Region: region,
      CreatedAt: at,
      UpdatedAt: at,
      Title: `[sample] ${s.title}`,
      Description: 'Sample data seeded by groundwork up into the sandbox; not a real finding.',
      Resources: [{ Type: s.type, Id: `arn:aws:${s.type}:${region}:${accountId}:sample` }],
      Severity: { Label: s.label },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    } as AwsSecurityFinding;
  });
}

/**
 * Imports the sample findings into the administrator account's Security Hub, where the console counts them (the same
 * IDs each time, so a second `up` updates rather than adds). Returns how many; 0 when Security Hub is not enabled there.
 */
export async function seedSampleFindings(
  clients: ClientFactory,
  admin: { accountId: string; isCaller: boolean },
  region: string,
  accounts: ReadonlyMap<string, string>,
  options: { now?: Clock } = {},
): Promise<number> {
  const findings = sampleFindings(admin.accountId, region, accounts, (options.now ?? systemClock)());
  if (findings.length === 0) return 0;
  const hub = clients.create(SecurityHubClient, { ...(admin.isCaller ? {} : { accountId: admin.accountId }), region });
  try {
    const { SuccessCount } = await hub.send(new BatchImportFindingsCommand({ Findings: findings }));
    return SuccessCount ?? 0;
  } catch (error) {
    if ((error as Error).name === 'InvalidAccessException') return 0;
    throw error;
  }
}
