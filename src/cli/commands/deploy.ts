import { appendFileSync } from 'node:fs';
import { elapsedMs } from '../../clock.js';
import { applyBaselines, type BaselinePlan, type BaselineResult, type DeploySession, planBaselines } from '../../deploy/deploy.js';
import { type PreflightCheck, runPreflight } from '../../deploy/preflight.js';
import { applyPlan } from '../../engine/apply.js';
import { planToJson } from '../../engine/plan.js';
import type { Plan } from '../../engine/types.js';
import { GroundworkError } from '../../errors.js';
import { findInstance, portalUrl } from '../../identity/identity-context.js';
import { emulatedCloudFormationTypes } from '../../sandbox/emulator.js';
import { type CommandContext, resolveTarget } from '../context.js';
import { synthesizeChecked } from '../deploy-session.js';
import { type OrgSession, openOrgSession, planOrganization } from '../org-session.js';
import { ask } from '../prompt.js';
import { type AccountNames, renderBaselinePlan, renderBaselineResult, renderByAccount, renderPreflight } from '../render-deploy.js';
import { renderPlan } from '../render-plan.js';
import { progressPrinter } from '../render-progress.js';

/** Options of `groundwork deploy`. */
export interface DeployOptions {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  /** A Markdown file the outcome is appended to (a GitHub job summary: $GITHUB_STEP_SUMMARY). */
  readonly summary?: string;
}

/** The outcome as Markdown, for a job summary: the organization's changes, then each stack and StackSet, then next steps. */
function deployMarkdown(orgPlan: Plan, applied: string, summary: string, failure?: string): string {
  const changes = orgPlan.changes.length;
  return [
    `### Groundwork deploy${failure ? ': failed' : ''}`,
    '',
    ...(failure ? [`**${failure}**`, ''] : []),
    `Organization and Identity Center: ${changes === 0 ? 'no changes' : `${changes} change(s)`}`,
    ...(changes > 0 ? ['', '```diff', renderPlan(orgPlan).replaceAll('```', "'''"), '```'] : []),
    '',
    '```text',
    [applied, summary].filter(Boolean).join('\n\n').replaceAll('```', "'''"),
    '```',
    '',
  ].join('\n');
}

export function deploySessionOf(ctx: CommandContext, session: OrgSession): DeploySession {
  const sandbox = resolveTarget(ctx) === 'sandbox';
  return {
    emulatedTypes: sandbox ? emulatedCloudFormationTypes(ctx.emulatorPaths) : undefined,
    config: session.config,
    clients: session.clients,
    registry: session.org.registry,
    managementAccountId: session.org.registry.managementAccountId ?? session.caller.accountId,
    sandbox,
  };
}

export function accountNamesOf(session: OrgSession): AccountNames {
  const names = new Map([...session.org.registry.accountIds].map(([name, id]) => [id, name]));
  const management = session.org.registry.managementAccountId ?? session.caller.accountId;
  return (id) => (id === management ? session.config.organization.managementAccount.name : (names.get(id) ?? id.replace(/^\((.*)\)$/, '$1 (new)')));
}

/** Operation preferences of every StackSet operation, from `deploy.stackSets` in the config. */
function preferencesOf(session: OrgSession) {
  const p = session.config.deploy.stackSets;
  return {
    RegionConcurrencyType: p.regionConcurrency,
    MaxConcurrentPercentage: p.maxConcurrentPercentage,
    FailureTolerancePercentage: p.failureTolerancePercentage,
  };
}

/** The plan's JSON: what scripts and the GitOps workflows read. */
function planJson(orgPlan: Plan, checks: readonly PreflightCheck[], baselines: BaselinePlan) {
  return {
    preflight: checks,
    organization: planToJson(orgPlan),
    bootstrap: baselines.bootstrap,
    stacks: baselines.stacks,
    stackSets: baselines.stackSets.map((s) => ({
      name: s.spec.name,
      action: s.action,
      changes: s.changes,
      pending: s.pending,
      accounts: s.spec.accountIds ?? [],
      organizationalUnits: s.spec.organizationalUnitIds,
      regions: s.spec.regions,
      missing: s.missing,
      extra: s.extra,
      failed: s.failed,
      notEmulated: s.notEmulated,
    })),
    blocked: baselines.blocked,
  };
}

/** Whether the baselines would change anything. */
export function baselinesChange(plan: BaselinePlan): boolean {
  return plan.bootstrap.needed || plan.stacks.some((s) => s.change !== 'none') || plan.stackSets.some((s) => s.action !== 'unchanged' || s.missing.length > 0);
}

async function readEverything(ctx: CommandContext, session: OrgSession, diffMethod: 'template' | 'change-set') {
  const sandbox = resolveTarget(ctx) === 'sandbox';
  ctx.out.progress('Reading the organization…');
  const orgPlan = await planOrganization(session);
  ctx.out.progress('Synthesizing the stacks (cdk-nag, cfn-lint) and reading the StackSets…');
  const { synth } = await synthesizeChecked(ctx, session);
  const deploySession = deploySessionOf(ctx, session);
  const baselines = await planBaselines(deploySession, synth, { diffMethod });
  const newStackSets = baselines.stackSets.filter((s) => s.action === 'create').length;
  const checks = await runPreflight({ clients: session.clients, config: session.config, sandbox, newStackSets });
  return { orgPlan, synth, baselines, checks, deploySession, sandbox };
}

/**
 * `groundwork deploy [--dry-run] [--yes]`: preflight, the organization and Identity Center, the management stacks
 * (CDK) and the member-account baselines (StackSets), with a summary of what to do next.
 */
export async function deployCommand(ctx: CommandContext, options: DeployOptions): Promise<void> {
  const { out } = ctx;
  const session = await openOrgSession(ctx);
  out.progress(`${session.header}\n`);
  const { orgPlan, synth, baselines, checks, deploySession, sandbox } = await readEverything(ctx, session, 'template');
  const names = accountNamesOf(session);
  const failedChecks = checks.filter((c) => c.status === 'fail');
  if (!out.json) {
    out.progress(renderPreflight(checks));
    out.progress(`\n1. Organization and Identity Center (caller's credentials):\n${renderPlan(orgPlan)}`);
    out.progress(`\n2. Baselines and management stacks, in order:\n${renderBaselinePlan(baselines, names)}\n`);
  }
  if (options.dryRun) {
    out.result({ dryRun: true, ...planJson(orgPlan, checks, baselines) }, () =>
      failedChecks.length > 0
        ? `Dry run: nothing was changed. ${failedChecks.length} preflight check(s) fail; deploy would stop before changing anything until they are fixed.`
        : 'Dry run: nothing was changed.',
    );
    return;
  }
  if (failedChecks.length > 0) {
    throw new GroundworkError('PREFLIGHT_FAILED', `${failedChecks.length} preflight check(s) failed; nothing was changed`, {
      details: failedChecks.map((c) => `${c.title}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`),
      hint: 'fix each one as it says, then run deploy again',
    });
  }
  const total = orgPlan.changes.length + (baselinesChange(baselines) ? 1 : 0);
  if (total > 0 && !options.yes) {
    const answer = await ask(
      `\nDeploy to ${sandbox ? 'the sandbox' : `AWS organization ${session.caller.organizationId ?? '(new)'} as ${session.caller.arn}`}? Type "yes": `,
    );
    if (answer === undefined) {
      throw new GroundworkError('APPLY_ABORTED', 'deploy needs confirmation, and there is no terminal to ask on', {
        hint: 'pass --yes to deploy without asking',
      });
    }
    if (answer.trim() !== 'yes') throw new GroundworkError('APPLY_ABORTED', 'deploy cancelled; nothing was changed', { hint: 'type "yes", or pass --yes' });
  }

  const started = elapsedMs();
  let result: BaselineResult = { stackSets: [], stacks: [], failed: [], skipped: [] };
  if (orgPlan.changes.length > 0) {
    const applied = await applyPlan(orgPlan, { emit: progressPrinter(out, orgPlan.changes.length) });
    if (applied.failed.length > 0) {
      throw new GroundworkError('APPLY_FAILED', `${applied.failed.length} organization change(s) failed; the baselines were not deployed`, {
        details: applied.failed.map((f) => `${f.change.kind} ${f.change.name}: ${(f.error as Error)?.message ?? String(f.error)}`),
        hint: 'fix the cause and run deploy again; it continues where it stopped',
      });
    }
    out.progress(`✓ organization: ${applied.done.length} change(s)`);
  }
  // New accounts and OUs have IDs now: the stacks and StackSets are planned again with them.
  const again = orgPlan.changes.length > 0 ? await synthesizeChecked(ctx, session) : { synth };
  const plan = orgPlan.changes.length > 0 ? await planBaselines(deploySession, again.synth) : baselines;
  result = await applyBaselines(deploySession, again.synth, plan, { preferences: preferencesOf(session), progress: (m) => out.progress(m) });
  if (result.failed.length > 0 && options.summary) {
    appendFileSync(options.summary, deployMarkdown(orgPlan, renderBaselineResult(result), '', `${result.failed.length} deploy step(s) failed`));
  }
  if (result.failed.length > 0) {
    throw new GroundworkError('DEPLOY_FAILED', `${result.failed.length} deploy step(s) failed and ${result.skipped.length} were skipped`, {
      details: [
        ...result.failed.flatMap((f) => [`${f.name}: ${f.message}`, ...f.details.map((d) => `  ${d}`)]),
        ...result.skipped.map((s) => `skipped: ${s.name} (${s.because})`),
      ],
      hint: 'fix the cause and run deploy again: what is in place is skipped, so it continues where it stopped',
    });
  }
  const summary = await summaryOf(session, plan);
  if (options.summary) appendFileSync(options.summary, deployMarkdown(orgPlan, renderBaselineResult(result), renderSummary(summary)));
  out.result({ ...planJson(orgPlan, checks, plan), result, summary, seconds: Math.round((elapsedMs() - started) / 100) / 10 }, () =>
    [renderBaselineResult(result), '', renderSummary(summary)].join('\n'),
  );
}

/** `groundwork diff`: the organization plan, CloudFormation change sets of the management stacks and the StackSet differences by account; changes nothing. */
export async function diffCommand(ctx: CommandContext): Promise<number> {
  const session = await openOrgSession(ctx);
  ctx.out.progress(`${session.header}\n`);
  const { orgPlan, baselines, checks } = await readEverything(ctx, session, 'change-set');
  const names = accountNamesOf(session);
  ctx.out.result(planJson(orgPlan, checks, baselines), () =>
    [
      renderPreflight(checks),
      '',
      'Organization and Identity Center:',
      renderPlan(orgPlan),
      '',
      'Management stacks (CloudFormation change sets where the stack exists):',
      ...baselines.stacks.map(
        (s) =>
          `  ${s.stackName}: ${s.change === 'none' ? 'no change' : s.change}${s.resources.length > 0 ? `\n${s.resources.map((r) => `    ${r}`).join('\n')}` : ''}`,
      ),
      '',
      'By account:',
      renderByAccount(baselines, names),
      ...(baselines.blocked.length > 0 ? ['', ...baselines.blocked.map((b) => `not yet: ${b.name}: ${b.reason}`)] : []),
    ].join('\n'),
  );
  return 0;
}

/** What the operator needs after a deploy. */
export interface DeploySummary {
  readonly portal: string | null;
  readonly console: string;
  /** The cicd roles the backend repository's caller file names: the image job of master pushes, the staging deploy job, the release job. */
  readonly deliveryRoles: { readonly image?: string; readonly staging?: string; readonly release?: string };
  readonly invoiceUnits: readonly { environment: string; accounts: string[]; monthlyBudgetUsd: number }[];
  readonly nextSteps: readonly string[];
  /** What the backend's first pipeline run and first release will do, when this deploy creates the workloads (issue #28). */
  readonly firstPipelineRun: readonly string[];
}

/** What the first push and the first release tag do to workloads created with 0 tasks. */
export function firstPipelineRun(config: OrgSession['config'], plan: BaselinePlan): string[] {
  const backend = config.workloads.backendService;
  const created = (name: string) => plan.stackSets.some((s) => s.spec.name === name && s.action === 'create');
  if (!backend) return [];
  const envOf = (account: string) => config.organization.accounts.find((a) => a.name === account)?.environment ?? account;
  const tasks = `${backend.desiredCount} task(s)`;
  return [
    ...(created('groundwork-workload')
      ? [
          `first push to ${backend.branch}: the pipeline tests and builds the image once; deploy-staging registers it, scales ${envOf(backend.stagingAccount)}'s ${backend.name} from 0 to ${tasks}, waits until they are healthy behind the load balancer, runs the E2E command and records the digest; its summary says "first deployment". Nothing to do by hand.`,
        ]
      : []),
    ...(created('groundwork-workload-bluegreen')
      ? [
          `first release tag (${backend.release.tagPattern}): ${envOf(backend.productionAccount)} has no version running, so there is no traffic to shift: bluegreen-release deploys straight, scales ${backend.name} from 0 to ${tasks}, waits for health, and says so in its summary. Releases after it are blue/green.`,
        ]
      : []),
  ];
}

export async function summaryOf(session: OrgSession, plan: BaselinePlan): Promise<DeploySummary> {
  const { config } = session;
  const instance = await findInstance(session.identity).catch(() => undefined);
  const backend = config.workloads.backendService;
  const pipeline = backend && session.org.registry.accountIds.get(backend.pipelineAccount);
  const oidc = plan.stackSets.some((s) => s.spec.name === 'groundwork-github-oidc');
  const partition = config.organization.homeRegion.startsWith('cn-') ? 'aws-cn' : 'aws';
  const units = new Map<string, { accounts: string[]; monthlyBudgetUsd: number }>();
  for (const a of [config.organization.managementAccount, ...config.organization.accounts]) {
    const unit = units.get(a.environment) ?? { accounts: [], monthlyBudgetUsd: 0 };
    unit.accounts.push(a.name);
    unit.monthlyBudgetUsd += a.monthlyBudgetUsd;
    units.set(a.environment, unit);
  }
  return {
    portal: instance ? portalUrl(instance.identityStoreId) : null,
    console: 'npx groundwork console',
    deliveryRoles:
      pipeline && oidc
        ? {
            image: `arn:${partition}:iam::${pipeline}:role/groundwork-image`,
            staging: `arn:${partition}:iam::${pipeline}:role/groundwork-delivery`,
            release: `arn:${partition}:iam::${pipeline}:role/groundwork-release`,
          }
        : {},
    invoiceUnits: [...units].map(([environment, u]) => ({ environment, ...u })),
    nextSteps: [
      ...(config.notifications.operatorEmails.length > 0
        ? [`confirm the SNS subscription e-mail sent to ${config.notifications.operatorEmails.join(', ')}`]
        : []),
      ...(backend
        ? [
            'protect the backend repository (docs/runbooks/delivery.md): required reviewers on its `production` environment, deployment branch rules on `staging`, and a tag ruleset on the release tags',
          ]
        : []),
      ...plan.blocked.map((b) => `${b.name}: ${b.reason}`),
    ],
    firstPipelineRun: firstPipelineRun(config, plan),
  };
}

export function renderSummary(s: DeploySummary): string {
  return [
    `Access portal: ${s.portal ?? '(Identity Center not enabled: docs/runbooks/identity-center.md)'}`,
    `Console: ${s.console}`,
    ...(s.deliveryRoles.staging
      ? [
          "Roles for the backend repository's caller workflow (workflows-templates/backend-service.yml):",
          `  image-role-arn (the image job of the staging job's workflow; the production job takes none): ${s.deliveryRoles.image}`,
          `  delivery-role-arn (the staging deploy job, in the staging environment): ${s.deliveryRoles.staging}`,
          `  release-role-arn (the release job, in the production environment): ${s.deliveryRoles.release}`,
        ]
      : []),
    'Invoice units and monthly budgets:',
    ...s.invoiceUnits.map((u) => `  ${u.environment}: $${u.monthlyBudgetUsd} (${u.accounts.join(', ')})`),
    ...(s.firstPipelineRun.length > 0
      ? ['The workloads start with 0 tasks; what the first pipeline run does:', ...s.firstPipelineRun.map((n) => `  - ${n}`)]
      : []),
    ...(s.nextSteps.length > 0 ? ['Next steps:', ...s.nextSteps.map((n) => `  - ${n}`)] : []),
  ].join('\n');
}
