import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudTrailRecord } from '../audit/audit-event.js';
import { TRAIL_LOG_GROUP } from '../audit/audit-names.js';
import { isError } from '../aws/aws-error.js';
import { type AwsCallRecord, ClientFactory } from '../aws/client-factory.js';
import { type Clock, systemClock } from '../clock.js';

/** SDK client name → CloudTrail event source. */
const EVENT_SOURCES: Record<string, string> = {
  Organizations: 'organizations.amazonaws.com',
  SSOAdmin: 'sso.amazonaws.com',
  Identitystore: 'identitystore.amazonaws.com',
  S3Control: 's3.amazonaws.com',
  EC2: 'ec2.amazonaws.com',
  IAM: 'iam.amazonaws.com',
  STS: 'sts.amazonaws.com',
  Account: 'account.amazonaws.com',
  CloudWatchLogs: 'logs.amazonaws.com',
};

/** Turns one SDK call into a CloudTrail-format record, as the organization trail would log it. */
export function callToRecord(call: AwsCallRecord, managementAccountId: string, userAgent: string): CloudTrailRecord {
  const accountId = call.accountId ?? managementAccountId;
  const input = JSON.stringify(call.input ?? {});
  return {
    eventVersion: '1.09',
    eventTime: call.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: EVENT_SOURCES[call.service] ?? `${call.service.toLowerCase()}.amazonaws.com`,
    eventName: call.operation,
    awsRegion: call.region,
    sourceIPAddress: '127.0.0.1',
    userAgent,
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: accountId,
    readOnly: /^(Get|List|Describe)/.test(call.operation),
    requestParameters: input.length > 2048 ? { truncated: true } : JSON.parse(input),
    userIdentity: call.accountId
      ? {
          type: 'AssumedRole',
          principalId: 'AROAGROUNDWORK:groundwork',
          arn: `arn:aws:sts::${accountId}:assumed-role/OrganizationAccountAccessRole/groundwork`,
          accountId,
          sessionContext: { sessionIssuer: { userName: 'OrganizationAccountAccessRole', arn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole` } },
        }
      : {
          type: 'IAMUser',
          principalId: 'AIDAGROUNDWORK',
          arn: `arn:aws:iam::${accountId}:user/groundwork-operator`,
          accountId,
          userName: 'groundwork-operator',
        },
    ...(call.error ? { errorCode: call.error.name, errorMessage: call.error.message.slice(0, 512) } : {}),
  };
}

/** Writes CloudTrail-format records to the sandbox's trail log group (creating it and a stream on first use). */
export async function writeTrailRecords(logs: CloudWatchLogsClient, stream: string, records: readonly CloudTrailRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ignoreExisting = (error: unknown) => {
    if (!isError(error, 'ResourceAlreadyExistsException')) throw error;
  };
  await logs.send(new CreateLogGroupCommand({ logGroupName: TRAIL_LOG_GROUP })).catch(ignoreExisting);
  await logs.send(new CreateLogStreamCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamName: stream })).catch(ignoreExisting);
  const sorted = [...records].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  for (let i = 0; i < sorted.length; i += 5_000) {
    const batch = sorted.slice(i, i + 5_000);
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: TRAIL_LOG_GROUP,
        logStreamName: stream,
        logEvents: batch.map((r) => ({ timestamp: Date.parse(r.eventTime), message: JSON.stringify(r) })),
      }),
    );
  }
}

/**
 * Records every AWS call a command makes against the emulator as a CloudTrail event in the sandbox trail log group,
 * so that `audit search` shows what Groundwork did. It writes through its own client, which is not recorded.
 */
export class TrailRecorder {
  private readonly pending: AwsCallRecord[] = [];
  private readonly own: ClientFactory;
  private readonly stream: string;
  private callerAccount?: string;

  constructor(
    recorded: ClientFactory,
    private readonly userAgent: string,
    now: Clock = systemClock,
  ) {
    this.stream = `groundwork-cli-${now().toISOString().slice(0, 10)}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.own = new ClientFactory({ ...recorded.settings });
    recorded.observe((call) => {
      if (call.service !== 'CloudWatchLogs') this.pending.push(call);
    });
  }

  /** Writes what was recorded so far; returns how many events. */
  async flush(): Promise<number> {
    const calls = this.pending.splice(0);
    if (calls.length === 0) return 0;
    this.callerAccount ??= (await this.own.create(STSClient).send(new GetCallerIdentityCommand({}))).Account ?? '000000000000';
    const records = calls.map((call) => callToRecord(call, this.callerAccount as string, this.userAgent));
    await writeTrailRecords(this.own.create(CloudWatchLogsClient), this.stream, records);
    return records.length;
  }
}

/** What the sandbox cannot show of the audit trail's protections: said by `up`, never pretended. */
export const SANDBOX_AUDIT_LIMITS =
  'the emulator enforces neither KMS key policies nor SCPs, and sends no API calls to EventBridge: the log-archive key that only the StackSet ' +
  'execution role may delete, the protect-audit-trail guardrail and the audit tamper alarm are deployed as on AWS but not exercised here ' +
  '(their tests evaluate the synthesized policies: src/infra/stacks/audit-stacks.test.ts)';
