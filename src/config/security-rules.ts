import type { ConfigIssue, PathSegment } from './config-issue.js';
import type { GroundworkConfig } from './resolved-config.js';
import { LONGEST_ORGANIZATION_ID, ORGANIZATION_ID_PLACEHOLDER } from './security-catalog.js';
import { didYouMean } from './suggest.js';

/** AWS Organizations' limits on resource control policies. */
export const RCP_LIMITS = {
  /** Characters of a policy document, whitespace included (Groundwork sends it minified). */
  maxCharacters: 5120,
  /** RCPs attached to one root, OU or account, RCPFullAWSAccess included (AWS attaches it everywhere). */
  perTarget: 5,
} as const;

type Report = (path: PathSegment[], message: string, hint?: string) => void;

/** Step 3 for `security:`: the administrator account, each service's values, and the RCPs' size and targets. */
export function checkSecurity(config: GroundworkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message, hint) => issues.push({ path, message, hint });
  const security = config.security;
  const management = config.organization.managementAccount.name;
  const memberNames = config.organization.accounts.map((a) => a.name);

  const admin = security.administratorAccount;
  if (admin !== undefined) {
    const at: PathSegment[] = ['security', 'administratorAccount'];
    if (admin === management) {
      report(at, 'the management account cannot be a delegated administrator', 'name a member account, such as "security" in the Security OU');
    } else if (!memberNames.includes(admin)) report(at, `unknown account "${admin}"`, didYouMean(admin, memberNames));
  }

  const analyzer = security.accessAnalyzer;
  if (!Number.isInteger(analyzer.unusedAccessAgeDays) || analyzer.unusedAccessAgeDays < 1 || analyzer.unusedAccessAgeDays > 365) {
    report(
      ['security', 'accessAnalyzer', 'unusedAccessAgeDays'],
      `${analyzer.unusedAccessAgeDays} days is out of range`,
      'use 1 to 365 days (IAM Access Analyzer)',
    );
  }

  const plans = security.guardDuty.protectionPlans;
  plans.forEach((plan, i) => {
    if (plans.indexOf(plan) !== i) report(['security', 'guardDuty', 'protectionPlans', i], `protection plan ${plan} is listed twice`, 'list each plan once');
  });
  if (!security.guardDuty.enabled && plans.length > 0) {
    report(['security', 'guardDuty', 'protectionPlans'], 'protection plans need GuardDuty', 'set guardDuty.enabled: true, or remove the plans');
  }

  const standards = security.securityHub.standards;
  standards.forEach((standard, i) => {
    if (standards.indexOf(standard) !== i)
      report(['security', 'securityHub', 'standards', i], `standard ${standard} is listed twice`, 'list each standard once');
  });
  if (security.securityHub.enabled && standards.length === 0) {
    report(
      ['security', 'securityHub', 'standards'],
      'Security Hub is enabled with no standard, so it checks nothing',
      'add FSBP, or set securityHub.enabled: false',
    );
  }

  const rcp = security.resourceControlPolicies;
  rcp.trustedAccounts.forEach((id, i) => {
    const at: PathSegment[] = ['security', 'resourceControlPolicies', 'trustedAccounts', i];
    if (!/^\d{12}$/.test(id)) report(at, `"${id}" is not an AWS account ID`, 'write the 12 digits, quoted, such as "123456789012"');
    else if (rcp.trustedAccounts.indexOf(id) !== i) report(at, `account ${id} is listed twice`, 'list each account once');
  });
  checkResourceControlPolicies(config, report);
  return issues;
}

/** RCPs are checked like SCPs: unique names, size after minifying, targets that exist and are members, 5 per target. */
function checkResourceControlPolicies(config: GroundworkConfig, report: Report): void {
  const ouNames = config.organization.organizationalUnits.map((ou) => ou.name);
  const accountNames = config.organization.accounts.map((a) => a.name);
  const management = config.organization.managementAccount.name;
  const perTarget = new Map<string, { count: number; path: PathSegment[] }>();
  const seen = new Set<string>();
  for (const policy of config.security.resourceControlPolicyDocuments) {
    const path = [...policy.source];
    const isOwn = path[2] === 'policies';
    const targetsPath: PathSegment[] = isOwn ? [...path, 'targets'] : ['security', 'resourceControlPolicies', 'targets'];
    if (seen.has(policy.name)) report(isOwn ? [...path, 'name'] : path, `policy name "${policy.name}" is used twice`, 'RCP names must be unique');
    seen.add(policy.name);
    // The organization ID replaces its placeholder at plan time: measure with the longest one AWS issues.
    const size = policy.content.replaceAll(ORGANIZATION_ID_PLACEHOLDER, LONGEST_ORGANIZATION_ID).length;
    if (size > RCP_LIMITS.maxCharacters) {
      report(
        path,
        `resource control policy "${policy.name}" has ${size} characters after minifying; AWS allows ${RCP_LIMITS.maxCharacters}`,
        isOwn ? 'split it into two policies' : 'name fewer trusted accounts',
      );
    }
    if (isOwn) {
      // AWS takes Allow only in its own RCPFullAWSAccess (Organizations, "RCP syntax"): CreatePolicy refuses any other.
      const statements = (JSON.parse(policy.content) as { Statement?: unknown }).Statement;
      (Array.isArray(statements) ? statements : [statements]).forEach((statement, j) => {
        const effect = (statement as { Effect?: unknown } | undefined)?.Effect;
        if (effect !== 'Deny') {
          report(
            [...path, 'file'],
            `resource control policy "${policy.name}": statement ${j} has Effect ${JSON.stringify(effect ?? null)}; an RCP may only deny`,
            'write Deny statements with exceptions in Condition (AWS allows Allow only in its own RCPFullAWSAccess)',
          );
        }
      });
    }
    if (!policy.enabled) continue;
    const count = (key: string, where: PathSegment[]) => {
      const entry = perTarget.get(key) ?? { count: 1, path: where };
      entry.count++;
      entry.path = where;
      perTarget.set(key, entry);
    };
    if (policy.targets.root) count('the organization root', [...targetsPath, 'root']);
    policy.targets.organizationalUnits.forEach((ou, j) => {
      const where: PathSegment[] = [...targetsPath, 'organizationalUnits', j];
      if (!ouNames.includes(ou)) report(where, `unknown OU "${ou}"`, didYouMean(ou, ouNames));
      else count(`OU "${ou}"`, where);
    });
    policy.targets.accounts.forEach((account, j) => {
      const where: PathSegment[] = [...targetsPath, 'accounts', j];
      if (account === management) report(where, 'RCPs never apply to the management account', 'attach the policy to member accounts or OUs');
      else if (!accountNames.includes(account)) report(where, `unknown account "${account}"`, didYouMean(account, accountNames));
      else count(`account "${account}"`, where);
    });
    if (!policy.targets.root && policy.targets.organizationalUnits.length === 0 && policy.targets.accounts.length === 0) {
      report(targetsPath, `resource control policy "${policy.name}" is attached nowhere`, 'set targets.root, targets.organizationalUnits or targets.accounts');
    }
  }
  for (const [target, { count, path }] of perTarget) {
    if (count > RCP_LIMITS.perTarget) {
      report(
        path,
        `${target} would carry ${count} RCPs (RCPFullAWSAccess included); AWS allows ${RCP_LIMITS.perTarget}`,
        'attach some policies lower in the tree, or merge policies',
      );
    }
  }
}
