import { organizationStatus } from '../../foundation/organization-status.js';
import type { CommandContext } from '../context.js';
import { openOrgSession } from '../org-session.js';
import { renderTable } from '../render-table.js';

/** `groundwork status`: the organization's accounts with ID, OU, environment, status and the guardrails that bind them. */
export async function statusCommand(ctx: CommandContext): Promise<void> {
  const session = await openOrgSession(ctx);
  const { config, caller } = session;
  const status = await organizationStatus(session.org, session.identity, caller);
  const { accounts, portal, shortcuts, managementAccess } = status;
  const missing = status.notCreated;
  const managementName = config.organization.managementAccount.name;
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
        ['ACCOUNT', 'ID', 'OU', 'ENVIRONMENT', 'STATUS', 'GUARDRAILS'],
        ...accounts.map((a) => [
          a.name,
          a.id ?? '-',
          a.organizationalUnit,
          a.environment ?? '(not in config)',
          a.status,
          a.scpsApply ? `${a.guardrails.length} SCP(s)` : 'none apply',
        ]),
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
