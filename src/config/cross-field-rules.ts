import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { COGNITO_LIMITS, formatMinutes, INVITATION_DAYS, parseDuration, SIGN_IN_CODE } from '../auth/limits.js';
import { AWS_LIMITS, AWS_REGIONS, ECS_DEPLOYMENT_CONFIGS, ECS_MAX_BAKE_MINUTES } from './aws-limits.js';
import type { ConfigIssue, PathSegment } from './config-issue.js';
import { allAccounts, type GroundworkConfig } from './resolved-config.js';
import { checkSecurity } from './security-rules.js';
import { didYouMean } from './suggest.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]+$/;
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

type Report = (path: PathSegment[], message: string, hint?: string) => void;

/** Step 3: rules that span fields (uniqueness, references, AWS limits). Returns every problem found. */
export function checkCrossFieldRules(config: GroundworkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message, hint) => issues.push({ path, message, hint });
  checkRegions(config, report);
  checkOrganizationalUnits(config, report);
  checkAccounts(config, report);
  checkServiceControlPolicies(config, report);
  checkIdentityCenter(config, report);
  checkOtherSettings(config, report);
  checkAuth(config, report);
  issues.push(...checkSecurity(config));
  return issues;
}

/** The auth service: each environment exists, and each value is within Cognito's range, said with its unit. */
function checkAuth(config: GroundworkConfig, report: Report): void {
  const environments = [...new Set(allAccounts(config).map((a) => a.environment))];
  for (const [environment, auth] of Object.entries(config.auth.environments)) {
    const at = (...field: PathSegment[]): PathSegment[] => ['auth', 'environments', environment, ...field];
    if (!environments.includes(environment)) {
      report(at(), `no account has the environment "${environment}"`, didYouMean(environment, environments));
    }
    const duration = (field: string, text: string, limits: { min: number; max: number; label: string; range: string }): number | undefined => {
      const minutes = parseDuration(text);
      if (minutes === undefined) {
        report(at(field), `"${text}" is not a duration`, 'write a number with m, h or d, such as 90m, 12h or 30d');
        return undefined;
      }
      if (minutes < limits.min || minutes > limits.max) {
        report(at(field), `${text} is outside the ${limits.label}'s range in Cognito`, `use ${limits.range}`);
        return undefined;
      }
      return minutes;
    };
    const access = duration('accessTokenValidity', auth.accessTokenValidity, COGNITO_LIMITS.accessToken);
    const id = duration('idTokenValidity', auth.idTokenValidity, COGNITO_LIMITS.idToken);
    const refresh = duration('refreshTokenValidity', auth.refreshTokenValidity, COGNITO_LIMITS.refreshToken);
    // A session ends with its refresh token: one shorter than the tokens it renews would cut them short.
    const longest = [
      { field: 'accessTokenValidity', label: 'access token', minutes: access },
      { field: 'idTokenValidity', label: 'ID token', minutes: id },
    ]
      .filter((t): t is { field: string; label: string; minutes: number } => t.minutes !== undefined)
      .sort((x, y) => y.minutes - x.minutes)[0];
    if (refresh !== undefined && longest && refresh < longest.minutes) {
      report(
        at('refreshTokenValidity'),
        `the refresh token (${formatMinutes(refresh)}) would expire before the ${longest.label} (${formatMinutes(longest.minutes)})`,
        `make refreshTokenValidity at least ${formatMinutes(longest.minutes)}, or shorten ${longest.field}`,
      );
    }
    const code = parseDuration(auth.signInCodeValidity);
    if (code === undefined) report(at('signInCodeValidity'), `"${auth.signInCodeValidity}" is not a duration`, 'write a number with m, h or d, such as 12h');
    else if (code > SIGN_IN_CODE.maxMinutes) {
      report(at('signInCodeValidity'), `${auth.signInCodeValidity} is longer than 7 days`, 'use at most 7d: a sign-in code is a password for its lifetime');
    } else if (code < SIGN_IN_CODE.minMinutes) report(at('signInCodeValidity'), `${auth.signInCodeValidity} is too short`, 'use 1m to 7d');
    if (auth.invitationDays < INVITATION_DAYS.min || auth.invitationDays > INVITATION_DAYS.max) {
      report(at('invitationDays'), `${auth.invitationDays} days is outside the invitation code's range in Cognito`, 'use 1 to 365 days');
    }
    if (auth.managedLoginSessionMinutes < COGNITO_LIMITS.managedLoginSession.min || auth.managedLoginSessionMinutes > COGNITO_LIMITS.managedLoginSession.max) {
      report(
        at('managedLoginSessionMinutes'),
        `${auth.managedLoginSessionMinutes} minutes is outside the managed-login session's range in Cognito`,
        'use 3 to 15 minutes',
      );
    }
    if (auth.refreshTokenRotation && auth.featurePlan === 'LITE') {
      report(
        at('refreshTokenRotation'),
        'refresh-token rotation needs the Essentials or Plus feature plan',
        'set featurePlan: ESSENTIALS, or refreshTokenRotation: false',
      );
    }
    if (auth.signInCodesPerHour < 1 || auth.signInCodesPerHour > 60)
      report(at('signInCodesPerHour'), `${auth.signInCodesPerHour} is out of range`, 'use 1 to 60 codes per hour');
    for (const field of ['callbackUrls', 'logoutUrls'] as const) {
      auth[field].forEach((url, i) => {
        if (!/^https:\/\/[^\s/]+/.test(url) && !/^http:\/\/localhost(:\d+)?(\/|$)/.test(url)) {
          report(at(field, i), `"${url}" is not an https URL`, 'Cognito accepts https URLs, and http://localhost for development');
        }
      });
    }
    if (auth.codeSender !== undefined && !EMAIL.test(auth.codeSender)) {
      report(at('codeSender'), `"${auth.codeSender}" is not an e-mail address`, 'use an address or domain verified in SES');
    }
  }
}

function checkRegions(config: GroundworkConfig, report: Report): void {
  const org = config.organization;
  if (!AWS_REGIONS.includes(org.homeRegion)) {
    report(['organization', 'homeRegion'], `"${org.homeRegion}" is not an AWS region`, didYouMean(org.homeRegion, AWS_REGIONS));
  }
  org.governedRegions.forEach((region, i) => {
    if (!AWS_REGIONS.includes(region)) {
      report(['organization', 'governedRegions', i], `"${region}" is not an AWS region`, didYouMean(region, AWS_REGIONS));
    }
  });
  if (AWS_REGIONS.includes(org.homeRegion) && !org.governedRegions.includes(org.homeRegion)) {
    report(['organization', 'governedRegions'], `the home region "${org.homeRegion}" is not governed`, `add "${org.homeRegion}" to governedRegions`);
  }
}

function checkOrganizationalUnits(config: GroundworkConfig, report: Report): void {
  const ous = config.organization.organizationalUnits;
  const names = ous.map((ou) => ou.name);
  const seen = new Map<string, number>();
  ous.forEach((ou, i) => {
    const first = seen.get(ou.name.toLowerCase());
    if (first !== undefined) {
      report(
        ['organization', 'organizationalUnits', i, 'name'],
        `OU name "${ou.name}" is already used by organizationalUnits[${first}]`,
        'OU names must be unique',
      );
    } else seen.set(ou.name.toLowerCase(), i);
    if (ou.name.length > AWS_LIMITS.ouNameMaxLength) {
      report(
        ['organization', 'organizationalUnits', i, 'name'],
        `OU name has ${ou.name.length} characters; AWS allows ${AWS_LIMITS.ouNameMaxLength}`,
        'shorten it',
      );
    }
    if (ou.parent !== undefined && !names.includes(ou.parent)) {
      report(['organization', 'organizationalUnits', i, 'parent'], `unknown parent OU "${ou.parent}"`, didYouMean(ou.parent, names));
    }
  });
  const parentOf = new Map(ous.map((ou) => [ou.name, ou.parent]));
  ous.forEach((ou, i) => {
    let depth = 1;
    let current = ou.parent;
    const visited = new Set([ou.name]);
    while (current !== undefined && parentOf.has(current)) {
      if (visited.has(current)) {
        report(
          ['organization', 'organizationalUnits', i, 'parent'],
          `OU "${ou.name}" is its own ancestor (${[...visited].join(' → ')} → ${current})`,
          'break the cycle',
        );
        return;
      }
      visited.add(current);
      depth++;
      current = parentOf.get(current);
    }
    if (depth > AWS_LIMITS.ouNestingDepth) {
      report(
        ['organization', 'organizationalUnits', i, 'parent'],
        `OU "${ou.name}" is nested ${depth} levels deep; AWS allows ${AWS_LIMITS.ouNestingDepth}`,
        'flatten the tree',
      );
    }
  });
}

function checkAccounts(config: GroundworkConfig, report: Report): void {
  const org = config.organization;
  const ouNames = org.organizationalUnits.map((ou) => ou.name);
  if (!org.accountEmailTemplate.includes('{account}')) {
    report(
      ['organization', 'accountEmailTemplate'],
      `"${org.accountEmailTemplate}" does not contain {account}`,
      'every account needs its own e-mail, e.g. "aws+{account}@example.com"',
    );
  }
  const names = new Map<string, string>([[org.managementAccount.name.toLowerCase(), 'organization.managementAccount']]);
  const emails = new Map<string, number>();
  checkName(org.managementAccount.name, ['organization', 'managementAccount', 'name'], report);
  checkEnvironment(org.managementAccount.environment, ['organization', 'managementAccount', 'environment'], report);
  checkBudget(org.managementAccount.monthlyBudgetUsd, ['organization', 'managementAccount', 'monthlyBudgetUsd'], report);
  org.accounts.forEach((account, i) => {
    const path: PathSegment[] = ['organization', 'accounts', i];
    checkName(account.name, [...path, 'name'], report);
    const owner = names.get(account.name.toLowerCase());
    if (owner !== undefined) {
      report([...path, 'name'], `account name "${account.name}" is already used by ${owner}`, 'account names must be unique (case-insensitive)');
    } else names.set(account.name.toLowerCase(), `organization.accounts[${i}]`);
    const emailPath: PathSegment[] = [...path, 'email'];
    if (!EMAIL.test(account.email) || account.email.length < 6 || account.email.length > 64) {
      report(emailPath, `"${account.email}" is not a valid account e-mail`, 'use 6-64 characters in the form name@domain.tld');
    }
    const emailOwner = emails.get(account.email.toLowerCase());
    if (emailOwner !== undefined) {
      report(emailPath, `e-mail "${account.email}" is already used by organization.accounts[${emailOwner}]`, 'each AWS account needs its own root e-mail');
    } else emails.set(account.email.toLowerCase(), i);
    if (!ouNames.includes(account.organizationalUnit)) {
      report([...path, 'organizationalUnit'], `unknown OU "${account.organizationalUnit}"`, didYouMean(account.organizationalUnit, ouNames));
    }
    checkEnvironment(account.environment, [...path, 'environment'], report);
    checkBudget(account.monthlyBudgetUsd, [...path, 'monthlyBudgetUsd'], report);
    if (account.renamedFrom !== undefined) {
      const from = account.renamedFrom;
      const renamedPath: PathSegment[] = [...path, 'renamedFrom'];
      if (from.toLowerCase() === account.name.toLowerCase()) report(renamedPath, `renamedFrom "${from}" is the account's own name`, 'remove renamedFrom');
      else if (org.accounts.some((other) => other.name.toLowerCase() === from.toLowerCase())) {
        report(
          renamedPath,
          `renamedFrom "${from}" is the name of another account in the config`,
          'an account can only be renamed from a name no account has now',
        );
      } else if (org.accounts.findIndex((other) => other.renamedFrom?.toLowerCase() === from.toLowerCase()) !== i) {
        report(renamedPath, `renamedFrom "${from}" is claimed by another account too`, 'only one account can take over an old name');
      }
      if (account.createNew)
        report([...path, 'createNew'], 'createNew and renamedFrom contradict each other', 'keep renamedFrom for a rename, or createNew for a new account');
    }
  });
}

function checkName(name: string, path: PathSegment[], report: Report): void {
  if (name.length < 1 || name.length > AWS_LIMITS.accountNameMaxLength) {
    report(path, `account name "${name}" has ${name.length} characters; AWS allows 1-${AWS_LIMITS.accountNameMaxLength}`, 'shorten or fill in the name');
  } else if (!/^[\x20-\x7e]+$/.test(name)) {
    report(path, `account name "${name}" has characters AWS does not accept`, 'use printable ASCII characters');
  }
}

function checkEnvironment(environment: string, path: PathSegment[], report: Report): void {
  if (!ENVIRONMENT_NAME.test(environment)) {
    report(path, `environment "${environment}" is not a valid environment name`, 'use lower-case letters, digits and hyphens, e.g. "prod"');
  }
}

function checkBudget(amount: number | undefined, path: PathSegment[], report: Report): void {
  if (amount !== undefined && !(amount > 0)) {
    report(path, `budget must be more than 0 USD, got ${amount}`, 'set a positive monthly amount, e.g. 500');
  }
}

function checkServiceControlPolicies(config: GroundworkConfig, report: Report): void {
  const ouNames = config.organization.organizationalUnits.map((ou) => ou.name);
  const accountNames = config.organization.accounts.map((a) => a.name);
  const perTarget = new Map<string, { count: number; path: PathSegment[] }>();
  const seen = new Set<string>();
  config.serviceControlPolicies.forEach((policy, i) => {
    const path: PathSegment[] = ['serviceControlPolicies', i];
    if (seen.has(policy.name)) {
      if (policy.attachedByBudgetActionOf !== undefined) {
        report(
          ['cost', 'playgroundGuard'],
          `the Playground guard's policy "${policy.name}" is also declared in serviceControlPolicies`,
          'remove that entry; the guard creates the policy itself',
        );
      } else report([...path, 'name'], `policy name "${policy.name}" is used twice`, 'policy names must be unique');
    }
    seen.add(policy.name);
    if (policy.content.length > AWS_LIMITS.scpMaxCharacters) {
      report(
        path,
        `policy "${policy.name}" has ${policy.content.length} characters after minifying; AWS allows ${AWS_LIMITS.scpMaxCharacters}`,
        'split it into two policies',
      );
    }
    if (!policy.enabled) return;
    const count = (key: string, where: PathSegment[]) => {
      const entry = perTarget.get(key) ?? { count: 1, path: where };
      entry.count++;
      entry.path = where;
      perTarget.set(key, entry);
    };
    if (policy.targets.root) count('the organization root', [...path, 'targets', 'root']);
    policy.targets.organizationalUnits.forEach((ou, j) => {
      const where: PathSegment[] = [...path, 'targets', 'organizationalUnits', j];
      if (!ouNames.includes(ou)) report(where, `unknown OU "${ou}"`, didYouMean(ou, ouNames));
      else count(`OU "${ou}"`, where);
    });
    policy.targets.accounts.forEach((account, j) => {
      const where: PathSegment[] = [...path, 'targets', 'accounts', j];
      if (account === config.organization.managementAccount.name) {
        report(where, 'SCPs never apply to the management account', 'attach the policy to member accounts or OUs');
      } else if (!accountNames.includes(account)) report(where, `unknown account "${account}"`, didYouMean(account, accountNames));
      else count(`account "${account}"`, where);
    });
    if (policy.attachedByBudgetActionOf !== undefined) {
      // The guard's policy is attached by its budget action; it still needs room on the account.
      if (accountNames.includes(policy.attachedByBudgetActionOf)) count(`account "${policy.attachedByBudgetActionOf}"`, ['cost', 'playgroundGuard', 'account']);
      return;
    }
    if (!policy.targets.root && policy.targets.organizationalUnits.length === 0 && policy.targets.accounts.length === 0) {
      report(
        [...path, 'targets'],
        `policy "${policy.name}" is attached nowhere`,
        'set targets.root, targets.organizationalUnits or targets.accounts, or enabled: false',
      );
    }
  });
  for (const [target, { count, path }] of perTarget) {
    if (count > AWS_LIMITS.scpsPerTarget) {
      report(
        path,
        `${target} would carry ${count} SCPs (FullAWSAccess included); AWS allows ${AWS_LIMITS.scpsPerTarget}`,
        'attach some policies lower in the tree, or merge policies',
      );
    }
  }
}

function checkIdentityCenter(config: GroundworkConfig, report: Report): void {
  const ic = config.identityCenter;
  const baseDir = dirname(config.sourceFile);
  const setNames: string[] = [];
  ic.permissionSets.forEach((set, i) => {
    const path: PathSegment[] = ['identityCenter', 'permissionSets', i];
    if (!PERMISSION_SET_NAME.test(set.name) || set.name.length > AWS_LIMITS.permissionSetNameMaxLength) {
      report([...path, 'name'], `permission set name "${set.name}" is not valid`, `use 1-${AWS_LIMITS.permissionSetNameMaxLength} letters, digits or +=,.@-`);
    }
    if (setNames.includes(set.name)) report([...path, 'name'], `permission set "${set.name}" is declared twice`, 'names must be unique');
    setNames.push(set.name);
    const { min, max } = AWS_LIMITS.sessionDurationHours;
    if (!(set.sessionDurationHours >= min && set.sessionDurationHours <= max) || !Number.isInteger(set.sessionDurationHours * 60)) {
      report([...path, 'sessionDurationHours'], `session duration ${set.sessionDurationHours} h is out of range`, `use ${min} to ${max} hours`);
    }
    if (set.inlinePolicyFile !== undefined) {
      const file = resolve(baseDir, set.inlinePolicyFile);
      if (!existsSync(file)) report([...path, 'inlinePolicyFile'], `inline policy file not found: ${file}`, 'paths are relative to the config file');
      else {
        try {
          JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          report([...path, 'inlinePolicyFile'], `inline policy is not valid JSON: ${(error as Error).message}`, 'fix the JSON document');
        }
      }
    }
  });
  const groupNames: string[] = [];
  ic.groups.forEach((group, i) => {
    if (groupNames.includes(group.name)) report(['identityCenter', 'groups', i, 'name'], `group "${group.name}" is declared twice`, 'names must be unique');
    groupNames.push(group.name);
  });
  const ouNames = config.organization.organizationalUnits.map((ou) => ou.name);
  const accountNames = [config.organization.managementAccount.name, ...config.organization.accounts.map((a) => a.name)];
  ic.assignments.forEach((assignment, i) => {
    const path: PathSegment[] = ['identityCenter', 'assignments', i];
    if (!groupNames.includes(assignment.group)) report([...path, 'group'], `unknown group "${assignment.group}"`, didYouMean(assignment.group, groupNames));
    if (!setNames.includes(assignment.permissionSet)) {
      report([...path, 'permissionSet'], `unknown permission set "${assignment.permissionSet}"`, didYouMean(assignment.permissionSet, setNames));
    }
    assignment.organizationalUnits.forEach((ou, j) => {
      if (!ouNames.includes(ou)) report([...path, 'organizationalUnits', j], `unknown OU "${ou}"`, didYouMean(ou, ouNames));
    });
    assignment.accounts.forEach((account, j) => {
      if (!accountNames.includes(account)) report([...path, 'accounts', j], `unknown account "${account}"`, didYouMean(account, accountNames));
    });
    if (!assignment.allAccounts && assignment.organizationalUnits.length === 0 && assignment.accounts.length === 0) {
      report(path, 'assignment targets no account', 'set allAccounts, organizationalUnits or accounts');
    }
  });
}

function checkOtherSettings(config: GroundworkConfig, report: Report): void {
  config.notifications.operatorEmails.forEach((email, i) => {
    if (!EMAIL.test(email)) report(['notifications', 'operatorEmails', i], `"${email}" is not a valid e-mail address`, 'use name@domain.tld');
  });
  if (!LOG_RETENTION_DAYS.includes(config.audit.cloudWatchLogsRetentionDays)) {
    report(
      ['audit', 'cloudWatchLogsRetentionDays'],
      `${config.audit.cloudWatchLogsRetentionDays} days is not a CloudWatch Logs retention period`,
      `use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  if (config.audit.objectLockRetentionDays < 1 || config.audit.objectLockRetentionDays > 36500) {
    report(['audit', 'objectLockRetentionDays'], `${config.audit.objectLockRetentionDays} days is out of range`, 'use 1 to 36500 days');
  }
  const accountNames = [config.organization.managementAccount.name, ...config.organization.accounts.map((a) => a.name)];
  const refer = (path: PathSegment[], name: string) => {
    if (!accountNames.includes(name)) report(path, `unknown account "${name}"`, didYouMean(name, accountNames));
  };
  refer(['cost', 'invoiceReceiver'], config.cost.invoiceReceiver);
  const guard = config.cost.playgroundGuard;
  if (guard) {
    if (guard.account === config.organization.managementAccount.name) {
      report(
        ['cost', 'playgroundGuard', 'account'],
        'SCPs never apply to the management account, so it cannot be guarded',
        'guard a member account such as "dev"',
      );
    } else refer(['cost', 'playgroundGuard', 'account'], guard.account);
    if (!(guard.thresholdPercent > 0 && guard.thresholdPercent <= 1000)) {
      report(
        ['cost', 'playgroundGuard', 'thresholdPercent'],
        `threshold must be more than 0 and at most 1000 percent, got ${guard.thresholdPercent}`,
        'use 100 to act when the budget is spent',
      );
    }
  }
  if (config.cost.statementBucketRetentionDays < 31) {
    report(
      ['cost', 'statementBucketRetentionDays'],
      `${config.cost.statementBucketRetentionDays} days would delete a statement before the next one is written`,
      'keep statements at least 31 days; the default is 400',
    );
  }
  if (config.audit.logArchiveAccount === undefined) {
    // No log archive: the audit stacks are not synthesized (synth says so).
  } else if (config.audit.logArchiveAccount === config.organization.managementAccount.name) {
    report(
      ['audit', 'logArchiveAccount'],
      'the log archive must not be the management account',
      'use a member account such as "log-archive", where SCPs protect it',
    );
  } else refer(['audit', 'logArchiveAccount'], config.audit.logArchiveAccount);
  const backend = config.workloads.backendService;
  if (!backend) return;
  refer(['workloads', 'backendService', 'pipelineAccount'], backend.pipelineAccount);
  refer(['workloads', 'backendService', 'stagingAccount'], backend.stagingAccount);
  refer(['workloads', 'backendService', 'productionAccount'], backend.productionAccount);
  const at = (field: string): PathSegment[] => ['workloads', 'backendService', field];
  if (backend.repository !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(backend.repository)) {
    report(at('repository'), `"${backend.repository}" is not a GitHub repository`, 'write it as OWNER/NAME, for example acme/backend');
  }
  if (!backend.healthCheckPath.startsWith('/'))
    report(at('healthCheckPath'), `"${backend.healthCheckPath}" is not a path`, 'start it with /, for example /health');
  if (backend.testCommand.trim() === '')
    report(at('testCommand'), 'the test command is empty', 'give the command that runs the service’s tests, such as npm ci && npm test');
  const memory = FARGATE_MEMORY_MIB[backend.cpu];
  if (!memory) {
    report(at('cpu'), `${backend.cpu} is not a Fargate CPU size`, `use one of ${Object.keys(FARGATE_MEMORY_MIB).join(', ')}`);
  } else if (!memory.includes(backend.memoryMiB)) {
    report(
      at('memoryMiB'),
      `${backend.memoryMiB} MiB is not allowed with ${backend.cpu} CPU units on Fargate`,
      memory.length <= 4
        ? `use one of ${memory.join(', ')} MiB`
        : `use ${memory[0]}–${memory[memory.length - 1]} MiB in steps of ${(memory[1] ?? 0) - (memory[0] ?? 0)}`,
    );
  }
  if (backend.desiredCount < 1 || backend.desiredCount > 100)
    report(at('desiredCount'), `${backend.desiredCount} tasks is out of range`, 'run 1 to 100 tasks (2 or more for zero-downtime deploys)');
  if (backend.containerPort < 1 || backend.containerPort > 65535) report(at('containerPort'), `${backend.containerPort} is not a port`, 'use 1 to 65535');
  releaseRules(backend.release, (field, message, fix) => report(['workloads', 'backendService', 'release', ...field], message, fix));
}

/** The release settings: each value within what CodeDeploy, CloudFormation and the load balancer accept. */
function releaseRules(
  release: NonNullable<GroundworkConfig['workloads']['backendService']>['release'],
  report: (field: PathSegment[], message: string, fix: string) => void,
): void {
  if (!/^[A-Za-z0-9._*?/-]{1,100}$/.test(release.tagPattern)) {
    report(['tagPattern'], `"${release.tagPattern}" is not a tag pattern`, 'use letters, digits, . _ - / and the wildcards * and ?, such as v*');
  } else if (/^[*?]+$/.test(release.tagPattern)) {
    report(['tagPattern'], `"${release.tagPattern}" matches every tag`, 'name the release tags, such as v* or release-*');
  }
  if (!(ECS_DEPLOYMENT_CONFIGS as readonly string[]).includes(release.deploymentConfig)) {
    report(
      ['deploymentConfig'],
      `"${release.deploymentConfig}" is not a predefined ECS deployment configuration`,
      `use one of ${ECS_DEPLOYMENT_CONFIGS.join(', ')}`,
    );
  }
  // One limit for both strategies, so that a team can move between them without changing the bake (and the template's
  // BakeMinutes has one range).
  if (release.bakeMinutes < 0 || release.bakeMinutes > ECS_MAX_BAKE_MINUTES) {
    report(
      ['bakeMinutes'],
      `${release.bakeMinutes} minutes is out of range`,
      `use 0 to ${ECS_MAX_BAKE_MINUTES} minutes (24 hours: the longest bake ECS's own blue/green allows)`,
    );
  }
  if (release.readyWaitMinutes < 1 || release.readyWaitMinutes > 2880)
    report(['readyWaitMinutes'], `${release.readyWaitMinutes} minutes is out of range`, 'use 1 to 2880 minutes');
  if (release.testListenerPort < 1 || release.testListenerPort > 65535 || [80, 443].includes(release.testListenerPort)) {
    report(
      ['testListenerPort'],
      `${release.testListenerPort} cannot be the test listener's port`,
      'use a port from 1 to 65535 other than 80 and 443 (production uses those), such as 9000',
    );
  }
  const cidr = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(release.testTrafficCidr);
  if (!cidr || cidr.slice(1, 5).some((o) => Number(o) > 255) || Number(cidr[5]) > 32) {
    report(['testTrafficCidr'], `"${release.testTrafficCidr}" is not an IPv4 CIDR`, 'write it as a.b.c.d/n, such as 10.0.0.0/16');
  } else if (Number(cidr[5]) === 0) {
    report(
      ['testTrafficCidr'],
      `"${release.testTrafficCidr}" opens the test listener to the world`,
      'name the smoke-check runners’ addresses (self-hosted runners, or larger runners with static IPs)',
    );
  }
  if (release.max5xxPercent < 0 || release.max5xxPercent > 100) report(['max5xxPercent'], `${release.max5xxPercent}% is out of range`, 'use 0 to 100');
  release.extraAlarmArns.forEach((arn, i) => {
    if (!/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/.test(arn)) {
      report(
        ['extraAlarmArns', i],
        `"${arn}" is not a CloudWatch alarm ARN`,
        'write it as arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME, in the production account and region',
      );
    }
  });
}

const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** Memory sizes (MiB) Fargate allows per CPU size. */
const FARGATE_MEMORY_MIB: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
