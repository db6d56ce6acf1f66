import {
  CreateConfigurationPolicyCommand,
  CreateFindingAggregatorCommand,
  DescribeHubCommand,
  DescribeOrganizationConfigurationCommand,
  EnableSecurityHubCommand,
  GetConfigurationPolicyAssociationCommand,
  GetConfigurationPolicyCommand,
  GetFindingAggregatorCommand,
  ListConfigurationPoliciesCommand,
  ListFindingAggregatorsCommand,
  SecurityHubClient,
  StartConfigurationPolicyAssociationCommand,
  UpdateConfigurationPolicyCommand,
  UpdateFindingAggregatorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-securityhub';
import { isError, isUnsupportedByEmulator } from '../aws/aws-error.js';
import { SECURITY_SERVICE_PRINCIPALS, securityHubStandardArn } from '../config/security-catalog.js';
import { retrying } from '../engine/retry.js';
import type { ChangeSpec, Finding, ResourceKind } from '../engine/types.js';
import { GroundworkError } from '../errors.js';
import type { OrgContext } from '../org/org-context.js';
import { administratorClientOptions, administratorGroup, administratorNotRead, administratorRequires, securityAdministrator } from './administrator.js';

/** Name of the central configuration policy Groundwork manages. */
export const SECURITY_HUB_POLICY_NAME = 'groundwork';

/** Security Hub in the administrator account's home region, with what central configuration consists of. */
export interface SecurityHubState {
  readonly account: string;
  readonly region: string;
  readonly hub: boolean;
  /** The parts of central configuration, or `not-emulated` when the emulator lacks their APIs. */
  readonly central?:
    | {
        /** The finding aggregator in this region: its ARN, mode and linked regions. */
        readonly aggregator?: { readonly arn: string; readonly mode?: string; readonly regions: readonly string[] };
        readonly configurationType?: string;
        readonly configurationStatus?: string;
        readonly policy?: { readonly id: string; readonly serviceEnabled: boolean; readonly standards: readonly string[] };
        /** The configuration policy applied to the root (not inherited, not SELF_MANAGED). */
        readonly rootPolicyId?: string;
      }
    | 'not-emulated';
}

/** What the config asks of Security Hub. */
export interface SecurityHubDesired {
  readonly account: string;
  readonly region: string;
  /** The standards' ARNs in the home region. */
  readonly standards: readonly string[];
  /** The other governed regions, linked to the home region's aggregator (NO_REGIONS when there are none). */
  readonly linkedRegions: readonly string[];
  /** Central configuration needs a member account as delegated administrator. */
  readonly central: boolean;
}

/** The aggregator's mode and regions for a set of linked regions. */
export function aggregatorSettings(linkedRegions: readonly string[]): { RegionLinkingMode: string; Regions?: string[] } {
  return linkedRegions.length > 0 ? { RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: [...linkedRegions].sort() } : { RegionLinkingMode: 'NO_REGIONS' };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Each part of Security Hub that differs from the config, as `{from, to}`. Pure: the plan's details and the tests use it. */
export function securityHubDifferences(desired: SecurityHubDesired, actual: SecurityHubState | undefined): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  if (!actual?.hub) out.hub = { from: 'disabled', to: 'enabled' };
  const c = actual?.central;
  if (!desired.central || c === 'not-emulated') return out;
  const want = aggregatorSettings(desired.linkedRegions);
  if (!c?.aggregator || c.aggregator.mode !== want.RegionLinkingMode || !sameSet(c.aggregator.regions, want.Regions ?? []))
    out.findingAggregator = {
      from: c?.aggregator ? { mode: c.aggregator.mode, regions: c.aggregator.regions } : null,
      to: { mode: want.RegionLinkingMode, regions: want.Regions ?? [] },
    };
  if (c?.configurationType !== 'CENTRAL') out.configurationType = { from: c?.configurationType ?? null, to: 'CENTRAL' };
  if (!c?.policy?.serviceEnabled || !sameSet(c.policy.standards, desired.standards))
    out.configurationPolicy = {
      from: c?.policy ? { standards: c.policy.standards } : null,
      to: { name: SECURITY_HUB_POLICY_NAME, standards: desired.standards },
    };
  if (!c?.policy || c.rootPolicyId !== c.policy.id) out.rootAssociation = { from: c?.rootPolicyId ?? null, to: SECURITY_HUB_POLICY_NAME };
  return out;
}

/** How long apply waits for Security Hub to switch the organization to central configuration (it answers PENDING first). */
const CENTRAL_WAIT_POLLS = 60;

/**
 * Security Hub CSPM for the organization, from the administrator account in the home region, with central
 * configuration: the hub itself (no default standards: the policy decides), a finding aggregator in the home region
 * linking the other governed regions, the organization switched to CENTRAL, and the `groundwork` configuration policy
 * (Security Hub on, the configured standards, every control of them) applied to the root, so every account, new ones
 * included, gets it in every linked region. Central configuration needs a member account as administrator (AWS refuses
 * it to the management account); without one, only the hub is enabled and the plan says why. Apply never turns it off.
 */
export function securityHubKind(ctx: OrgContext): ResourceKind<SecurityHubDesired, SecurityHubState> {
  const { config, registry } = ctx;
  const settings = config.security.securityHub;
  const home = config.organization.homeRegion;
  // An emulator answers 404 for an API it lacks: the sandbox, or any target reached through a custom endpoint.
  const sandbox = ctx.clients.settings.target === 'sandbox' || ctx.clients.settings.endpoint !== undefined;
  const partition = home.startsWith('cn-') ? 'aws-cn' : home.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const admin = () => securityAdministrator(ctx);
  const client = (write: boolean) => ctx.clients.create(SecurityHubClient, administratorClientOptions(admin(), home, write));
  const unsupported = (error: unknown) => sandbox && isUnsupportedByEmulator(error);

  async function readCentral(hub: SecurityHubClient): Promise<SecurityHubState['central']> {
    let aggregatorArn: string | undefined;
    try {
      aggregatorArn = (await hub.send(new ListFindingAggregatorsCommand({}))).FindingAggregators?.[0]?.FindingAggregatorArn;
    } catch (error) {
      if (unsupported(error)) return 'not-emulated';
      throw error;
    }
    const aggregator = aggregatorArn ? await hub.send(new GetFindingAggregatorCommand({ FindingAggregatorArn: aggregatorArn })) : undefined;
    const org = await hub.send(new DescribeOrganizationConfigurationCommand({})).catch((error: unknown) => {
      // Not (yet) the delegated administrator: the organization step registers it first.
      if (isError(error, 'AccessDeniedException', 'InvalidAccessException')) return undefined;
      throw error;
    });
    // Before this account is the delegated administrator, configuration policies are refused to it: there are none yet.
    const notAdministrator = (error: unknown) => {
      if (isError(error, 'AccessDeniedException', 'InvalidAccessException')) return undefined;
      throw error;
    };
    const summary = (await hub.send(new ListConfigurationPoliciesCommand({})).catch(notAdministrator))?.ConfigurationPolicySummaries?.find(
      (p) => p.Name === SECURITY_HUB_POLICY_NAME,
    );
    const policy = summary?.Id ? await hub.send(new GetConfigurationPolicyCommand({ Identifier: summary.Id })) : undefined;
    const rootId = registry.rootId;
    const association = rootId
      ? await hub.send(new GetConfigurationPolicyAssociationCommand({ Target: { RootId: rootId } })).catch((error: unknown) => {
          if (isError(error, 'ResourceNotFoundException')) return undefined;
          return notAdministrator(error);
        })
      : undefined;
    return {
      aggregator: aggregator ? { arn: aggregatorArn as string, mode: aggregator.RegionLinkingMode, regions: aggregator.Regions ?? [] } : undefined,
      configurationType: org?.OrganizationConfiguration?.ConfigurationType,
      configurationStatus: org?.OrganizationConfiguration?.Status,
      policy:
        summary?.Id && policy
          ? {
              id: summary.Id,
              serviceEnabled: policy.ConfigurationPolicy?.SecurityHub?.ServiceEnabled === true,
              standards: policy.ConfigurationPolicy?.SecurityHub?.EnabledStandardIdentifiers ?? [],
            }
          : undefined,
      rootPolicyId: association?.AssociationType === 'APPLIED' ? association.ConfigurationPolicyId : undefined,
    };
  }

  async function waitForCentral(hub: SecurityHubClient, progress: (m: string) => void, pollMs: number): Promise<void> {
    for (let poll = 0; poll < CENTRAL_WAIT_POLLS; poll++) {
      const { OrganizationConfiguration: o } = await hub.send(new DescribeOrganizationConfigurationCommand({}));
      if (o?.Status === 'FAILED')
        throw new GroundworkError('APPLY_FAILED', `Security Hub refused central configuration: ${o.StatusMessage ?? 'no reason given'}`, {
          hint: 'check the delegated administrator and the finding aggregator in the home region (docs/runbooks/security.md)',
        });
      if (o?.ConfigurationType === 'CENTRAL' && o.Status !== 'PENDING') return;
      progress('Security Hub: central configuration pending');
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new GroundworkError('APPLY_FAILED', 'Security Hub: central configuration still pending', { hint: 're-run apply; it continues where it stopped' });
  }

  return {
    kind: 'security-hub',
    dependsOn: ['account'],
    identity: (item) => `${item.account}/${item.region}`,
    desired: () => {
      if (!settings.enabled) return [];
      const a = admin();
      return [
        {
          account: a.name,
          region: home,
          standards: settings.standards.map((s) => securityHubStandardArn(s, home, partition)),
          linkedRegions: config.organization.governedRegions.filter((r) => r !== home),
          central: !a.isManagement,
        },
      ];
    },
    async read() {
      const a = admin();
      if (!settings.enabled || !a.accountId) return [];
      if (administratorNotRead(ctx, a)) {
        ctx.settingsNotRead.add(a.name);
        return [];
      }
      const hub = client(false);
      const enabled = await hub.send(new DescribeHubCommand({})).then(
        () => true,
        (error: unknown) => {
          if (isError(error, 'InvalidAccessException', 'ResourceNotFoundException')) return false;
          throw error;
        },
      );
      return [{ account: a.name, region: home, hub: enabled, central: enabled && !a.isManagement ? await readCentral(hub) : undefined }];
    },
    requires: (item) => administratorRequires(admin(), SECURITY_SERVICE_PRINCIPALS.securityHub, item.region),
    diff(desired, actual) {
      if (administratorNotRead(ctx, admin())) return [];
      const group = administratorGroup(ctx, admin());
      const differences = securityHubDifferences(desired, actual);
      // moto has no finding aggregators or configuration policies: in the sandbox central configuration is never emulated.
      const notEmulated = desired.central && (sandbox || actual?.central === 'not-emulated');
      const outcomes: (ChangeSpec | Omit<Finding, 'kind'>)[] = [];
      if (Object.keys(differences).length > 0) {
        outcomes.push({
          action: actual?.hub ? 'update' : 'create',
          details: { account: desired.account, region: desired.region, ...differences, ...(notEmulated ? { notEmulated: 'central configuration' } : {}) },
          group,
          run: async (progress) => {
            const hub = client(true);
            if (differences.hub) {
              await retrying('securityhub:EnableSecurityHub', progress, async () => {
                try {
                  // Standards come from the configuration policy, not Security Hub's defaults.
                  await hub.send(
                    new EnableSecurityHubCommand({
                      EnableDefaultStandards: !desired.central,
                      ControlFindingGenerator: 'SECURITY_CONTROL',
                      Tags: { 'groundwork:managed': 'true' },
                    }),
                  );
                } catch (error) {
                  if (!isError(error, 'ResourceConflictException')) throw error;
                }
              });
            }
            if (!desired.central) return;
            // Read again after enabling: the first plan of a new account had nothing to read.
            const central = actual?.central ?? (await readCentral(client(false)));
            if (central === 'not-emulated') {
              progress(
                `not emulated: Security Hub central configuration in ${desired.account}/${desired.region} (moto has no finding aggregators or configuration policies)`,
              );
              return;
            }
            const now = securityHubDifferences(desired, { account: desired.account, region: desired.region, hub: true, central });
            const settingsOf = aggregatorSettings(desired.linkedRegions);
            if (now.findingAggregator) {
              await retrying('securityhub:FindingAggregator', progress, () =>
                central?.aggregator
                  ? hub.send(new UpdateFindingAggregatorCommand({ FindingAggregatorArn: central.aggregator.arn, ...settingsOf }))
                  : hub.send(new CreateFindingAggregatorCommand(settingsOf)),
              );
            }
            if (now.configurationType) {
              await retrying('securityhub:UpdateOrganizationConfiguration', progress, () =>
                hub.send(
                  new UpdateOrganizationConfigurationCommand({
                    AutoEnable: false,
                    AutoEnableStandards: 'NONE',
                    OrganizationConfiguration: { ConfigurationType: 'CENTRAL' },
                  }),
                ),
              );
            }
            // The switch to CENTRAL is asynchronous; policies can be created once it is ENABLED.
            await waitForCentral(client(false), progress, ctx.pollIntervalMs);
            const policy = {
              SecurityHub: {
                ServiceEnabled: true,
                EnabledStandardIdentifiers: [...desired.standards],
                // Every control of the enabled standards, new ones included.
                SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] },
              },
            };
            let policyId = central?.policy?.id;
            if (!central?.policy) {
              const created = await retrying('securityhub:CreateConfigurationPolicy', progress, () =>
                hub.send(
                  new CreateConfigurationPolicyCommand({
                    Name: SECURITY_HUB_POLICY_NAME,
                    Description: 'Groundwork: Security Hub on, with the standards of groundwork.yaml, in every account and linked region',
                    ConfigurationPolicy: policy,
                    Tags: { 'groundwork:managed': 'true' },
                  }),
                ),
              );
              policyId = created?.Id;
            } else if (now.configurationPolicy) {
              await retrying('securityhub:UpdateConfigurationPolicy', progress, () =>
                hub.send(new UpdateConfigurationPolicyCommand({ Identifier: policyId, ConfigurationPolicy: policy, UpdatedReason: 'groundwork.yaml changed' })),
              );
            }
            if (now.rootAssociation || !central?.policy) {
              const rootId = registry.root();
              await retrying('securityhub:StartConfigurationPolicyAssociation', progress, () =>
                hub.send(new StartConfigurationPolicyAssociationCommand({ ConfigurationPolicyIdentifier: policyId, Target: { RootId: rootId } })),
              );
            }
          },
        });
      }
      if (notEmulated) {
        outcomes.push({
          name: `${desired.account}/${desired.region}`,
          message: `Security Hub central configuration in ${desired.account}/${desired.region} (the finding aggregator, CENTRAL organization configuration, the "${SECURITY_HUB_POLICY_NAME}" policy with ${settings.standards.join(', ')} and its association to the root); moto has none of these APIs, so the sandbox shows the hub only`,
          group,
          notEmulated: true,
        });
      }
      if (!desired.central) {
        outcomes.push({
          name: `${desired.account}/${desired.region}`,
          message: `Security Hub central configuration needs a member account as delegated administrator (AWS refuses it to the management account): set security.administratorAccount (the default organization's security account); until then only the management account's hub is enabled, with Security Hub's default standards`,
          group,
        });
      }
      return outcomes;
    },
    orphan: () => undefined,
  };
}
