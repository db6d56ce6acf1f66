import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigIssue } from './config-issue.js';
import { guardrailNames, readGuardrail } from './guardrail-catalog.js';
import {
  DENY_NEW_SPEND_POLICY,
  type GroundworkConfig,
  type ResolvedAccount,
  type ResolvedResourceControlPolicy,
  type ResolvedServiceControlPolicy,
} from './resolved-config.js';
import type { ParsedConfig } from './schema.js';
import { DATA_PERIMETER_POLICY, dataPerimeterPolicy } from './security-catalog.js';
import { didYouMean } from './suggest.js';

/** Step 2: computed defaults (e-mails, environments, budgets) and policy documents read from disk. */
export function applyDefaults(parsed: ParsedConfig, sourceFile: string): { config: GroundworkConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const org = parsed.organization;
  const expandEmail = (name: string) => org.accountEmailTemplate.replaceAll('{account}', name);

  const accounts: ResolvedAccount[] = org.accounts.map((account) => ({
    name: account.name,
    organizationalUnit: account.organizationalUnit,
    environment: account.environment ?? account.name,
    email: account.email ?? expandEmail(account.name),
    monthlyBudgetUsd: account.monthlyBudgetUsd ?? org.defaultMonthlyBudgetUsd,
    ...(account.renamedFrom !== undefined ? { renamedFrom: account.renamedFrom } : {}),
    ...(account.createNew ? { createNew: true } : {}),
  }));
  const managementAccount: ResolvedAccount = {
    name: org.managementAccount.name,
    organizationalUnit: '',
    environment: org.managementAccount.environment,
    email: '',
    monthlyBudgetUsd: org.managementAccount.monthlyBudgetUsd ?? org.defaultMonthlyBudgetUsd,
  };

  const baseDir = dirname(sourceFile);
  const known = guardrailNames();
  const policies: ResolvedServiceControlPolicy[] = [];
  parsed.serviceControlPolicies.forEach((policy, index) => {
    const path = ['serviceControlPolicies', index];
    if ((policy.guardrail === undefined) === (policy.file === undefined)) {
      issues.push({ path, message: 'give exactly one of `guardrail` or `file`', hint: `built-in guardrails: ${known.join(', ')}` });
      return;
    }
    let text: string;
    let where: (string | number)[];
    if (policy.guardrail !== undefined) {
      where = [...path, 'guardrail'];
      if (!known.includes(policy.guardrail)) {
        issues.push({ path: where, message: `unknown guardrail "${policy.guardrail}"`, hint: didYouMean(policy.guardrail, known) });
        return;
      }
      text = readGuardrail(policy.guardrail);
    } else {
      where = [...path, 'file'];
      const file = resolve(baseDir, policy.file as string);
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        issues.push({ path: where, message: `policy file not found: ${file}`, hint: 'paths are relative to the config file' });
        return;
      }
    }
    text = text.replaceAll('"{{governedRegions}}"', JSON.stringify(org.governedRegions));
    let content: string;
    try {
      content = JSON.stringify(JSON.parse(text));
    } catch (error) {
      issues.push({ path: where, message: `policy is not valid JSON: ${(error as Error).message}`, hint: 'fix the JSON document' });
      return;
    }
    policies.push({
      name: policy.name,
      description: policy.description ?? (policy.guardrail ? `Groundwork guardrail: ${policy.guardrail}` : `Groundwork policy from ${policy.file}`),
      enabled: policy.enabled,
      content,
      targets: policy.targets,
    });
  });

  const guard = parsed.cost.playgroundGuard;
  if (guard) {
    policies.push({
      name: DENY_NEW_SPEND_POLICY,
      description: 'Groundwork guardrail: deny-new-spend, attached by the Playground budget action',
      enabled: true,
      content: JSON.stringify(JSON.parse(readGuardrail('deny-new-spend'))),
      targets: { root: false, organizationalUnits: [], accounts: [] },
      attachedByBudgetActionOf: guard.account,
    });
  }

  const rcps = resourceControlPolicies(parsed, baseDir, issues);
  const security = parsed.security;
  const administratorAccount = security.administratorAccount ?? (accounts.some((a) => a.name === 'security') ? 'security' : undefined);

  const logArchiveAccount = parsed.audit.logArchiveAccount ?? (accounts.some((a) => a.name === 'log-archive') ? 'log-archive' : undefined);
  const config: GroundworkConfig = {
    ...parsed,
    audit: { ...parsed.audit, logArchiveAccount },
    sourceFile,
    organization: { ...org, managementAccount, accounts },
    serviceControlPolicies: policies,
    security: { ...security, administratorAccount, resourceControlPolicyDocuments: rcps },
  };
  return { config, issues };
}

/** Groundwork's data-perimeter RCP (when on) and the config's own RCPs, read from their files and minified. */
function resourceControlPolicies(parsed: ParsedConfig, baseDir: string, issues: ConfigIssue[]): ResolvedResourceControlPolicy[] {
  const rcp = parsed.security.resourceControlPolicies;
  const resolved: ResolvedResourceControlPolicy[] = [];
  if (rcp.dataPerimeter) {
    resolved.push({
      name: DATA_PERIMETER_POLICY,
      description: "Groundwork data perimeter: the organization's S3, KMS, Secrets Manager and STS refuse principals from outside it",
      enabled: true,
      content: JSON.stringify(dataPerimeterPolicy(rcp.trustedAccounts)),
      targets: rcp.targets,
      source: ['security', 'resourceControlPolicies', 'dataPerimeter'],
    });
  }
  rcp.policies.forEach((policy, index) => {
    const where = ['security', 'resourceControlPolicies', 'policies', index, 'file'];
    const file = resolve(baseDir, policy.file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      issues.push({ path: where, message: `policy file not found: ${file}`, hint: 'paths are relative to the config file' });
      return;
    }
    let content: string;
    try {
      content = JSON.stringify(JSON.parse(text));
    } catch (error) {
      issues.push({ path: where, message: `policy is not valid JSON: ${(error as Error).message}`, hint: 'fix the JSON document' });
      return;
    }
    resolved.push({
      name: policy.name,
      description: policy.description ?? `Groundwork policy from ${policy.file}`,
      enabled: policy.enabled,
      content,
      targets: policy.targets,
      source: ['security', 'resourceControlPolicies', 'policies', index],
    });
  });
  return resolved;
}
