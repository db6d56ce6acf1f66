import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { toGroundworkError } from '../aws/aws-error.js';
import { describeCaller } from '../aws/caller.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { type AccountDirectory, directoryFrom, placeholderDirectory, referencedPolicies } from '../infra/account-directory.js';
import { listAccountIdsByName, listPolicyIdsByName } from '../org/list-accounts.js';
import { emulatorStatus } from '../sandbox/emulator.js';
import { type CommandContext, clientsFrom, resolveTarget } from './context.js';

/** Account IDs for synth: the live organization's when there is one (sandbox or AWS), else offline placeholders. */
export async function accountDirectoryFor(ctx: CommandContext, config: GroundworkConfig): Promise<AccountDirectory> {
  const target = resolveTarget(ctx);
  const explicitEndpoint = ctx.globals.endpoint ?? ctx.env.AWS_ENDPOINT_URL;
  if (target === 'sandbox' && !explicitEndpoint && !(await emulatorStatus(ctx.emulatorPaths)).running) {
    ctx.out.progress('note: the emulator is not running, so account IDs are deterministic placeholders');
    return placeholderDirectory(config);
  }
  const clients = await clientsFrom(ctx, config);
  try {
    const caller = await describeCaller(clients);
    if (!caller.organizationId) {
      ctx.out.progress('note: there is no organization yet, so account IDs are deterministic placeholders');
      return placeholderDirectory(config);
    }
    const orgs = clients.create(OrganizationsClient);
    // Stacks refer to an SCP by ID only for the Playground guard; without one, the policies are not listed.
    const [accounts, policies] = await Promise.all([
      listAccountIdsByName(orgs),
      referencedPolicies(config).length > 0 ? listPolicyIdsByName(orgs) : new Map<string, string>(),
    ]);
    const directory = directoryFrom(config, {
      managementAccountId: caller.managementAccountId ?? caller.accountId,
      organizationId: caller.organizationId,
      accounts,
      policies,
    });
    if (directory.source === 'placeholder')
      ctx.out.progress('note: some accounts or policies do not exist yet; they get placeholder IDs (run `groundwork apply` first)');
    return directory;
  } catch (error) {
    throw toGroundworkError(error, 'reading account IDs', clients.settings.endpoint);
  }
}
