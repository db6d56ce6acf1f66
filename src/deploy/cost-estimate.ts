import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { type Estimate, type EstimateInput, type EstimateTemplate, estimateMonthlyCost } from '../cost/estimate.js';
import { withSecurityServices } from '../cost/security-estimate.js';
import type { AccountDirectory } from '../infra/account-directory.js';
import { synthesize } from '../infra/synthesize.js';
import { desiredBaselines, isPendingId } from './baselines.js';
import { STACKSET_STACK_IDS } from './deploy.js';

/** The StackSets that run the backend service, counted apart from the foundation. */
const WORKLOAD_STACKSETS = new Set(['groundwork-workload', 'groundwork-workload-bluegreen']);

/**
 * What the config deploys, as templates per account: the management stacks (synthesized into a temporary folder)
 * and every StackSet instance with its own parameters, the workloads included whether or not they have an image yet.
 */
export function deploymentsOf(config: GroundworkConfig, accounts: AccountDirectory): EstimateInput[] {
  const outdir = mkdtempSync(join(tmpdir(), 'groundwork-estimate-'));
  try {
    // The estimate reads templates and deploys none: cdk-nag, which deploy and synth run, is left out for speed.
    const synth = synthesize({ config, accounts, outdir, nag: false });
    const nameOf = new Map([...accounts.ids].map(([name, id]) => [id, name]));
    const logArchive = synth.stacks.find((s) => s.id === 'GroundworkLogArchive');
    const forwarder = synth.stacks.find((s) => s.id === 'GroundworkSecurityFindingsForwarder');
    const recording = synth.stacks.find((s) => s.id === 'GroundworkConfigRecording');
    const inputs: EstimateInput[] = synth.stacks
      .filter((s) => !STACKSET_STACK_IDS.has(s.id))
      .map((s) => ({
        account: nameOf.get(s.account) ?? s.account,
        name: s.stackName,
        template: JSON.parse(readFileSync(s.templateFile, 'utf8')) as EstimateTemplate,
      }));
    const ouIds = new Map(config.organization.organizationalUnits.map((ou) => [ou.name, `ou-${ou.name}`]));
    const { specs } = desiredBaselines(
      config,
      { accountIds: accounts.ids, ouIds },
      // The workloads are priced at DesiredCount tasks, as they run from the first delivery on.
      {
        logArchiveTemplate: logArchive ? readFileSync(logArchive.templateFile, 'utf8') : undefined,
        securityFindingsTemplate: forwarder ? readFileSync(forwarder.templateFile, 'utf8') : undefined,
        configRecordingTemplate: recording ? readFileSync(recording.templateFile, 'utf8') : undefined,
      },
    );
    for (const spec of specs) {
      const template = JSON.parse(spec.templateBody) as EstimateTemplate;
      for (const id of spec.accountIds ?? []) {
        inputs.push({
          account: isPendingId(id) ? id.slice(1, -1) : (nameOf.get(id) ?? id),
          name: spec.name,
          template,
          parameters: { ...spec.parameters, ...(spec.overrides?.[id] ?? {}) },
          workload: WORKLOAD_STACKSETS.has(spec.name),
        });
      }
    }
    return inputs;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The fixed monthly cost of the foundation the config describes, per account and in total, with the security services
 * (GuardDuty, Security Hub, Config: configured through their APIs, not templates) priced at stated volumes.
 */
export function costEstimate(config: GroundworkConfig, accounts: AccountDirectory): Estimate {
  return withSecurityServices(estimateMonthlyCost(deploymentsOf(config, accounts)), config);
}
