import { type CommandContext, configFrom } from '../context.js';

/** `groundwork validate`: loads the config; any error is thrown with every issue listed. */
export async function validateCommand(ctx: CommandContext): Promise<void> {
  const config = configFrom(ctx);
  const summary = {
    valid: true,
    file: ctx.globals.config,
    organizationalUnits: config.organization.organizationalUnits.length,
    accounts: config.organization.accounts.length,
    serviceControlPolicies: config.serviceControlPolicies.length,
    permissionSets: config.identityCenter.permissionSets.length,
    groups: config.identityCenter.groups.length,
    assignments: config.identityCenter.assignments.length,
  };
  ctx.out.result(
    summary,
    () =>
      `${ctx.globals.config} is valid: ${summary.organizationalUnits} OUs, ${summary.accounts} accounts, ${summary.serviceControlPolicies} SCPs, ` +
      `${summary.permissionSets} permission sets, ${summary.groups} groups, ${summary.assignments} assignments`,
  );
}
