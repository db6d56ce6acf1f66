import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GroundworkConfig } from '../../config/resolved-config.js';

/**
 * AWS managed policies that make a permission set administrator-level: full access, and IAM's full access, with which
 * the holder can grant themselves anything.
 */
export const ADMINISTRATOR_POLICIES: readonly string[] = ['AdministratorAccess', 'IAMFullAccess'];

type PermissionSet = GroundworkConfig['identityCenter']['permissionSets'][number];

/** An inline policy allows every action, or every IAM action (which leads to every action). */
function inlineAllowsAdministration(document: string): boolean {
  const statements = [(JSON.parse(document) as { Statement?: unknown }).Statement ?? []].flat() as { Effect?: string; Action?: string | string[] }[];
  return statements.some((s) => s.Effect === 'Allow' && [s.Action ?? []].flat().some((a) => a === '*' || a.toLowerCase() === 'iam:*'));
}

/**
 * Whether a permission set is administrator-level: one of {@link ADMINISTRATOR_POLICIES} by name or ARN, or an inline
 * policy that allows `*` or `iam:*`. Customer-managed policies live in each account and are not judged here.
 */
export function isAdministratorPermissionSet(set: PermissionSet, configFile: string): boolean {
  const managed = set.managedPolicies.map((p) => p.replace(/^arn:aws[a-z-]*:iam::aws:policy\//, ''));
  if (managed.some((p) => ADMINISTRATOR_POLICIES.includes(p))) return true;
  return set.inlinePolicyFile ? inlineAllowsAdministration(readFileSync(resolve(dirname(configFile), set.inlinePolicyFile), 'utf8')) : false;
}

/** The groups the config assigns an administrator-level permission set (on any account): their memberships are privileged. */
export function privilegedGroups(config: GroundworkConfig): Set<string> {
  const admin = new Set(config.identityCenter.permissionSets.filter((s) => isAdministratorPermissionSet(s, config.sourceFile)).map((s) => s.name));
  return new Set(config.identityCenter.assignments.filter((a) => admin.has(a.permissionSet)).map((a) => a.group));
}
