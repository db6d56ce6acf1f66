/** A CloudTrail record, as delivered (the fields search uses). */
export interface CloudTrailRecord {
  readonly eventVersion?: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly recipientAccountId?: string;
  readonly eventID: string;
  readonly userIdentity?: {
    readonly type?: string;
    readonly principalId?: string;
    readonly arn?: string;
    readonly accountId?: string;
    readonly userName?: string;
    readonly invokedBy?: string;
    readonly sessionContext?: { readonly sessionIssuer?: { readonly userName?: string; readonly arn?: string } };
  };
  readonly [key: string]: unknown;
}

/** One event, normalised for display and filtering. */
export interface AuditEvent {
  readonly time: string;
  readonly accountId: string;
  readonly environment: string;
  readonly principal: string;
  readonly principalType: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly eventId: string;
  /** True for the sandbox's generated sample activity. */
  readonly sample: boolean;
  readonly raw: CloudTrailRecord;
}

/** The user agent of generated sample activity; it says so wherever it shows. */
export const SAMPLE_USER_AGENT = 'groundwork-sample-data/1.0 (SAMPLE DATA, not real activity)';

/** The principal as a person reads it: IAM user name, `role/session`, Identity Center user, or the service. */
export function principalOf(record: CloudTrailRecord): string {
  const id = record.userIdentity;
  if (!id) return 'unknown';
  if (id.userName) return id.userName;
  if (id.type === 'AssumedRole' && id.arn) {
    const [, role, session] = /assumed-role\/([^/]+)\/(.+)$/.exec(id.arn) ?? [];
    if (role) return `${role}/${session}`;
  }
  if (id.type === 'AWSService' && id.invokedBy) return id.invokedBy;
  if (id.type === 'Root') return 'root';
  return id.arn ?? id.principalId ?? id.type ?? 'unknown';
}

/** Normalises a CloudTrail record; environments are looked up by account ID. */
export function normalizeEvent(record: CloudTrailRecord, environments: ReadonlyMap<string, string>): AuditEvent {
  const accountId = record.recipientAccountId ?? record.userIdentity?.accountId ?? '';
  return {
    time: record.eventTime,
    accountId,
    environment: environments.get(accountId) ?? 'unknown',
    principal: principalOf(record),
    principalType: record.userIdentity?.type ?? 'Unknown',
    eventSource: record.eventSource,
    eventName: record.eventName,
    region: record.awsRegion,
    sourceIp: record.sourceIPAddress ?? '',
    userAgent: record.userAgent ?? '',
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    eventId: record.eventID,
    sample: record.userAgent === SAMPLE_USER_AGENT,
    raw: record,
  };
}
