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
