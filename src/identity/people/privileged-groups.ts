import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GroundworkConfig } from '../../config/resolved-config.js';

/**
 * AWS managed policies that make a permission set administrator-level on any account: full access, and full control of
 * IAM, Identity Center, its directory or the organization, with each of which the holder can grant themselves anything.
 */
export const ADMINISTRATOR_POLICIES: readonly string[] = [
  'AdministratorAccess',
  'IAMFullAccess',
  'AWSSSOMasterAccountAdministrator',
  'AWSSSODirectoryAdministrator',
  'AWSOrganizationsFullAccess',
];

/**
 * AWS managed policies that are administrator-level on the management account only: there, PowerUserAccess may assume
 * `OrganizationAccountAccessRole` (administrator) in every member account.
 */
export const MANAGEMENT_ADMINISTRATOR_POLICIES: readonly string[] = ['PowerUserAccess'];

/**
 * Representative actions of the privileged families (IAM writes, `sts:AssumeRole*`, Identity Center, its directory and
 * Identity Store writes, Organizations writes). A wildcard action is privileged when it matches one of them; a literal
 * action is judged by its family ({@link isPrivilegedAction}). Several per initial letter, so that `iam:C*`, `iam:?*` or
 * `*Role*` are caught.
 */
export const PRIVILEGED_ACTIONS: readonly string[] = [
  'iam:AddRoleToInstanceProfile',
  'iam:AddUserToGroup',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:ChangePassword',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:CreatePolicyVersion',
  'iam:CreateRole',
  'iam:CreateServiceLinkedRole',
  'iam:CreateUser',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:EnableMFADevice',
  'iam:PassRole',
  'iam:PutGroupPolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:RemoveUserFromGroup',
  'iam:ResyncMFADevice',
  'iam:SetDefaultPolicyVersion',
  'iam:TagRole',
  'iam:UpdateAccessKey',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateLoginProfile',
  'iam:UpdateRole',
  'iam:UploadSSHPublicKey',
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sso:AttachManagedPolicyToPermissionSet',
  'sso:CreateAccountAssignment',
  'sso:CreatePermissionSet',
  'sso:DeleteAccountAssignment',
  'sso:ProvisionPermissionSet',
  'sso:PutInlinePolicyToPermissionSet',
  'sso:UpdatePermissionSet',
  'sso-directory:AddMemberToGroup',
  'sso-directory:CreateUser',
  'sso-directory:UpdateUser',
  'identitystore:CreateGroupMembership',
  'identitystore:CreateUser',
  'identitystore:DeleteGroupMembership',
  'identitystore:UpdateUser',
  'organizations:AttachPolicy',
  'organizations:CreateAccount',
  'organizations:DeletePolicy',
  'organizations:DetachPolicy',
  'organizations:InviteAccountToOrganization',
  'organizations:LeaveOrganization',
  'organizations:MoveAccount',
  'organizations:RegisterDelegatedAdministrator',
  'organizations:UpdatePolicy',
];

type PermissionSet = GroundworkConfig['identityCenter']['permissionSets'][number];
type Assignment = GroundworkConfig['identityCenter']['assignments'][number];

const WRITE_SERVICES = new Set(['iam', 'sso', 'sso-directory', 'identitystore', 'organizations']);
const READ_PREFIXES = ['get', 'list', 'describe', 'search', 'is', 'generate', 'simulate'];

/** A literal action of a privileged family: a write of IAM, Identity Center, Identity Store or Organizations, or `sts:AssumeRole*`. */
export function isPrivilegedAction(action: string): boolean {
  const [service = '', name = ''] = action.toLowerCase().split(':', 2);
  if (service === 'sts') return name.startsWith('assumerole');
  return WRITE_SERVICES.has(service) && !READ_PREFIXES.some((p) => name.startsWith(p));
}

/** An IAM action pattern (`*` any run, `?` one character, case-insensitive) as a regular expression. */
function actionPattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether an Action entry may grant a privileged action: a privileged literal, or a wildcard matching a representative one. */
function actionMayBePrivileged(action: string): boolean {
  if (!/[*?]/.test(action)) return isPrivilegedAction(action);
  const pattern = actionPattern(action);
  return PRIVILEGED_ACTIONS.some((a) => pattern.test(a));
}

/**
 * An inline policy allows a privileged action: an Allow with `NotAction` (everything but a list, judged privileged
 * whatever the list), or an Action (string or list) that may match a privileged one. Resources are not judged: a
 * narrow resource on these actions is rare and cannot be told safe here.
 */
function inlineAllowsAdministration(document: string): boolean {
  const statements = [(JSON.parse(document) as { Statement?: unknown }).Statement ?? []].flat() as {
    Effect?: unknown;
    Action?: unknown;
    NotAction?: unknown;
  }[];
  return statements.some((s) => {
    if (String(s.Effect).toLowerCase() !== 'allow') return false;
    if (s.NotAction !== undefined) return true;
    return [s.Action ?? []].flat().some((a) => typeof a !== 'string' || actionMayBePrivileged(a));
  });
}

/** The name of an AWS managed policy (`job-function/Billing`), or undefined for a policy that is not AWS managed. */
function awsManagedName(nameOrArn: string): string | undefined {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(nameOrArn)?.[1];
}

/**
 * Whether a permission set is administrator-level (its holders' memberships are privileged): one of
 * {@link ADMINISTRATOR_POLICIES} (or, when `onManagement`, {@link MANAGEMENT_ADMINISTRATOR_POLICIES}) by name or ARN; a
 * policy whose content the config does not show (customer-managed, a managed ARN of an account, a boundary that is not
 * AWS managed), which cannot be judged; or an inline policy that may allow a privileged action.
 */
export function isAdministratorPermissionSet(set: PermissionSet, configFile: string, onManagement = false): boolean {
  const privileged = onManagement ? [...ADMINISTRATOR_POLICIES, ...MANAGEMENT_ADMINISTRATOR_POLICIES] : ADMINISTRATOR_POLICIES;
  const managed = set.managedPolicies.map(awsManagedName);
  if (managed.some((p) => p === undefined || privileged.includes(p))) return true;
  if (set.customerManagedPolicies.length > 0) return true;
  if (set.permissionsBoundary !== undefined && awsManagedName(set.permissionsBoundary) === undefined) return true;
  return set.inlinePolicyFile ? inlineAllowsAdministration(readFileSync(resolve(dirname(configFile), set.inlinePolicyFile), 'utf8')) : false;
}

/** Whether an assignment reaches the management account: all accounts, the account by name, or an OU it is in. */
function reachesManagement(assignment: Assignment, config: GroundworkConfig): boolean {
  const management = config.organization.managementAccount;
  return assignment.allAccounts || assignment.accounts.includes(management.name) || assignment.organizationalUnits.includes(management.organizationalUnit);
}

/**
 * The groups the config assigns an administrator-level permission set (on any account, or on the management account
 * for {@link MANAGEMENT_ADMINISTRATOR_POLICIES}): their memberships are privileged.
 */
export function privilegedGroups(config: GroundworkConfig): Set<string> {
  const sets = new Map(config.identityCenter.permissionSets.map((s) => [s.name, s]));
  const privileged = (a: Assignment): boolean => {
    const set = sets.get(a.permissionSet);
    // An assignment of an undeclared permission set cannot be judged (config validation refuses it anyway).
    return set === undefined || isAdministratorPermissionSet(set, config.sourceFile, reachesManagement(a, config));
  };
  return new Set(config.identityCenter.assignments.filter(privileged).map((a) => a.group));
}
