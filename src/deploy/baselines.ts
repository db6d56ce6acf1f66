import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import { githubOidcParameters } from '../infra/template-parameters.js';
import type { OrgRegistry } from '../org/org-context.js';
import type { StackSetSpec } from './stacksets.js';

/** The committed StackSet templates (`npm run build:templates` writes them from src/infra/templates). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../cloudformation/', import.meta.url));

/** A baseline that cannot be deployed yet, and why. */
export interface BlockedBaseline {
  readonly name: string;
  readonly reason: string;
}

/** Resource types moto creates through a service-managed StackSet (checked with moto 5.2), by what it does not. */
const NOT_EMULATED = [/^AWS::Cognito::/, /^AWS::IAM::OIDCProvider$/, /^AWS::CodeDeploy::/];

/** The resource types of a template that the emulator does not create through a StackSet: named in the output, never skipped silently. */
export function notEmulatedTypes(templateBody: string): string[] {
  const resources = (JSON.parse(templateBody) as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
  return [...new Set(Object.values(resources).map((r) => r.Type))].filter((t) => NOT_EMULATED.some((p) => p.test(t))).sort();
}

function template(name: string): string {
  return readFileSync(`${TEMPLATES_DIR}${name}.json`, 'utf8');
}

function idsOf(registry: OrgRegistry, config: GroundworkConfig, accountName: string): { accountId: string; ouId: string } {
  const account = config.organization.accounts.find((a) => a.name === accountName);
  const accountId = registry.accountIds.get(accountName);
  const ouId = account ? registry.ouIds.get(account.organizationalUnit) : undefined;
  if (!account || !accountId || !ouId) {
    throw new GroundworkError('APPLY_FAILED', `account "${accountName}" or its OU does not exist yet`, {
      hint: 'apply the organization first (groundwork apply)',
    });
  }
  return { accountId, ouId };
}

/**
 * The member-account baselines the config asks for, as StackSets targeting OUs (with an account filter where a
 * baseline is for one account), with their parameters from groundwork.yaml. Baselines that need something the config
 * does not give yet are returned as blocked, with the reason.
 */
export function desiredBaselines(config: GroundworkConfig, registry: OrgRegistry): { specs: StackSetSpec[]; blocked: BlockedBaseline[] } {
  const specs: StackSetSpec[] = [];
  const blocked: BlockedBaseline[] = [];
  const regions = [config.organization.homeRegion];
  const backend = config.workloads.backendService;
  if (backend) {
    const pipeline = idsOf(registry, config, backend.pipelineAccount);
    const staging = idsOf(registry, config, backend.stagingAccount);
    const production = idsOf(registry, config, backend.productionAccount);
    specs.push({
      name: 'groundwork-ecr-repository',
      description: `Groundwork: the ${backend.name} image repository in the pipeline account (${backend.pipelineAccount})`,
      templateBody: template('ecr-repository'),
      parameters: { RepositoryName: backend.name, PullAccountIds: [staging.accountId, production.accountId].join(',') },
      organizationalUnitIds: [pipeline.ouId],
      accountIds: [pipeline.accountId],
      retainStacksOnAccountRemoval: true,
      regions,
    });
    if (backend.repository) {
      specs.push({
        name: 'groundwork-github-oidc',
        description: `Groundwork: GitHub's OIDC provider and the delivery roles of ${backend.repository} in ${backend.pipelineAccount}`,
        templateBody: template('github-oidc'),
        parameters: {
          ...githubOidcParameters(backend),
          EcrRepositoryName: backend.name,
          StagingAccountId: staging.accountId,
          ProductionAccountId: production.accountId,
        },
        organizationalUnitIds: [pipeline.ouId],
        accountIds: [pipeline.accountId],
        retainStacksOnAccountRemoval: false,
        regions,
      });
    } else {
      blocked.push({ name: 'groundwork-github-oidc', reason: 'workloads.backendService.repository is not set (OWNER/NAME of the backend repository)' });
    }
    for (const name of ['groundwork-workload', 'groundwork-workload-bluegreen']) {
      blocked.push({ name, reason: 'the workload needs its first image (InitialImage), which a first build-and-push gives; not deployed by Groundwork yet' });
    }
  }
  return { specs, blocked };
}
