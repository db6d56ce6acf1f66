import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type CloudTrailRecord, SAMPLE_USER_AGENT } from '../audit/audit-event.js';
import { TRAIL_LOG_GROUP } from '../audit/audit-names.js';
import { isError } from '../aws/aws-error.js';
import type { ClientFactory } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';
import { seededRandom } from './seeded-random.js';
import { writeTrailRecords } from './trail-recorder.js';

const PEOPLE = ['ana.garcia', 'ben.okafor', 'chen.wei', 'dana.kowalski', 'mateo.fernandez', 'priya.nair', 'sven.larsen', 'victor.huang'];
const ACTIVITY: { source: string; name: string; weight: number; error?: [string, string] }[] = [
  { source: 'signin.amazonaws.com', name: 'ConsoleLogin', weight: 3 },
  { source: 'sts.amazonaws.com', name: 'AssumeRoleWithSAML', weight: 4 },
  { source: 'sts.amazonaws.com', name: 'AssumeRole', weight: 4 },
  { source: 's3.amazonaws.com', name: 'ListBuckets', weight: 5 },
  {
    source: 's3.amazonaws.com',
    name: 'DeleteBucket',
    weight: 1,
    error: ['AccessDenied', 'User is not authorized to perform: s3:DeleteBucket with an explicit deny in a service control policy'],
  },
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', weight: 6 },
  { source: 'ec2.amazonaws.com', name: 'RunInstances', weight: 1 },
  { source: 'ecs.amazonaws.com', name: 'UpdateService', weight: 2 },
  { source: 'iam.amazonaws.com', name: 'CreateRole', weight: 1, error: ['AccessDenied', 'User is not authorized to perform: iam:CreateRole'] },
  { source: 'cloudtrail.amazonaws.com', name: 'LookupEvents', weight: 2 },
];

/** Deterministic sample activity: sign-ins, role assumptions, a failed DeleteBucket and more, by several people across the accounts. Marked as sample in its user agent. */
export function generateSampleActivity(options: {
  readonly now: Date;
  readonly accounts: readonly { id: string; name: string }[];
  readonly count: number;
  readonly hours?: number;
  readonly seed?: number;
}): CloudTrailRecord[] {
  const next = seededRandom(options.seed ?? 42);
  const total = ACTIVITY.reduce((n, a) => n + a.weight, 0);
  const span = (options.hours ?? 24) * 3_600_000;
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: options.count }, (_, i) => {
    const roll = next() * total;
    let cumulative = 0;
    const activity =
      ACTIVITY.find((a) => {
        cumulative += a.weight;
        return roll < cumulative;
      }) ?? (ACTIVITY[0] as (typeof ACTIVITY)[number]);
    const account = pick(options.accounts);
    const person = pick(PEOPLE);
    const time = new Date(options.now.getTime() - Math.floor(next() * span)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sso = activity.name !== 'ConsoleLogin';
    return {
      eventVersion: '1.09',
      eventTime: time,
      eventSource: activity.source,
      eventName: activity.name,
      awsRegion: activity.source === 'signin.amazonaws.com' ? 'us-east-1' : pick(['us-east-1', 'us-east-1', 'eu-west-1']),
      sourceIPAddress: `198.51.100.${1 + Math.floor(next() * 200)}`,
      userAgent: SAMPLE_USER_AGENT,
      eventID: `sample-${String(i).padStart(6, '0')}`,
      eventType: activity.name === 'ConsoleLogin' ? 'AwsConsoleSignIn' : 'AwsApiCall',
      recipientAccountId: account.id,
      userIdentity: sso
        ? {
            type: 'AssumedRole',
            principalId: `AROASAMPLE:${person}`,
            arn: `arn:aws:sts::${account.id}:assumed-role/AWSReservedSSO_Developer_sample/${person}`,
            accountId: account.id,
            sessionContext: { sessionIssuer: { userName: 'AWSReservedSSO_Developer_sample' } },
          }
        : { type: 'IAMUser', principalId: `AIDASAMPLE${i}`, arn: `arn:aws:iam::${account.id}:user/${person}`, accountId: account.id, userName: person },
      ...(activity.error ? { errorCode: activity.error[0], errorMessage: activity.error[1] } : {}),
    };
  });
}

const SAMPLE_STREAM = 'groundwork-sample-activity';

/** Seeds the sandbox trail log group with sample activity once; returns how many events were written (0 if already seeded). */
export async function seedSampleActivity(
  clients: ClientFactory,
  accounts: readonly { id: string; name: string }[],
  options: { readonly count?: number; readonly now?: Clock } = {},
): Promise<number> {
  const { count = 600, now = systemClock } = options;
  const logs = clients.create(CloudWatchLogsClient);
  try {
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamNamePrefix: SAMPLE_STREAM }));
    if ((logStreams ?? []).length > 0) return 0;
  } catch (error) {
    if (!isError(error, 'ResourceNotFoundException')) throw error;
  }
  const records = generateSampleActivity({ now: now(), accounts, count });
  await writeTrailRecords(logs, SAMPLE_STREAM, records);
  return records.length;
}
