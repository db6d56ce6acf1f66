import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClientFactory } from '../../src/aws/client-factory.js';
import { checkConfigText } from '../../src/config/load-config.js';
import type { GroundworkConfig } from '../../src/config/resolved-config.js';
import { type ApplyResult, applyPlan } from '../../src/engine/apply.js';
import { buildPlan } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/types.js';
import { createFoundationContexts, foundationKinds } from '../../src/foundation/foundation-kinds.js';
import { createOrgContext } from '../../src/org/org-context.js';
import { organizationKinds } from '../../src/org/organization-kinds.js';
import { SHARED_PATHS } from './paths.js';

// biome-ignore lint/suspicious/noExplicitAny: tests edit the YAML document freely.
type RawConfig = any;

/** The shipped groundwork.yaml, edited by `edit`, loaded through all three validation steps. */
export function configWith(edit: (raw: RawConfig) => void = () => {}): GroundworkConfig {
  const file = join(SHARED_PATHS.root, 'groundwork.yaml');
  const raw = parse(readFileSync(file, 'utf8'));
  edit(raw);
  const result = checkConfigText(stringify(raw), file);
  if (!result.config) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}

/** Plans the organization kinds with a fresh context. */
export function planOrg(config: GroundworkConfig, clients: ClientFactory): Promise<Plan> {
  return buildPlan(organizationKinds(createOrgContext(config, clients)));
}

/** Plans the whole foundation (organization and Identity Center) with fresh contexts. */
export function planFoundation(config: GroundworkConfig, clients: ClientFactory): Promise<Plan> {
  return buildPlan(foundationKinds(createFoundationContexts(config, clients)));
}

/** Plans and applies the whole foundation; throws if any change failed. */
export async function applyFoundation(config: GroundworkConfig, clients: ClientFactory): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await planFoundation(config, clients);
  const result = await applyPlan(plan);
  if (result.failed.length > 0) throw new Error(`apply failed: ${result.failed.map((f) => `${f.change.id}: ${(f.error as Error).message}`).join('; ')}`);
  return { plan, result };
}

/** Plans and applies; throws if any change failed. */
export async function applyOrg(config: GroundworkConfig, clients: ClientFactory): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await planOrg(config, clients);
  const result = await applyPlan(plan);
  if (result.failed.length > 0) throw new Error(`apply failed: ${result.failed.map((f) => `${f.change.id}: ${(f.error as Error).message}`).join('; ')}`);
  return { plan, result };
}

/** `action id` lines of a plan, for compact assertions. */
export function summary(plan: Plan): string[] {
  return plan.changes.map((c) => `${c.action} ${c.id}`);
}

/** Removes an account from the raw config, with every reference to it. */
export function removeAccount(raw: RawConfig, name: string): void {
  const removed = raw.organization.accounts.find((a: { name: string }) => a.name === name);
  raw.organization.accounts = raw.organization.accounts.filter((a: { name: string }) => a.name !== name);
  // Its environment's user pool goes with it, unless another account has that environment.
  const environment = removed?.environment ?? name;
  const environmentOf = (a: { name: string; environment?: string }) => a.environment ?? a.name;
  if (raw.auth?.environments?.[environment] && !raw.organization.accounts.some((a: { name: string }) => environmentOf(a) === environment)) {
    delete raw.auth.environments[environment];
  }
  for (const assignment of raw.identityCenter?.assignments ?? []) {
    assignment.accounts = (assignment.accounts ?? []).filter((a: string) => a !== name);
  }
  raw.identityCenter.assignments = raw.identityCenter.assignments.filter(
    (a: { accounts?: string[]; allAccounts?: boolean }) => a.allAccounts || (a.accounts ?? []).length > 0,
  );
  if (raw.cost?.playgroundGuard?.account === name) delete raw.cost.playgroundGuard;
  const backend = raw.workloads?.backendService;
  if (backend) for (const key of ['pipelineAccount', 'stagingAccount', 'productionAccount']) if (backend[key] === name) delete raw.workloads.backendService;
}

/** Renames an account in the raw config, with every reference to it. */
export function renameAccount(raw: RawConfig, from: string, to: string): void {
  for (const account of raw.organization.accounts) if (account.name === from) account.name = to;
  for (const assignment of raw.identityCenter?.assignments ?? []) assignment.accounts = (assignment.accounts ?? []).map((a: string) => (a === from ? to : a));
  if (raw.cost?.playgroundGuard?.account === from) raw.cost.playgroundGuard.account = to;
}
