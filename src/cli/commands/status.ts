import { findInstance, portalUrl, shortcutUrl } from '../../identity/identity-context.js';
import { desiredAssignments } from '../../identity/kinds/assignment-kind.js';
import { readAccounts } from '../../org/kinds/account-kind.js';
import { readOrganizationBasics } from '../../org/read-organization.js';
import type { CommandContext } from '../context.js';
import { openOrgSession } from '../org-session.js';
import { renderTable } from '../render-table.js';

/** `groundwork status`: the organization's accounts with ID, OU, environment and status. */
export async function statusCommand(ctx: CommandContext): Promise<void> {
  const session = await openOrgSession(ctx);
  const { org, config, caller } = session;
  const live = (await readOrganizationBasics(org)) ? await readAccounts(org) : [];
  const environmentOf = (name: string) =>
    name === config.organization.managementAccount.name
      ? config.organization.managementAccount.environment
      : config.organization.accounts.find((a) => a.name === name)?.environment;
  const accounts = live.map((a) => {
    const isManagement = a.id === caller.managementAccountId;
    const name = isManagement ? config.organization.managementAccount.name : a.name;
    return {
      name,
      awsName: a.name,
      id: a.id ?? null,
      organizationalUnit: isManagement ? '(management)' : (a.parentName ?? ''),
      environment: environmentOf(name) ?? null,
      status: a.status,
      managed: a.managed || isManagement,
      inConfig: environmentOf(name) !== undefined,
      /** SCPs never apply to the management account: its admins are bound by nothing the guardrails say. */
      scpsApply: !isManagement,
    };
  });
  const instance = caller.organizationId ? await findInstance(session.identity) : undefined;
  const portal = instance ? portalUrl(instance.identityStoreId) : null;
  const shortcuts = instance
    ? desiredAssignments(session.identity)
        .map((a) => ({ account: a.account, permissionSet: a.permissionSet, id: accounts.find((x) => x.name === a.account)?.id }))
        .filter((a, i, all) => a.id && all.findIndex((b) => b.account === a.account && b.permissionSet === a.permissionSet) === i)
        .map((a) => ({ account: a.account, permissionSet: a.permissionSet, url: shortcutUrl(instance.identityStoreId, a.id as string, a.permissionSet) }))
    : [];
  const managementName = config.organization.managementAccount.name;
  const managementAccess = desiredAssignments(session.identity)
    .filter((a) => a.account === managementName)
    .map((a) => `${a.principal} (${a.permissionSet})`)
    .filter((v, i, all) => all.indexOf(v) === i);
  const missing = config.organization.accounts.filter((a) => !live.some((l) => l.name === a.name)).map((a) => a.name);
  ctx.out.result(
    {
      organizationId: caller.organizationId ?? null,
      managementAccountId: caller.managementAccountId ?? null,
      endpoint: session.clients.settings.endpoint ?? null,
      accounts,
      notCreated: missing,
    },
    () => {
      if (!caller.organizationId) return `${session.header}\n\nThere is no organization yet: run \`groundwork apply\`.`;
      const rows = [
        ['ACCOUNT', 'ID', 'OU', 'ENVIRONMENT', 'STATUS'],
        ...accounts.map((a) => [a.name, a.id ?? '-', a.organizationalUnit, a.environment ?? '(not in config)', a.status]),
      ];
      const table = renderTable(rows);
      const portalLines = portal
        ? [
            '',
            `Access portal (one sign-in for every environment): ${portal}`,
            'Sign-in shortcuts:',
            renderTable(
              shortcuts.map((s) => [s.account, s.permissionSet, s.url]),
              { indent: '  ' },
            ),
          ]
        : ['', 'IAM Identity Center is not enabled: see docs/runbooks/identity-center.md'];
      return [
        session.header,
        '',
        table,
        ...portalLines,
        ...(missing.length > 0 ? ['', `Not created yet: ${missing.join(', ')} (run groundwork apply)`] : []),
        '',
        `Note: SCPs never apply to the management account (${managementName}), so no guardrail limits what is done there. Access to it, per the config: ${managementAccess.join(', ') || 'none'}. Keep those groups small and require MFA (docs/runbooks/organization.md).`,
      ].join('\n');
    },
  );
}
