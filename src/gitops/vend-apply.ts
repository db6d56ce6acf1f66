import { CloudFormationClient, paginateListStackInstances } from '@aws-sdk/client-cloudformation';
import { assertManagementCaller, describeCaller } from '../aws/caller.js';
import type { ClientFactory } from '../aws/client-factory.js';
import { elapsedMs } from '../clock.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { desiredBaselines } from '../deploy/baselines.js';
import { applyStackSet, planStackSet } from '../deploy/stacksets.js';
import { applyPlan } from '../engine/apply.js';
import { buildPlan } from '../engine/plan.js';
import type { Change } from '../engine/types.js';
import { GroundworkError } from '../errors.js';
import { createFoundationContexts, foundationKinds } from '../foundation/foundation-kinds.js';
import { findInstance, shortcutUrl } from '../identity/identity-context.js';

/** What vending one account now did. */
export interface VendApplyResult {
  readonly accountId: string;
  /** The changes applied, as `action kind name`: the account's own and what they needed first. */
  readonly applied: readonly string[];
  /** Each StackSet the config gives the account, with what happened to its instance there. */
  readonly stackSets: readonly { name: string; outcome: 'already there' | 'deployed automatically' | 'created' | 'not deployed yet' }[];
  /** A sign-in shortcut to the account, with the first permission set the config assigns there. */
  readonly signInUrl?: string;
}

/** Options of {@link vendAccountNow}. */
export interface VendApplyOptions {
  readonly progress?: (message: string) => void;
  /** How long to wait for StackSets' auto-deployment to start an instance before creating it. @default 120 s */
  readonly autoDeploymentGraceMs?: number;
  /** @default 5 s (AWS) */
  readonly pollMs?: number;
  /** Longest wait for each StackSet operation. @default 30 minutes */
  readonly timeoutMs?: number;
}

function describe(change: Change): string {
  return `${change.action} ${change.kind} ${change.name}`;
}

/** The account's own changes (the account, its settings, its assignments) and, transitively, the changes they need. */
function changesFor(changes: readonly Change[], account: string): Change[] {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const own = changes.filter(
    (c) =>
      (c.kind === 'account' && c.name === account) ||
      c.details.account === account ||
      c.name === account ||
      c.name.startsWith(`${account}/`) ||
      c.name.endsWith(` · ${account}`),
  );
  const selected = new Set<Change>();
  const visit = (change: Change) => {
    if (selected.has(change)) return;
    selected.add(change);
    for (const id of change.requires) {
      const dependency = byId.get(id);
      if (dependency) visit(dependency);
    }
  };
  own.forEach(visit);
  // Keep the plan's order, which is a valid order.
  return changes.filter((c) => selected.has(c));
}

/**
 * Vends one account now, from a config that already declares it: applies only that account's part of the plan (what
 * it needs first included), then makes sure every StackSet the config gives it has an instance there, waiting for
 * auto-deployment first and creating the instance when it does not come, and waits for each. Running it again for
 * the same account changes nothing.
 */
export async function vendAccountNow(
  config: GroundworkConfig,
  clients: ClientFactory,
  accountName: string,
  options: VendApplyOptions = {},
): Promise<VendApplyResult> {
  const progress = options.progress ?? (() => {});
  assertManagementCaller(await describeCaller(clients));
  const contexts = createFoundationContexts(config, clients);
  progress(`Planning account ${accountName}…`);
  const plan = await buildPlan(foundationKinds(contexts));
  const selected = changesFor(plan.changes, accountName);
  const others = plan.changes.length - selected.length;
  if (others > 0) progress(`${others} other pending change(s) are left for the next apply of the whole config`);
  for (const change of selected) progress(`  ${describe(change)}`);
  const result = await applyPlan(
    { changes: selected, unmanaged: [], attention: [] },
    {
      emit: (event) => {
        if (event.type === 'done') progress(`  ✓ ${describe(event.change)}`);
        else if (event.type === 'progress') progress(`    ${event.message}`);
        else if (event.type === 'failed') progress(`  ✗ ${describe(event.change)}: ${event.error}`);
      },
    },
  );
  if (result.failed.length > 0) {
    throw new GroundworkError('APPLY_FAILED', `vending ${accountName}: ${result.failed.length} change(s) failed`, {
      details: result.failed.map((f) => `${describe(f.change)}: ${(f.error as Error).message}`),
      hint: 'fix the cause and dispatch again: what was done is not done twice',
    });
  }
  const { registry } = contexts.org;
  const accountId = registry.accountIds.get(accountName);
  if (!accountId) throw new GroundworkError('APPLY_FAILED', `account ${accountName} has no ID after the apply`, { hint: 'dispatch again' });

  // Template bodies are not needed: only instances of StackSets the deploy created are added here.
  const { specs } = desiredBaselines(
    config,
    { accountIds: registry.accountIds, ouIds: registry.ouIds },
    { readTemplate: () => '{}', logArchiveTemplate: '{}' },
  );
  const cfn = clients.create(CloudFormationClient);
  const stackSets: VendApplyResult['stackSets'][number][] = [];
  for (const spec of specs.filter((s) => s.accountIds?.includes(accountId))) {
    const planned = await planStackSet(cfn, spec, [accountId]);
    if (planned.action === 'create') {
      progress(`StackSet ${spec.name} is not deployed yet: the next foundation apply creates it, with an instance in ${accountName}`);
      stackSets.push({ name: spec.name, outcome: 'not deployed yet' });
      continue;
    }
    if (planned.missing.length === 0) {
      stackSets.push({ name: spec.name, outcome: 'already there' });
      continue;
    }
    const deadline = elapsedMs() + (options.autoDeploymentGraceMs ?? 120_000);
    let arrived = false;
    while (elapsedMs() < deadline && !arrived) {
      progress(`  … ${spec.name}: waiting for auto-deployment to reach ${accountName}`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 5_000));
      arrived = await hasInstance(cfn, spec.name, accountId);
    }
    if (arrived) {
      stackSets.push({ name: spec.name, outcome: 'deployed automatically' });
      continue;
    }
    await applyStackSet(cfn, { ...planned, action: 'unchanged' }, { progress, pollMs: options.pollMs, timeoutMs: options.timeoutMs ?? 1_800_000 });
    stackSets.push({ name: spec.name, outcome: 'created' });
  }

  const instance = await findInstance(contexts.identity);
  const ou = config.organization.accounts.find((a) => a.name === accountName)?.organizationalUnit;
  const permissionSet = config.identityCenter.assignments.find(
    (a) => a.allAccounts || a.accounts.includes(accountName) || (ou !== undefined && a.organizationalUnits.includes(ou)),
  )?.permissionSet;
  return {
    accountId,
    applied: selected.map(describe),
    stackSets,
    ...(instance && permissionSet ? { signInUrl: shortcutUrl(instance.identityStoreId, accountId, permissionSet) } : {}),
  };
}

async function hasInstance(cfn: CloudFormationClient, stackSetName: string, accountId: string): Promise<boolean> {
  for await (const page of paginateListStackInstances({ client: cfn }, { StackSetName: stackSetName, StackInstanceAccount: accountId })) {
    if ((page.Summaries ?? []).length > 0) return true;
  }
  return false;
}
