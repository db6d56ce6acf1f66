import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { authSettings } from '../auth/pool-spec.js';
import { allAccounts, type GroundworkConfig } from '../config/resolved-config.js';
import { authParameters, githubOidcParameters, workloadParameters } from '../infra/template-parameters.js';
import type { StackSetSpec } from './stacksets.js';

/** The committed StackSet templates (`npm run build:templates` writes them from src/infra/templates). */
export function templatesDir(): string {
  // Resolved when read, not on import: an action bundle imports this module but passes its own readTemplate.
  return fileURLToPath(new URL('../../cloudformation/', import.meta.url));
}

/** A baseline that cannot be deployed yet, and why. */
export interface BlockedBaseline {
  readonly name: string;
  readonly reason: string;
}

/**
 * The resource types of a template that the emulator does not create through CloudFormation (`emulated` is the list
 * the pinned moto reports): named in the output, never skipped silently.
 */
export function notEmulatedTypes(templateBody: string, emulated: ReadonlySet<string>): string[] {
  const resources = (JSON.parse(templateBody) as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
  return [...new Set(Object.values(resources).map((r) => r.Type))].filter((t) => !emulated.has(t) && !t.startsWith('Custom::')).sort();
}

/**
 * Not-emulated resource types whose attributes other parts of the template read (Fn::GetAtt): moto refuses such a
 * template as a whole ("Fn::GetAtt references undefined resource"), so the baseline cannot be created there at all.
 */
export function attributesNotEmulated(templateBody: string, emulated: ReadonlySet<string>): string[] {
  const template = JSON.parse(templateBody) as { Resources?: Record<string, { Type: string }> };
  const resources = template.Resources ?? {};
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Fn::GetAtt') {
          const logicalId = Array.isArray(value) ? value[0] : String(value).split('.')[0];
          const type = resources[String(logicalId)]?.Type;
          if (type && !emulated.has(type) && !type.startsWith('Custom::')) found.add(type);
        }
        visit(value);
      }
    }
  };
  visit(template);
  return [...found].sort();
}

function committedTemplate(name: string): string {
  return readFileSync(`${templatesDir()}${name}.json`, 'utf8');
}

/**
 * Account and OU IDs by name. Before the organization exists (a dry run on a new management account), names stand
 * in for the IDs the organization step will create: `pending` is then true and the plan cannot be applied as is.
 */
export interface BaselineIds {
  readonly accountIds: ReadonlyMap<string, string>;
  readonly ouIds: ReadonlyMap<string, string>;
}

/** What the baselines need beyond the config. */
export interface BaselineInputs {
  /** The synthesized log-archive template (cdk.out), when the config names a log-archive account. */
  readonly logArchiveTemplate?: string;
  /** The synthesized forwarder of security findings (cdk.out), when a member account administers GuardDuty or Security Hub. */
  readonly securityFindingsTemplate?: string;
  /** The synthesized AWS Config recording for member accounts (cdk.out), when security.config.enabled. */
  readonly configRecordingTemplate?: string;
  /**
   * The `InitialImage` a workload StackSet was created with before workloads could exist without an image, by StackSet
   * name: kept, since changing it would roll the service back to that image (or, under CodeDeploy, fail the update).
   * A workload StackSet created since has none: its service starts with 0 tasks and the first delivery scales it up.
   */
  readonly keptInitialImages?: Readonly<Record<string, string>>;
  /** Reads a committed template by name. @default the file in cloudformation/ */
  readonly readTemplate?: (name: string) => string;
}

/** The stand-in for an ID that does not exist yet. */
export const pendingId = (name: string) => `(${name})`;
export const isPendingId = (id: string) => id.startsWith('(');

/**
 * The member-account baselines the config asks for, as StackSets targeting OUs (with an account filter where a
 * baseline is for some accounts only), with their parameters from groundwork.yaml and per-account overrides where
 * the values differ. Baselines that need something the organization does not have yet are returned as blocked.
 */
export function desiredBaselines(
  config: GroundworkConfig,
  ids: BaselineIds,
  inputs: BaselineInputs = {},
): { specs: StackSetSpec[]; blocked: BlockedBaseline[] } {
  const specs: StackSetSpec[] = [];
  const blocked: BlockedBaseline[] = [];
  const template = inputs.readTemplate ?? committedTemplate;
  const regions = [config.organization.homeRegion];
  const accountId = (name: string) => ids.accountIds.get(name) ?? pendingId(name);
  const accountOf = (name: string) => config.organization.accounts.find((a) => a.name === name);
  const ouId = (accountName: string) => {
    const ou = accountOf(accountName)?.organizationalUnit ?? '';
    return ids.ouIds.get(ou) ?? pendingId(ou);
  };
  /** A StackSet for some accounts: their OUs as targets, the accounts as an INTERSECTION filter. */
  const forAccounts = (names: readonly string[]) => ({
    organizationalUnitIds: [...new Set(names.map(ouId))],
    accountIds: names.map(accountId),
  });

  if (config.audit.logArchiveAccount !== undefined && inputs.logArchiveTemplate) {
    specs.push({
      name: 'groundwork-log-archive',
      description: `Groundwork: the immutable archive of the organization trail and Athena over it, in ${config.audit.logArchiveAccount}`,
      templateBody: inputs.logArchiveTemplate,
      parameters: {},
      ...forAccounts([config.audit.logArchiveAccount]),
      // The archive is evidence: an account leaving the OU keeps it.
      retainStacksOnAccountRemoval: true,
      regions,
    });
  }

  const securityAdmin = config.security.administratorAccount;
  if (securityAdmin !== undefined && inputs.securityFindingsTemplate) {
    specs.push({
      name: 'groundwork-security-findings-forwarder',
      description: `Groundwork: GuardDuty and Security Hub findings of ${securityAdmin}, the security administrator, to the management account's operators' topic`,
      templateBody: inputs.securityFindingsTemplate,
      parameters: {},
      ...forAccounts([securityAdmin]),
      retainStacksOnAccountRemoval: false,
      // GuardDuty findings stay in their region: a rule in each governed region.
      regions: [...config.organization.governedRegions],
    });
  }

  if (config.security.config.enabled && inputs.configRecordingTemplate) {
    const members = config.organization.accounts.map((a) => a.name);
    specs.push({
      name: 'groundwork-config-recording',
      description: `Groundwork: AWS Config recording (${config.security.config.recordingFrequency.toLowerCase()}) in every member account and governed region, for Security Hub`,
      templateBody: inputs.configRecordingTemplate,
      parameters: {},
      ...forAccounts(members),
      // The recorded history is evidence: an account leaving keeps its bucket (the recorder can be deleted by hand).
      retainStacksOnAccountRemoval: true,
      regions: [...config.organization.governedRegions],
    });
  }

  const backend = config.workloads.backendService;
  if (backend) {
    const staging = accountId(backend.stagingAccount);
    const production = accountId(backend.productionAccount);
    const pipeline = accountId(backend.pipelineAccount);
    specs.push({
      name: 'groundwork-ecr-repository',
      description: `Groundwork: the ${backend.name} image repository in the pipeline account (${backend.pipelineAccount})`,
      templateBody: template('ecr-repository'),
      parameters: { RepositoryName: backend.name, PullAccountIds: [staging, production].join(',') },
      ...forAccounts([backend.pipelineAccount]),
      // Images are what production runs: the repository stays if the account leaves.
      retainStacksOnAccountRemoval: true,
      regions,
    });
    if (backend.repository) {
      specs.push({
        name: 'groundwork-github-oidc',
        description: `Groundwork: GitHub's OIDC provider and the delivery roles of ${backend.repository} in ${backend.pipelineAccount}`,
        templateBody: template('github-oidc'),
        parameters: { ...githubOidcParameters(backend), EcrRepositoryName: backend.name, StagingAccountId: staging, ProductionAccountId: production },
        ...forAccounts([backend.pipelineAccount]),
        retainStacksOnAccountRemoval: false,
        regions,
      });
    } else {
      blocked.push({ name: 'groundwork-github-oidc', reason: 'workloads.backendService.repository is not set (OWNER/NAME of the backend repository)' });
    }
    const partition = config.organization.homeRegion.startsWith('cn-') ? 'aws-cn' : 'aws';
    // Staging runs rolling updates by the delivery role; prod runs blue/green by the release role. The image role,
    // which jobs without an environment get, is trusted by neither.
    const workloads = [
      {
        name: 'groundwork-workload',
        account: backend.stagingAccount,
        blueGreen: false,
        role: 'DeliveryRoleArn',
        roleName: 'groundwork-delivery',
        how: 'on ECS Fargate behind a load balancer',
      },
      {
        name: 'groundwork-workload-bluegreen',
        account: backend.productionAccount,
        blueGreen: true,
        role: 'ReleaseRoleArn',
        roleName: 'groundwork-release',
        how: backend.release.strategy === 'ecs' ? "with ECS's own blue/green" : 'with CodeDeploy blue/green',
      },
    ];
    for (const w of workloads) {
      specs.push({
        name: w.name,
        description: `Groundwork: ${backend.name} ${w.how} in ${w.account}`,
        templateBody: template(w.name.replace(/^groundwork-/, '')),
        parameters: {
          ...workloadParameters(backend, accountOf(w.account)?.environment ?? w.account, w.blueGreen),
          ...(inputs.keptInitialImages?.[w.name] ? { InitialImage: inputs.keptInitialImages[w.name] } : {}),
          // The tasks pull from the pipeline account's repository only.
          ImageAccountId: pipeline,
          ImageRepositoryName: backend.name,
          [w.role]: `arn:${partition}:iam::${pipeline}:role/${w.roleName}`,
        },
        ...forAccounts([w.account]),
        retainStacksOnAccountRemoval: false,
        regions,
        // Its deploy role trusts the delivery or release role, which must exist first.
        dependsOn: ['groundwork-ecr-repository', 'groundwork-github-oidc'],
      });
    }
  }

  const authAccounts = Object.keys(config.auth.environments).flatMap((environment) =>
    allAccounts(config)
      .filter((a) => a.environment === environment && a.name !== config.organization.managementAccount.name)
      .map((a) => ({ account: a.name, environment })),
  );
  if (authAccounts.length > 0) {
    // Every value is per environment: each account's instance carries its own as overrides; the StackSet's own values are the first's.
    const overrides = Object.fromEntries(
      authAccounts.map(({ account, environment }) => [
        accountId(account),
        { ...authParameters(authSettings(config, environment)), DomainPrefix: `${environment}-${accountId(account)}`.replace(/[()]/g, '') },
      ]),
    );
    specs.push({
      name: 'groundwork-auth',
      description: `Groundwork: the auth service's Cognito user pool in ${authAccounts.map((a) => a.account).join(', ')}`,
      templateBody: template('auth'),
      parameters: Object.values(overrides)[0] ?? {},
      ...forAccounts(authAccounts.map((a) => a.account)),
      overrides,
      // Users and their sign-ins live in the pool: an account leaving the OU keeps it.
      retainStacksOnAccountRemoval: true,
      regions,
    });
  }
  return { specs, blocked };
}
