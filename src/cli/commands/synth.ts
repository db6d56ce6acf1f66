import { GroundworkError } from '../../errors.js';
import { lintTemplates } from '../../infra/cfn-lint.js';
import { checkCommittedTemplates } from '../../infra/check-templates.js';
import { synthesize } from '../../infra/synthesize.js';
import { accountDirectoryFor } from '../account-ids.js';
import { type CommandContext, configFrom } from '../context.js';

/**
 * `groundwork synth [--out DIR] [--check]`: every stack, checked by cdk-nag, into cdk.out/. With --check, also the
 * committed templates of cloudformation/ compared with a fresh synthesis, and cfn-lint over all of them: a lint error
 * or a stale template fails.
 */
export async function synthCommand(ctx: CommandContext, options: { out?: string; check?: boolean }): Promise<void> {
  const config = configFrom(ctx);
  const accounts = await accountDirectoryFor(ctx, config);
  ctx.out.progress('Synthesizing stacks and running cdk-nag (AwsSolutions)…');
  const result = synthesize({ config, accounts, outdir: options.out });
  if (config.audit.logArchiveAccount === undefined) {
    ctx.out.progress('note: no log-archive account is declared (audit.logArchiveAccount), so the organization trail and log archive are not synthesized');
  }
  if (options.check) {
    ctx.out.progress('Comparing cloudformation/ with a fresh synthesis, then cfn-lint over every template…');
    const committed = checkCommittedTemplates();
    const stale = committed.filter((t) => !t.current).map((t) => t.file);
    const findings = await lintTemplates(ctx.emulatorPaths, [
      ...result.stacks.map((s) => s.templateFile),
      ...committed.filter((t) => t.current).map((t) => t.path),
    ]);
    const errors = findings.filter((f) => f.level === 'Error');
    if (stale.length > 0 || errors.length > 0) {
      throw new GroundworkError(
        'SYNTH_FAILED',
        [stale.length > 0 ? `cloudformation/ is not current: ${stale.join(', ')}` : '', errors.length > 0 ? `cfn-lint found ${errors.length} error(s)` : '']
          .filter(Boolean)
          .join('; '),
        {
          details: errors.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`),
          hint: stale.length > 0 ? 'run npm run build:templates in the library and commit cloudformation/' : 'fix the construct that produced the resource',
        },
      );
    }
    ctx.out.progress(`✓ ${committed.length} committed template(s) current; cfn-lint: no errors (${findings.length} warning(s) or note(s))`);
  }
  ctx.out.result(result, () =>
    [
      `Synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} into ${result.outdir} (cdk-nag: no unacknowledged findings; account IDs: ${result.accountSource})`,
      ...result.stacks.map((s) => `  ${s.stackName}  account ${s.account}  ${s.region}  ${s.resourceCount} resources`),
    ].join('\n'),
  );
}
