import { App, BootstraplessSynthesizer, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DENY_NEW_SPEND_POLICY, type GroundworkConfig } from '../config/resolved-config.js';
import type { AccountDirectory } from './account-directory.js';
import { CDK_BOUNDARY_POLICY } from './cdk-boundary.js';
import { AuditTrailStack, LogArchiveStack } from './stacks/audit-stacks.js';
import { ConfigRecordingStack } from './stacks/config-recording-stack.js';
import { CostControlsStack, costStackParts } from './stacks/cost-controls-stack.js';
import { CostStatementsStack } from './stacks/cost-statements-stack.js';
import { OperatorNotificationsStack } from './stacks/operator-notifications-stack.js';
import { SecurityFindingsForwarderStack, SecurityFindingsStack } from './stacks/security-findings-stacks.js';

/** Inputs of {@link buildApp}. */
export interface BuildAppProps {
  readonly config: GroundworkConfig;
  readonly accounts: AccountDirectory;
  /** Cloud assembly folder. @default 'cdk.out' */
  readonly outdir?: string;
  /** Check every resource with cdk-nag during synth. Off only where the templates are read, never deployed (cost-estimate). @default true */
  readonly nag?: boolean;
}

/** The CDK app with one stack per feature, checked by cdk-nag's AWS Solutions pack on synth. */
export function buildApp(props: BuildAppProps): App {
  const { config, accounts } = props;
  const app = new App({
    outdir: props.outdir ?? 'cdk.out',
    // Server access logs are delivered through a bucket policy, not ACLs (buckets here enforce bucket-owner ownership).
    // Cross-stack references stay strong (an exporting stack cannot drop what another imports), as they have been.
    context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true, '@aws-cdk/core:defaultCrossStackReferences': 'strong' },
  });
  const accountId = (name: string): string => {
    const id = accounts.ids.get(name);
    if (!id) throw new Error(`buildApp: no account ID for "${name}"; known: ${[...accounts.ids.keys()].join(', ')}`);
    return id;
  };
  // The directory holds an ID (live or placeholder) for every policy a stack refers to.
  const policyId = (name: string): string => {
    const id = accounts.policyIds.get(name);
    if (!id) throw new Error(`buildApp: no policy ID for "${name}"; known: ${[...accounts.policyIds.keys()].join(', ') || 'none'}`);
    return id;
  };
  const management = { account: accountId(config.organization.managementAccount.name), region: config.organization.homeRegion };

  const notifications = new OperatorNotificationsStack(app, 'GroundworkOperatorNotifications', {
    env: management,
    stackName: 'groundwork-operator-notifications',
    description: 'Groundwork: operator notifications topic and organization access analyzers',
    operatorEmails: config.notifications.operatorEmails,
    accessAnalyzer: config.security.accessAnalyzer,
  });

  const costAccounts = [config.organization.managementAccount, ...config.organization.accounts].map((a) => ({
    name: a.name,
    accountId: accountId(a.name),
    environment: a.environment,
    monthlyBudgetUsd: a.monthlyBudgetUsd,
  }));
  const guard = config.cost.playgroundGuard;
  const playgroundGuard = guard && {
    accountName: guard.account,
    policyId: policyId(DENY_NEW_SPEND_POLICY),
    organizationId: accounts.organizationId,
    thresholdPercent: guard.thresholdPercent,
  };
  // Stable IDs: the first part keeps the plain name; more parts appear only in large organizations.
  costStackParts(costAccounts).forEach((part, index) => {
    const suffix = index === 0 ? '' : `${index + 1}`;
    new CostControlsStack(app, `GroundworkCostControls${suffix}`, {
      env: management,
      stackName: `groundwork-cost-controls${suffix ? `-${suffix}` : ''}`,
      description: 'Groundwork: an invoice per environment, the Environment cost category, budgets per account and the Playground guard',
      invoiceReceiverAccountId: accountId(config.cost.invoiceReceiver),
      alertTopic: notifications.notifications.topic,
      accounts: costAccounts,
      invoiceUnitEnvironments: part.environments,
      budgetAccounts: part.accounts,
      costCategory: index === 0,
      playgroundGuard,
    });
  });

  new CostStatementsStack(app, 'GroundworkCostStatements', {
    env: management,
    stackName: 'groundwork-cost-statements',
    description: "Groundwork: each environment's monthly statement, written on the 3rd to an encrypted bucket, with a summary to the operators",
    accounts: costAccounts,
    operatorTopic: notifications.notifications.topic,
    operatorTopicKey: notifications.notifications.key,
    retentionDays: config.cost.statementBucketRetentionDays,
  });

  addSecurityFindingsStacks(app, config, management, accountId, notifications.notifications.topic);
  if (config.security.config.enabled) addConfigRecordingStacks(app, config, management);

  if (config.audit.logArchiveAccount !== undefined)
    addAuditStacks(app, props, config.audit.logArchiveAccount, management, accountId, notifications.notifications.topic);

  boundManagementRoles(app, management.account);
  Tags.of(app).add('groundwork:managed', 'true');
  if (props.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * Every role and user of the stacks deployed in the management account (through the CDK bootstrap, whose execution
 * role carries the same boundary) is created within the deploy path's permissions boundary (cdk-boundary.ts), which
 * the execution role must give any role it creates. The log archive, a StackSet in another account, is not bounded.
 */
export function boundManagementRoles(app: App, managementAccount: string): void {
  for (const stack of app.node.children) {
    if (!Stack.isStack(stack) || stack.account !== managementAccount) continue;
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'CdkPermissionsBoundary', CDK_BOUNDARY_POLICY));
  }
}

/**
 * GuardDuty and Security Hub findings at or above the configured severity to the operators' topic: the receiving rules
 * in the management account, and, when a member account administers the services, its forwarding rules (a StackSet in
 * every governed region, like the log archive: no bootstrap there).
 */
function addSecurityFindingsStacks(
  app: App,
  config: GroundworkConfig,
  management: { account: string; region: string },
  accountId: (name: string) => string,
  operatorTopic: sns.ITopic,
): void {
  const { guardDuty, securityHub, findings, administratorAccount } = config.security;
  if (!guardDuty.enabled && !securityHub.enabled) return;
  const admin = administratorAccount !== undefined && administratorAccount !== config.organization.managementAccount.name ? administratorAccount : undefined;
  const services = { minimumSeverity: findings.minimumSeverity, guardDuty: guardDuty.enabled, securityHub: securityHub.enabled };
  new SecurityFindingsStack(app, 'GroundworkSecurityFindings', {
    env: management,
    stackName: 'groundwork-security-findings',
    description: `Groundwork: GuardDuty and Security Hub findings of severity ${findings.minimumSeverity} or above, to the operators' topic`,
    operatorTopic,
    ...services,
    forwardingAccountId: admin === undefined ? undefined : accountId(admin),
  });
  if (admin === undefined) return;
  new SecurityFindingsForwarderStack(app, 'GroundworkSecurityFindingsForwarder', {
    env: { account: accountId(admin), region: config.organization.homeRegion },
    stackName: 'groundwork-security-findings-forwarder',
    description: `Groundwork: the security administrator's GuardDuty and Security Hub findings of severity ${findings.minimumSeverity} or above, to the management account`,
    synthesizer: new BootstraplessSynthesizer(),
    managementAccountId: management.account,
    homeRegion: config.organization.homeRegion,
    ...services,
  });
}

/**
 * AWS Config recording (opt-in): a stack in the management account's home region (its bootstrap is there only), and a
 * StackSet template for every member account in every governed region. Member IDs are not in the template: the
 * StackSet's targets choose the accounts.
 */
function addConfigRecordingStacks(app: App, config: GroundworkConfig, management: { account: string; region: string }): void {
  const settings = { homeRegion: config.organization.homeRegion, recordingFrequency: config.security.config.recordingFrequency };
  new ConfigRecordingStack(app, 'GroundworkConfigRecordingManagement', {
    env: management,
    stackName: 'groundwork-config-recording',
    description: 'Groundwork: AWS Config recording in the management account (home region), for Security Hub',
    ...settings,
  });
  new ConfigRecordingStack(app, 'GroundworkConfigRecording', {
    // Deployed by a service-managed StackSet: no bootstrap in the member accounts, no assets.
    synthesizer: new BootstraplessSynthesizer(),
    stackName: 'groundwork-config-recording',
    description: 'Groundwork: AWS Config recording in a member account, every governed region, for Security Hub',
    ...settings,
  });
}

/** The organization trail (management) and the log archive with Athena (log-archive account). */
function addAuditStacks(
  app: App,
  props: BuildAppProps,
  logArchiveAccount: string,
  management: { account: string; region: string },
  accountId: (name: string) => string,
  operatorTopic: sns.ITopic,
): void {
  const { config, accounts } = props;
  const logArchive = { account: accountId(logArchiveAccount), region: config.organization.homeRegion };
  const regions = [...new Set(['us-east-1', ...config.organization.governedRegions])];
  const archiveStack = new LogArchiveStack(app, 'GroundworkLogArchive', {
    env: logArchive,
    stackName: 'groundwork-log-archive',
    description: 'Groundwork: immutable log archive of the organization trail, and Athena over it',
    // Deployed into the log-archive account by a service-managed StackSet (src/deploy), which needs no CDK bootstrap
    // there; this synthesizer also refuses assets, which a StackSet template could not carry.
    synthesizer: new BootstraplessSynthesizer(),
    organizationId: accounts.organizationId,
    managementAccountId: management.account,
    trailRegion: management.region,
    accountIds: [...new Set(accounts.ids.values())],
    regions,
    objectLockRetentionDays: config.audit.objectLockRetentionDays,
    objectLockMode: config.audit.objectLockMode,
  });
  const trailStack = new AuditTrailStack(app, 'GroundworkAuditTrail', {
    env: management,
    stackName: 'groundwork-audit-trail',
    description: 'Groundwork: the organization trail, all regions, with log file validation, and the alarm on tampering with it',
    organizationId: accounts.organizationId,
    bucketName: archiveStack.archive.bucket.bucketName,
    logArchiveAccountId: logArchive.account as string,
    operatorTopic,
    logRetentionDays: config.audit.cloudWatchLogsRetentionDays,
    s3DataEvents: config.audit.dataEvents.s3,
    lambdaDataEvents: config.audit.dataEvents.lambda,
  });
  // The bucket policy must let CloudTrail in, and the archive key must exist, before the trail is created.
  trailStack.addStackDependency(archiveStack);
}
