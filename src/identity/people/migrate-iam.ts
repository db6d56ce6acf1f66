import { createHash } from 'node:crypto';
import {
  GetGroupPolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  paginateListAttachedGroupPolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
  paginateListUsers,
  paginateListUserTags,
} from '@aws-sdk/client-iam';
import { mapLimit } from '../../engine/concurrency.js';

/** What one IAM user can do today, from their own and their groups' policies. */
export interface LegacyUser {
  readonly userName: string;
  readonly tags: Record<string, string>;
  readonly iamGroups: readonly string[];
  /** Managed policy ARNs, sorted. */
  readonly managedPolicies: readonly string[];
  /** Inline policy documents (minified JSON), sorted. */
  readonly inlinePolicies: readonly string[];
}

/** Users with the same effective permissions, and the permission set proposed for them. */
export interface MigrationProfile {
  readonly permissionSet: string;
  readonly group: string;
  readonly users: readonly LegacyUser[];
  readonly awsManagedPolicies: readonly string[];
  readonly customerManagedPolicies: readonly string[];
  /** The merged inline policy, or undefined when there is none. */
  readonly inlinePolicy?: { Version: string; Statement: unknown[] };
}

interface PolicyReader {
  managed: string[];
  inline: string[];
}

function decodePolicy(document: string | undefined): string {
  const text = decodeURIComponent(document ?? '{}');
  return JSON.stringify(JSON.parse(text));
}

/** Reads every IAM user of the legacy account with effective policies. Read-only: it calls only List* and Get*. */
export async function readLegacyUsers(iam: IAMClient): Promise<LegacyUser[]> {
  const groupCache = new Map<string, Promise<PolicyReader>>();
  const groupPolicies = (group: string) => {
    let cached = groupCache.get(group);
    if (!cached) {
      cached = (async () => {
        const managed: string[] = [];
        for await (const page of paginateListAttachedGroupPolicies({ client: iam }, { GroupName: group }))
          managed.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn as string));
        const inline: string[] = [];
        for await (const page of paginateListGroupPolicies({ client: iam }, { GroupName: group })) {
          for (const name of page.PolicyNames ?? [])
            inline.push(decodePolicy((await iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name }))).PolicyDocument));
        }
        return { managed, inline };
      })();
      groupCache.set(group, cached);
    }
    return cached;
  };
  const names: string[] = [];
  for await (const page of paginateListUsers({ client: iam }, {})) names.push(...(page.Users ?? []).map((u) => u.UserName as string));
  return mapLimit(names, 8, async (userName) => {
    const iamGroups: string[] = [];
    for await (const page of paginateListGroupsForUser({ client: iam }, { UserName: userName }))
      iamGroups.push(...(page.Groups ?? []).map((g) => g.GroupName as string));
    const managed = new Set<string>();
    for await (const page of paginateListAttachedUserPolicies({ client: iam }, { UserName: userName }))
      for (const p of page.AttachedPolicies ?? []) managed.add(p.PolicyArn as string);
    const inline = new Set<string>();
    for await (const page of paginateListUserPolicies({ client: iam }, { UserName: userName })) {
      for (const name of page.PolicyNames ?? [])
        inline.add(decodePolicy((await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }))).PolicyDocument));
    }
    for (const group of iamGroups) {
      const g = await groupPolicies(group);
      for (const p of g.managed) managed.add(p);
      for (const p of g.inline) inline.add(p);
    }
    const tags: Record<string, string> = {};
    for await (const page of paginateListUserTags({ client: iam }, { UserName: userName }))
      for (const t of page.Tags ?? []) tags[t.Key as string] = t.Value as string;
    return { userName, tags, iamGroups: iamGroups.sort(), managedPolicies: [...managed].sort(), inlinePolicies: [...inline].sort() };
  });
}

/** A valid permission set name (1-32 of letters, digits, +=,.@-) derived from text. */
function setName(base: string, taken: Set<string>): string {
  const clean = base.replace(/[^\w+=,.@-]/g, '').slice(0, 28) || 'Migrated';
  let name = clean;
  for (let n = 2; taken.has(name); n++) name = `${clean.slice(0, 28)}-${n}`;
  taken.add(name);
  return name;
}

/** Groups users whose effective policies are identical, and proposes one permission set and one group for each. */
export function proposeProfiles(users: readonly LegacyUser[]): MigrationProfile[] {
  const bySignature = new Map<string, LegacyUser[]>();
  for (const user of users) {
    const signature = createHash('sha256')
      .update(JSON.stringify([user.managedPolicies, user.inlinePolicies]))
      .digest('hex');
    bySignature.set(signature, [...(bySignature.get(signature) ?? []), user]);
  }
  const taken = new Set<string>();
  return [...bySignature.values()]
    .sort((a, b) => b.length - a.length || (a[0]?.userName ?? '').localeCompare(b[0]?.userName ?? ''))
    .map((members) => {
      const first = members[0] as LegacyUser;
      const sharedGroups = first.iamGroups.filter((g) => members.every((m) => m.iamGroups.includes(g)));
      const policyNames = first.managedPolicies.map((arn) => arn.split('/').pop() ?? '');
      const label = sharedGroups.length > 0 ? sharedGroups.join('-') : policyNames.length > 0 ? policyNames.join('-') : 'NoPermissions';
      const name = setName(`Legacy-${label}`, taken);
      const statements = first.inlinePolicies.flatMap((doc) => {
        const parsed = JSON.parse(doc) as { Statement: unknown };
        return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
      });
      return {
        permissionSet: name,
        group: name,
        users: members,
        awsManagedPolicies: first.managedPolicies.filter((arn) => /^arn:[^:]+:iam::aws:policy\//.test(arn)),
        customerManagedPolicies: first.managedPolicies.filter((arn) => !/^arn:[^:]+:iam::aws:policy\//.test(arn)).map((arn) => arn.split('/').pop() as string),
        inlinePolicy: statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined,
      };
    });
}

/** Given and family name and e-mail for the users CSV: from IAM tags, or derived from the user name. */
export function personOf(user: LegacyUser, emailDomain: string): { email: string; givenName: string; familyName: string; emailFromTag: boolean } {
  const tag = (...keys: string[]) => keys.map((k) => Object.entries(user.tags).find(([key]) => key.toLowerCase() === k)?.[1]).find(Boolean);
  const parts = user.userName.split(/[._-]+/).filter(Boolean);
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const email = tag('email', 'mail', 'e-mail');
  return {
    email: email ?? `${user.userName}@${emailDomain}`,
    givenName: tag('given_name', 'givenname', 'firstname', 'first_name') ?? capital(parts[0] ?? user.userName),
    familyName: tag('family_name', 'familyname', 'lastname', 'last_name', 'surname') ?? capital(parts.slice(1).join(' ') || user.userName),
    emailFromTag: email !== undefined,
  };
}
