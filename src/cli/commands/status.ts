import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { type DeliveryRow, deliveryRow, readDelivery } from '../../delivery/deliveries.js';
import { readStackSets } from '../../deploy/stacksets.js';
import { type AccountStatus, organizationStatus } from '../../foundation/organization-status.js';
import { deliveryTargets } from '../console-session.js';
import type { CommandContext } from '../context.js';
import { type OrgSession, openOrgSession } from '../org-session.js';
import { renderTable } from '../render-table.js';

/** One environment's delivery, or why it could not be read (its account's role, say): status still shows the rest. */
type DeliveryStatus = DeliveryRow | { readonly environment: string; readonly service: string; readonly error: string };

/** The backend service's delivery per environment: who releases it and where its current or last deployment is. */
async function readDeliveries(session: OrgSession): Promise<DeliveryStatus[]> {
  return Promise.all(
    deliveryTargets(session).map((target) =>
      readDelivery(
        {
          ecs: session.clients.create(ECSClient, { accountId: target.accountId }),
          codeDeploy: session.clients.create(CodeDeployClient, { accountId: target.accountId }),
        },
        target,
        { limit: 1, serviceDeploymentsApi: !session.clients.settings.endpoint },
      ).then(deliveryRow, (error: unknown) => ({ environment: target.environment, service: target.service, error: (error as Error).message })),
    ),
  );
}

/** The Deliveries lines of `groundwork status`: per environment, the service, who releases it, the last deployment's status and stage. */
export function deliveryLines(deliveries: readonly DeliveryStatus[]): string[] {
  if (deliveries.length === 0) return [];
  return [
    '',
    'Deliveries (the backend service per environment):',
    renderTable(
      [
        ['ENVIRONMENT', 'SERVICE', 'RELEASED BY', 'LAST DEPLOYMENT', 'STAGE', 'REASON'],
        ...deliveries.map((d) =>
          'error' in d
            ? [d.environment, d.service, 'not read', '', '', d.error]
            : [
                d.environment,
                d.service,
                d.releasedBy,
                d.status ? `${d.status}${d.rolledBack && !/ROLLBACK/.test(d.status) ? ' (rolled back)' : ''}` : '-',
                d.stage ?? '-',
                d.reason ?? '',
              ],
        ),
      ],
      { indent: '  ' },
    ),
  ];
}

/** `groundwork status`: the organization's accounts with ID, OU, environment, status and the guardrails that bind them. */
export async function statusCommand(ctx: CommandContext): Promise<void> {
  const session = await openOrgSession(ctx);
  const { config, caller } = session;
  const [status, stackSets] = await Promise.all([
    organizationStatus(session.org, session.identity, caller),
    caller.organizationId ? readStackSets(session.clients.create(CloudFormationClient)) : Promise.resolve([]),
  ]);
  // After the organization is read: the registry then knows the staging and production account IDs.
  const deliveries = caller.organizationId ? await readDeliveries(session) : [];
  const nameOf = new Map([...session.org.registry.accountIds].map(([name, id]) => [id, name]));
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
      stackSets,
      deliveries,
    },
    () => {
      if (!caller.organizationId) return `${session.header}\n\nThere is no organization yet: run \`groundwork apply\`.`;
      const rows = [
        ['ACCOUNT', 'ID', 'OU', 'ENVIRONMENT', 'STATUS', 'GUARDRAILS', 'ROOT CREDENTIALS'],
        ...accounts.map((a) => [
          a.name,
          a.id ?? '-',
          a.organizationalUnit,
          a.environment ?? '(not in config)',
          a.status,
          a.scpsApply ? `${a.guardrails.length} SCP(s)` : 'none apply',
          rootCredentialsLabel(a.rootCredentials),
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
      const stackSetLines =
        stackSets.length > 0
          ? [
              '',
              'Baselines (StackSets) and their instances:',
              renderTable(
                stackSets.flatMap((s) =>
                  s.instances.length > 0
                    ? s.instances.map((i) => [s.name, nameOf.get(i.account) ?? i.account, i.region, i.status, i.reason ?? ''])
                    : [[s.name, '(no instances)', '', '', '']],
                ),
                { indent: '  ' },
              ),
            ]
          : ['', 'No baselines deployed yet: run groundwork deploy (npm start does it in the sandbox)'];
      return [
        session.header,
        '',
        table,
        ...stackSetLines,
        ...deliveryLines(deliveries),
        ...portalLines,
        ...(missing.length > 0 ? ['', `Not created yet: ${missing.join(', ')} (run groundwork apply)`] : []),
        ...rootCredentialLines(accounts),
        '',
        `Note: SCPs never apply to the management account (${managementName}), so no guardrail limits what is done there. Access to it, per the config: ${managementAccess.join(', ') || 'none'}. Keep those groups small and require MFA (docs/runbooks/organization.md).`,
      ].join('\n');
    },
  );
}

/** The ROOT CREDENTIALS column: what a member's root user still has, or why it is not known. */
function rootCredentialsLabel(root: AccountStatus['rootCredentials']): string {
  if (!root) return '-';
  if (root.state === 'absent') return 'none';
  if (root.state === 'not-emulated') return 'not emulated';
  if (root.state === 'unknown') return 'unknown';
  const kinds = [root.password ? 'password' : '', root.accessKeys ? 'access keys' : '', root.signingCertificates ? 'certificates' : ''].filter(Boolean);
  return `${kinds.join(', ')}${root.password && !root.mfa ? ' (no MFA)' : ''}`;
}

/** Which member accounts still have root credentials, and which could not be read, with the fix. */
function rootCredentialLines(accounts: readonly AccountStatus[]): string[] {
  const present = accounts.filter((a) => a.rootCredentials?.state === 'present').map((a) => a.name);
  const unknown = accounts.filter((a) => a.rootCredentials?.state === 'unknown');
  return [
    ...(present.length > 0
      ? [
          '',
          `Root credentials still present in: ${present.join(', ')} (delete them from the management account: docs/runbooks/security.md, centralized root access)`,
        ]
      : []),
    ...unknown.map((a) => `Root credentials of ${a.name} not read: ${(a.rootCredentials as { reason: string }).reason}`),
  ];
}
