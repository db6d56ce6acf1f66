import { synthesize } from '../../infra/synthesize.js';
import { accountDirectoryFor } from '../account-ids.js';
import { type CommandContext, configFrom } from '../context.js';

/** `groundwork synth [--out DIR]`: every stack, checked by cdk-nag, into cdk.out/. */
export async function synthCommand(ctx: CommandContext, options: { out?: string }): Promise<void> {
  const config = configFrom(ctx);
  const accounts = await accountDirectoryFor(ctx, config);
  ctx.out.progress('Synthesizing stacks and running cdk-nag (AwsSolutions)…');
  const result = synthesize({ config, accounts, outdir: options.out });
  if (config.audit.logArchiveAccount === undefined) {
    ctx.out.progress('note: no log-archive account is declared (audit.logArchiveAccount), so the organization trail and log archive are not synthesized');
  }
  ctx.out.result(result, () =>
    [
      `Synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} into ${result.outdir} (cdk-nag: no unacknowledged findings; account IDs: ${result.accountSource})`,
      ...result.stacks.map((s) => `  ${s.stackName}  account ${s.account}  ${s.region}  ${s.resourceCount} resources`),
    ].join('\n'),
  );
}
