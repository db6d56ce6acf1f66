import { existsSync } from 'node:fs';
import { applyBaselines, planBaselines } from '../../deploy/deploy.js';
import { applyPlan } from '../../engine/apply.js';
import { GroundworkError } from '../../errors.js';
import { importUsers } from '../../identity/people/import-users.js';
import { ensureSandboxPools, SANDBOX_AUTH_LIMITS } from '../../sandbox/auth-pools.js';
import { startEmulator } from '../../sandbox/emulator.js';
import { sandboxReleaseLimits } from '../../sandbox/release-limits.js';
import { seedSampleActivity } from '../../sandbox/sample-activity.js';
import { seedSampleFindings } from '../../sandbox/sample-findings.js';
import { SANDBOX_AUDIT_LIMITS } from '../../sandbox/trail-recorder.js';
import { type CommandContext, configFrom } from '../context.js';
import { synthesizeChecked } from '../deploy-session.js';
import { openOrgSession, planOrganization } from '../org-session.js';
import { progressPrinter } from '../render-progress.js';
import { renderTree } from '../render-tree.js';
import { serveUntilStopped, startConsole } from './console.js';
import { accountNamesOf, deploySessionOf } from './deploy.js';

/** Options of `groundwork up`. */
export interface UpOptions {
  /** Serve the console once the sandbox is ready (`--no-console` sets false). @default true */
  readonly console?: boolean;
  readonly consolePort?: number;
}

/** `groundwork up` (= npm start): the sandbox end to end, then the console over it until Ctrl-C. */
export async function upCommand(ctx: CommandContext, options: UpOptions = {}): Promise<void> {
  const { out } = ctx;
  const config = configFrom(ctx);
  out.progress(`✓ ${ctx.globals.config} is valid`);
  const emulator = await startEmulator(ctx.emulatorPaths, { progress: (m) => out.progress(m) });
  if (emulator.notice) out.progress(`note: ${emulator.notice}`);
  out.progress(`✓ emulator ${emulator.alreadyRunning ? 'already running' : 'started'} at ${emulator.state.endpoint}`);
  const sandboxCtx: CommandContext = { ...ctx, globals: { ...ctx.globals, target: 'sandbox', endpoint: emulator.state.endpoint } };

  const session = await openOrgSession(sandboxCtx);
  out.progress('… applying the organization (OUs, accounts, guardrails, account baseline)');
  const plan = await planOrganization(session);
  const applied = await applyPlan(plan, { emit: progressPrinter(out, plan.changes.length) });
  if (applied.failed.length > 0) {
    throw new GroundworkError('APPLY_FAILED', `${applied.failed.length} change(s) failed while applying the sandbox organization`, {
      details: applied.failed.map((f) => `${f.change.kind} ${f.change.name}: ${(f.error as Error)?.message ?? String(f.error)}`),
      hint: 'run `npx groundwork apply --yes` to retry, or `npx groundwork emulator stop` and `npm start` to begin afresh',
    });
  }
  out.progress(`✓ organization applied: ${applied.done.length} change(s)${plan.changes.length === 0 ? ' (it already matched the config)' : ''}`);

  const usersFile = 'examples/users.csv';
  let users: Awaited<ReturnType<typeof importUsers>> | undefined;
  if (existsSync(usersFile)) {
    // The plan just read Identity Center (instance, groups) and apply created what was missing: the session knows it all.
    users = await importUsers(session.identity, usersFile);
    if (users.rejected.length > 0) out.progress(`note: ${users.rejected.length} row(s) of ${usersFile} were rejected; see ${users.rejectedFile}`);
    out.progress(`✓ people imported from ${usersFile}: ${users.created} created, ${users.updated} updated, ${users.unchanged} unchanged`);
  }

  const { registry } = session.org;
  out.progress('… synthesizing stacks with cdk-nag and cfn-lint');
  const { synth, accounts, lintWarnings } = await synthesizeChecked(sandboxCtx, session);
  out.progress(`✓ ${synth.stacks.length} stack(s) synthesized into ${synth.outdir}; cdk-nag and cfn-lint report no errors`);

  // The same deploy as on AWS: the log archive, GitHub OIDC and ECR baselines through StackSets, the management stacks through the CDK.
  out.progress('… deploying the baselines (StackSets) and the management stacks (CDK) into the sandbox accounts');
  const deploySession = deploySessionOf(sandboxCtx, session);
  const baselinePlan = await planBaselines(deploySession, synth);
  const deployed = await applyBaselines(deploySession, synth, baselinePlan, { progress: (m) => out.progress(`  ${m}`), pollMs: 100 });
  if (deployed.failed.length > 0) {
    throw new GroundworkError('DEPLOY_FAILED', `${deployed.failed.length} deploy step(s) failed in the sandbox`, {
      details: deployed.failed.flatMap((f) => [`${f.name}: ${f.message}`, ...f.details]),
      hint: 'run `npx groundwork deploy --yes` to retry, or `npx groundwork emulator stop` and `npm start` to begin afresh',
    });
  }
  const names = accountNamesOf(session);
  for (const s of baselinePlan.stackSets) {
    out.progress(
      `✓ StackSet ${s.spec.name} in ${(s.spec.accountIds ?? []).map(names).join(', ')}${s.notEmulated.length > 0 ? ` (not emulated: ${s.notEmulated.join(', ')})` : ''}`,
    );
  }
  for (const s of baselinePlan.stacks)
    out.progress(`✓ stack ${s.stackName} in ${names(s.account)}${s.notEmulated.length > 0 ? ` (not emulated: ${s.notEmulated.join(', ')})` : ''}`);
  for (const b of baselinePlan.blocked) out.progress(`note: ${b.name} not deployed: ${b.reason}`);
  const release = config.workloads.backendService?.release;
  if (release) out.progress(`note: release (${release.strategy}): ${sandboxReleaseLimits(release.strategy)}`);
  if (baselinePlan.stacks.some((s) => s.stackName === 'groundwork-audit-trail')) out.progress(`note: audit: ${SANDBOX_AUDIT_LIMITS}`);

  const pools = await ensureSandboxPools(session, config);
  if (pools.length > 0) {
    out.progress(
      `✓ auth: user pools of ${pools.map((p) => `${p.environment} (${p.userPoolId})`).join(', ')}; try groundwork auth import examples/auth-users.csv --env staging`,
    );
    out.progress(`note: ${SANDBOX_AUTH_LIMITS}`);
  }

  const sampleAccounts = [...registry.accountIds].map(([name, id]) => ({ name, id }));
  const seeded = await seedSampleActivity(session.clients, sampleAccounts, { now: ctx.now });
  if (seeded > 0)
    out.progress(`✓ ${seeded} events of SAMPLE activity seeded into the sandbox trail (marked [sample]); Groundwork's own calls are recorded there too`);
  const securityAdmin = config.security.administratorAccount;
  const securityAdminId = securityAdmin ? registry.accountIds.get(securityAdmin) : registry.managementAccountId;
  if (config.security.securityHub.enabled && securityAdminId) {
    const findings = await seedSampleFindings(
      session.clients,
      { accountId: securityAdminId, isCaller: !securityAdmin },
      config.organization.homeRegion,
      registry.accountIds,
      { now: ctx.now },
    );
    if (findings > 0)
      out.progress(
        `✓ ${findings} SAMPLE Security Hub findings (titled [sample]) imported into ${securityAdmin ?? 'the management account'}: the console counts them`,
      );
  }

  const tree = {
    title: `Organization (sandbox at ${emulator.state.endpoint})`,
    organizationalUnits: config.organization.organizationalUnits,
    management: { ...config.organization.managementAccount, id: accounts.ids.get(config.organization.managementAccount.name) },
    accounts: config.organization.accounts.map((a) => ({
      ...a,
      id: accounts.source === 'organization' || session.org.registry.accountIds.has(a.name) ? accounts.ids.get(a.name) : undefined,
    })),
  };
  const running = options.console === false ? undefined : await startConsole(sandboxCtx, { port: options.consolePort });
  out.result(
    {
      endpoint: emulator.state.endpoint,
      console: running?.openUrl ?? null,
      organizationId: session.org.registry.organizationId ?? null,
      changesApplied: applied.done.length,
      users: users ? { created: users.created, updated: users.updated, unchanged: users.unchanged, rejected: users.rejected.length } : null,
      accountIds: Object.fromEntries(accounts.ids),
      accountIdSource: accounts.source,
      stacks: synth.stacks,
      lintWarnings,
      deployed: { stackSets: deployed.stackSets, stacks: deployed.stacks, blocked: baselinePlan.blocked },
    },
    () =>
      [
        '',
        renderTree(tree),
        '',
        `Emulator endpoint: ${emulator.state.endpoint}   (export AWS_ENDPOINT_URL=${emulator.state.endpoint})`,
        'Next: npx groundwork status (portal and accounts) · npx groundwork users list · npx groundwork audit search --since 1h · npx groundwork costs (sample data)',
        ...(running
          ? [
              `Console: ${running.openUrl}   (environments, costs, audit, people, deliveries; the token in the URL signs the browser in; Ctrl-C stops it, the emulator keeps running)`,
            ]
          : ['Console: npx groundwork console']),
        `Stop the emulator with: npx groundwork emulator stop`,
      ].join('\n'),
  );
  if (running) await serveUntilStopped(running);
}
