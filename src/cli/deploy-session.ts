import { join } from 'node:path';
import { GroundworkError } from '../errors.js';
import { type AccountDirectory, directoryFrom } from '../infra/account-directory.js';
import { lintTemplates } from '../infra/cfn-lint.js';
import { type SynthResult, synthesize } from '../infra/synthesize.js';
import { type CommandContext, resolveTarget } from './context.js';
import type { OrgSession } from './org-session.js';

/**
 * Synthesizes every stack for the organization as it is now (placeholder IDs for accounts not created yet), with
 * cdk-nag, then cfn-lint: what deploy, diff and up deploy. Lint errors stop here, before anything is deployed.
 */
export async function synthesizeChecked(
  ctx: CommandContext,
  session: OrgSession,
): Promise<{ synth: SynthResult; accounts: AccountDirectory; lintWarnings: number }> {
  const { registry } = session.org;
  const accounts = directoryFrom(session.config, {
    managementAccountId: registry.managementAccountId ?? session.caller.accountId,
    organizationId: registry.organizationId,
    accounts: registry.accountIds,
    policies: registry.policyIds,
  });
  // The sandbox's assembly lives with the emulator's state, one per endpoint, so two sandboxes never share one.
  const endpoint = session.clients.settings.endpoint;
  const outdir = resolveTarget(ctx) === 'sandbox' && endpoint ? join(ctx.emulatorPaths.stateDir, `cdk.out.${new URL(endpoint).port}`) : undefined;
  const synth = synthesize({ config: session.config, accounts, outdir });
  const findings = await lintTemplates(
    ctx.emulatorPaths,
    synth.stacks.map((s) => s.templateFile),
  );
  const errors = findings.filter((f) => f.level === 'Error');
  if (errors.length > 0) {
    throw new GroundworkError('SYNTH_FAILED', `cfn-lint found ${errors.length} error(s) in the synthesized templates`, {
      details: errors.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`),
      hint: 'fix the construct that produced the resource',
    });
  }
  return { synth, accounts, lintWarnings: findings.length - errors.length };
}
