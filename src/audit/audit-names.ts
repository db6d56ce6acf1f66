/** The names the audit stacks create and the audit search reads: one home, so the two cannot drift apart. */

/** The organization trail. */
export const ORGANIZATION_TRAIL_NAME = 'groundwork-organization-trail';

/** The CloudWatch Logs group the trail delivers to (and the sandbox's recorder writes). */
export const TRAIL_LOG_GROUP = '/groundwork/organization-trail';

/** The Glue database of the Athena table over the archive. */
export const AUDIT_DATABASE = 'groundwork_audit';

/** The Athena table over the archive's CloudTrail files. */
export const AUDIT_TABLE = 'cloudtrail';

/** The Athena workgroup audit queries run in. */
export const AUDIT_WORKGROUP = 'groundwork-audit';

/**
 * The alias of the log archive's KMS key (in the log-archive account), which encrypts the trail's log files: the trail
 * names the key by this alias's ARN, and the protect-audit-trail guardrail protects the key by it.
 */
export const LOG_ARCHIVE_KEY_ALIAS = 'alias/groundwork/log-archive';
