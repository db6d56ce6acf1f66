/**
 * The role names the guardrails protect and exempt, in one place. The SCP documents are plain JSON (what AWS stores, what a
 * reviewer reads), so they spell these patterns out; `guardrails.test.ts` checks every document against them.
 */

/** Roles `protect-groundwork-roles` guards against being created, changed or deleted by anyone but the deployment roles. */
export const PROTECTED_ROLE_PATTERNS = ['OrganizationAccountAccessRole', 'groundwork-*', 'cdk-hnb659fds-*'] as const;

/** The principals that may still manage the protected roles: the engine's access role and CloudFormation's execution role. */
export const ROLE_MANAGER_PATTERNS = ['OrganizationAccountAccessRole', 'cdk-hnb659fds-cfn-exec-role-*'] as const;

/**
 * Every principal any guardrail exempts (the region allow-list also lets the CDK bootstrap roles reach global services);
 * each must match a protected pattern, so nobody can create a look-alike.
 */
export const EXEMPT_ROLE_PATTERNS = [...ROLE_MANAGER_PATTERNS, 'cdk-hnb659fds-*'] as const;

/** The role that may change the log-archive buckets' settings (CloudFormation deployments): the one `protect-audit-trail` exemption. */
export const ARCHIVE_DEPLOYER_ROLE_PATTERN = 'cdk-hnb659fds-cfn-exec-role-*';

/** `arn:aws:iam::*:role/NAME` for a role name pattern. */
export function roleArnPattern(name: string): string {
  return `arn:aws:iam::*:role/${name}`;
}
