/**
 * The role names the guardrails protect and exempt, in one place. The SCP documents are plain JSON (what AWS stores, what a
 * reviewer reads), so they spell these patterns out; `guardrails.test.ts` checks every document against them.
 */

/** Roles `protect-groundwork-roles` guards against being created, changed or deleted by anyone but the deployment roles. */
export const PROTECTED_ROLE_PATTERNS = ['OrganizationAccountAccessRole', 'groundwork-*', 'cdk-hnb659fds-*'] as const;

/** The principals that may still manage the protected roles: the engine's access role and CloudFormation's execution role. */
export const ROLE_MANAGER_PATTERNS = ['OrganizationAccountAccessRole', 'cdk-hnb659fds-cfn-exec-role-*'] as const;

/**
 * The execution role of service-managed StackSets (`stacksets-exec-<hash>`, one per member account, created by the
 * StackSets service-linked role, which SCPs do not bind). It is how the `groundwork-log-archive` StackSet deploys the archive.
 */
export const STACKSET_EXECUTION_ROLE_PATTERN = 'stacksets-exec-*';

/**
 * Roles `protect-groundwork-roles` guards with no exemption at all: only the StackSets service-linked role creates or
 * changes them, so no one in a member account, `OrganizationAccountAccessRole` included, can make or re-trust a role that
 * matches the log archive's exemption.
 */
export const SERVICE_CREATED_ROLE_PATTERNS = [STACKSET_EXECUTION_ROLE_PATTERN] as const;

/**
 * The role that may change the log archive (its buckets' settings and its KMS key): the `groundwork-log-archive`
 * StackSet's execution role, the one `protect-audit-trail` exemption and the only administrator in the key's policy.
 */
export const ARCHIVE_DEPLOYER_ROLE_PATTERN = STACKSET_EXECUTION_ROLE_PATTERN;

/**
 * The delivery role of `cloudformation/github-oidc.json` (its default DeliveryRoleName): the staging deploy job's role,
 * the only principal besides the deploy path that `protect-delivery-repository` lets create a staging record.
 * `protect-groundwork-roles` protects `groundwork-*`, so no one in a member account can make a look-alike or re-trust it.
 */
export const STAGING_RECORD_WRITER_ROLE_PATTERN = 'groundwork-delivery';

/**
 * Every principal any guardrail exempts (the region allow-list also lets the CDK bootstrap roles reach global services);
 * each must match a protected pattern, so nobody can create a look-alike.
 */
export const EXEMPT_ROLE_PATTERNS = [...ROLE_MANAGER_PATTERNS, 'cdk-hnb659fds-*', ARCHIVE_DEPLOYER_ROLE_PATTERN, STAGING_RECORD_WRITER_ROLE_PATTERN] as const;

/** `arn:aws:iam::*:role/NAME` for a role name pattern. */
export function roleArnPattern(name: string): string {
  return `arn:aws:iam::*:role/${name}`;
}
