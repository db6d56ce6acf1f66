import {
  CreateDetectorCommand,
  DescribeOrganizationConfigurationCommand,
  type DetectorFeature,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  type OrgFeature,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import { isError, isUnsupportedByEmulator } from '../aws/aws-error.js';
import { GUARD_DUTY_PROTECTION_PLANS } from '../config/schema.js';
import { SECURITY_SERVICE_PRINCIPALS } from '../config/security-catalog.js';
import { retrying } from '../engine/retry.js';
import type { ChangeSpec, Finding, ResourceKind } from '../engine/types.js';
import type { OrgContext } from '../org/org-context.js';
import { administratorClientOptions, administratorGroup, administratorNotRead, administratorRequires, securityAdministrator } from './administrator.js';

type ProtectionPlan = (typeof GUARD_DUTY_PROTECTION_PLANS)[number];

/** Findings are exported (to EventBridge, hence the operators' topic) every 15 minutes rather than GuardDuty's default 6 hours. */
export const FINDING_PUBLISHING_FREQUENCY = 'FIFTEEN_MINUTES';

/** GuardDuty in the administrator account, in one region: its detector and the organization's auto-enable settings. */
export interface GuardDutyState {
  readonly account: string;
  readonly region: string;
  readonly detector?: {
    readonly id: string;
    readonly enabled: boolean;
    readonly findingPublishingFrequency?: string;
    /** Status of each protection plan Groundwork manages; plans GuardDuty did not report are absent. */
    readonly features: Partial<Record<ProtectionPlan, 'ENABLED' | 'DISABLED'>>;
  };
  /**
   * The organization configuration: auto-enable for members and per protection plan. `not-emulated` when the emulator
   * has no such API; undefined when there is no detector to read it through (or this account is not yet the administrator).
   */
  readonly organization?: { readonly autoEnableMembers?: string; readonly features: Partial<Record<ProtectionPlan, string>> } | 'not-emulated';
}

/** The GuardDuty setup the config asks for in one region. */
export interface GuardDutyDesired {
  readonly account: string;
  readonly region: string;
  readonly protectionPlans: readonly ProtectionPlan[];
}

const featureStatus = (plans: readonly ProtectionPlan[], plan: ProtectionPlan) => (plans.includes(plan) ? 'ENABLED' : 'DISABLED');
const orgFeatureStatus = (plans: readonly ProtectionPlan[], plan: ProtectionPlan) => (plans.includes(plan) ? 'ALL' : 'NONE');

/**
 * What differs between the desired GuardDuty setup and the live one, field by field (`{from, to}`), split into the
 * detector's part and the organization configuration's part. Pure: the plan's details and the tests use it.
 */
export function guardDutyDifferences(desired: GuardDutyDesired, actual: GuardDutyState | undefined) {
  const detector: Record<string, { from: unknown; to: unknown }> = {};
  const organization: Record<string, { from: unknown; to: unknown }> = {};
  const d = actual?.detector;
  if (d) {
    if (!d.enabled) detector.Status = { from: 'DISABLED', to: 'ENABLED' };
    if (d.findingPublishingFrequency !== FINDING_PUBLISHING_FREQUENCY)
      detector.FindingPublishingFrequency = { from: d.findingPublishingFrequency ?? null, to: FINDING_PUBLISHING_FREQUENCY };
    for (const plan of GUARD_DUTY_PROTECTION_PLANS) {
      const want = featureStatus(desired.protectionPlans, plan);
      if (d.features[plan] !== want) detector[plan] = { from: d.features[plan] ?? null, to: want };
    }
  }
  const o = actual?.organization;
  if (o !== 'not-emulated') {
    if (o?.autoEnableMembers !== 'ALL') organization.AutoEnableOrganizationMembers = { from: o?.autoEnableMembers ?? null, to: 'ALL' };
    for (const plan of GUARD_DUTY_PROTECTION_PLANS) {
      const want = orgFeatureStatus(desired.protectionPlans, plan);
      if (o?.features[plan] !== want) organization[plan] = { from: o?.features[plan] ?? null, to: want };
    }
  }
  return { detector, organization };
}

/** The detector's features as CreateDetector and UpdateDetector take them: every plan Groundwork manages, on or off. */
export function detectorFeatures(plans: readonly ProtectionPlan[]): { Name: DetectorFeature; Status: 'ENABLED' | 'DISABLED' }[] {
  return GUARD_DUTY_PROTECTION_PLANS.map((plan) => ({ Name: plan as DetectorFeature, Status: featureStatus(plans, plan) }));
}

/** The organization's features as UpdateOrganizationConfiguration takes them: ALL (every member, new ones too) or NONE. */
export function organizationFeatures(plans: readonly ProtectionPlan[]): { Name: OrgFeature; AutoEnable: 'ALL' | 'NONE' }[] {
  return GUARD_DUTY_PROTECTION_PLANS.map((plan) => ({ Name: plan as OrgFeature, AutoEnable: orgFeatureStatus(plans, plan) }));
}

/**
 * GuardDuty for the whole organization, per governed region, managed from the administrator account (the delegated
 * administrator, registered by the organization step, or the management account): a detector there with findings
 * published every 15 minutes, the protection plans the config opts into (the others off, since GuardDuty turns several
 * on for a new detector), and the organization configuration that enables GuardDuty and those plans in every member
 * account, new ones included (AutoEnableOrganizationMembers ALL). Disabling is left to a person (runbook): apply never
 * turns GuardDuty off.
 */
export function guardDutyKind(ctx: OrgContext): ResourceKind<GuardDutyDesired, GuardDutyState> {
  const { config } = ctx;
  const settings = config.security.guardDuty;
  // An emulator answers 404 for an API it lacks: the sandbox, or any target reached through a custom endpoint.
  const sandbox = ctx.clients.settings.target === 'sandbox' || ctx.clients.settings.endpoint !== undefined;
  const admin = () => securityAdministrator(ctx);
  const client = (region: string, write: boolean) => ctx.clients.create(GuardDutyClient, administratorClientOptions(admin(), region, write));

  async function readRegion(region: string): Promise<GuardDutyState> {
    const a = admin();
    const gd = client(region, false);
    const ids = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    const id = ids[0];
    if (!id) return { account: a.name, region };
    const got = await gd.send(new GetDetectorCommand({ DetectorId: id }));
    const features: Partial<Record<ProtectionPlan, 'ENABLED' | 'DISABLED'>> = {};
    for (const f of got.Features ?? []) {
      if ((GUARD_DUTY_PROTECTION_PLANS as readonly string[]).includes(f.Name ?? '') && (f.Status === 'ENABLED' || f.Status === 'DISABLED'))
        features[f.Name as ProtectionPlan] = f.Status;
    }
    const detector = { id, enabled: got.Status === 'ENABLED', findingPublishingFrequency: got.FindingPublishingFrequency, features };
    let organization: GuardDutyState['organization'];
    try {
      const org = await gd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: id }));
      const orgFeatures: Partial<Record<ProtectionPlan, string>> = {};
      for (const f of org.Features ?? []) if (f.Name && f.AutoEnable) orgFeatures[f.Name as ProtectionPlan] = f.AutoEnable;
      organization = { autoEnableMembers: org.AutoEnableOrganizationMembers, features: orgFeatures };
    } catch (error) {
      if (sandbox && isUnsupportedByEmulator(error)) organization = 'not-emulated';
      // Not (yet) the delegated administrator: the organization step registers it, and apply then sets the configuration.
      else if (!isError(error, 'BadRequestException', 'AccessDeniedException')) throw error;
    }
    return { account: a.name, region, detector, organization };
  }

  return {
    kind: 'guardduty',
    dependsOn: ['account'],
    identity: (item) => `${item.account}/${item.region}`,
    desired: () =>
      settings.enabled
        ? config.organization.governedRegions.map((region) => ({ account: admin().name, region, protectionPlans: settings.protectionPlans }))
        : [],
    async read() {
      const a = admin();
      // Before the administrator account exists there is nothing to read: everything is planned as new.
      if (!settings.enabled || !a.accountId) return [];
      if (administratorNotRead(ctx, a)) {
        ctx.settingsNotRead.add(a.name);
        return [];
      }
      return Promise.all(config.organization.governedRegions.map(readRegion));
    },
    requires: (item) => administratorRequires(admin(), SECURITY_SERVICE_PRINCIPALS.guardDuty, item.region),
    diff(desired, actual) {
      if (administratorNotRead(ctx, admin())) return [];
      const a = admin();
      const group = administratorGroup(ctx, a);
      const { detector, organization } = guardDutyDifferences(desired, actual);
      const notEmulated = actual?.organization === 'not-emulated';
      const outcomes: (ChangeSpec | Omit<Finding, 'kind'>)[] = [];
      const detectorNeeded = !actual?.detector || Object.keys(detector).length > 0;
      const organizationNeeded = !notEmulated && Object.keys(organization).length > 0;
      if (detectorNeeded || organizationNeeded) {
        outcomes.push({
          action: actual?.detector ? 'update' : 'create',
          details: {
            account: desired.account,
            region: desired.region,
            ...(actual?.detector ? { detector } : { detector: 'create', protectionPlans: desired.protectionPlans }),
            ...(organizationNeeded || !actual?.detector ? { organization: actual?.detector ? organization : { AutoEnableOrganizationMembers: 'ALL' } } : {}),
            ...(notEmulated ? { notEmulated: 'UpdateOrganizationConfiguration' } : {}),
          },
          group,
          run: async (progress) => {
            const gd = client(desired.region, true);
            let detectorId = actual?.detector?.id;
            if (!detectorId) {
              detectorId = await retrying('guardduty:CreateDetector', progress, async () => {
                // A detector created by an earlier, interrupted run is used, never duplicated (one per account and region).
                const existing = (await client(desired.region, false).send(new ListDetectorsCommand({}))).DetectorIds?.[0];
                if (existing) return existing;
                const created = await gd.send(
                  new CreateDetectorCommand({
                    Enable: true,
                    FindingPublishingFrequency: FINDING_PUBLISHING_FREQUENCY,
                    Features: detectorFeatures(desired.protectionPlans),
                    Tags: { 'groundwork:managed': 'true' },
                  }),
                );
                return created.DetectorId as string;
              });
            } else if (Object.keys(detector).length > 0) {
              await retrying('guardduty:UpdateDetector', progress, () =>
                gd.send(
                  new UpdateDetectorCommand({
                    DetectorId: detectorId,
                    Enable: true,
                    FindingPublishingFrequency: FINDING_PUBLISHING_FREQUENCY,
                    Features: detectorFeatures(desired.protectionPlans),
                  }),
                ),
              );
            }
            const id = detectorId;
            try {
              await retrying(
                'guardduty:UpdateOrganizationConfiguration',
                progress,
                () =>
                  gd.send(
                    new UpdateOrganizationConfigurationCommand({
                      DetectorId: id,
                      AutoEnableOrganizationMembers: 'ALL',
                      Features: organizationFeatures(desired.protectionPlans),
                    }),
                  ),
                { giveUpOn: (error) => sandbox && isUnsupportedByEmulator(error) },
              );
            } catch (error) {
              if (!(sandbox && isUnsupportedByEmulator(error))) throw error;
              progress(`not emulated: GuardDuty UpdateOrganizationConfiguration in ${desired.account}/${desired.region} (moto has no such API)`);
            }
          },
        });
      }
      if (notEmulated) {
        outcomes.push({
          name: `${desired.account}/${desired.region}`,
          message: `GuardDuty's organization configuration in ${desired.account}/${desired.region} (auto-enable for every account, protection plans ${desired.protectionPlans.join(', ') || 'none'}); moto has no DescribeOrganizationConfiguration or UpdateOrganizationConfiguration, so the sandbox shows the detector only`,
          group,
          notEmulated: true,
        });
      }
      return outcomes;
    },
    // Apply never turns GuardDuty off (its findings are evidence); docs/runbooks/security.md says how a person does.
    orphan: () => undefined,
  };
}
