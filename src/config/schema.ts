import { z } from 'zod';

/** Names of AWS resources Groundwork manages: letters, digits and a few separators. */
const resourceName = z.string().min(1).max(128);

/** Where an SCP is attached. */
export const PolicyTargetsSchema = z
  .strictObject({
    root: z.boolean().default(false).describe('Attach to the organization root (every member account).'),
    organizationalUnits: z.array(z.string()).default([]).describe('OU names to attach to.'),
    accounts: z.array(z.string()).default([]).describe('Account names to attach to.'),
  })
  .describe('Where the policy is attached.');

export const ServiceControlPolicySchema = z
  .strictObject({
    name: resourceName.describe('Policy name in AWS Organizations.'),
    description: z.string().max(512).optional(),
    guardrail: z.string().optional().describe('A built-in guardrail (see src/org/guardrails/). Give this or `file`.'),
    file: z.string().optional().describe('Path to a policy JSON file, relative to this config. Give this or `guardrail`.'),
    enabled: z.boolean().default(true).describe('Set false to keep the policy declared but not created.'),
    targets: PolicyTargetsSchema,
  })
  .describe('A service control policy and where it is attached.');

export const OrganizationalUnitSchema = z.strictObject({
  name: resourceName.describe('OU name; unique in this config.'),
  parent: z.string().optional().describe('Parent OU name. @default the organization root'),
});

export const AccountSchema = z.strictObject({
  name: z.string().describe('Account name (1-50 characters); unique.'),
  organizationalUnit: z.string().describe('Name of the OU the account belongs in.'),
  environment: z.string().optional().describe('Environment name shown on bills, audit and the console. @default the account name'),
  email: z.string().optional().describe('Root e-mail address. @default organization.accountEmailTemplate'),
  monthlyBudgetUsd: z.number().optional().describe('Monthly budget in USD. @default organization.defaultMonthlyBudgetUsd'),
  renamedFrom: z
    .string()
    .optional()
    .describe('The name the account had before a rename: apply renames it in place (PutAccountName) and keeps the e-mail AWS has. Safe to leave in.'),
  createNew: z
    .boolean()
    .optional()
    .describe(
      'Says that this is a new account, not a rename of a managed account that left the config in the same OU; needed only when plan asks. @default false',
    ),
});

export const ManagementAccountSchema = z.strictObject({
  name: z.string().default('management').describe('How the management account is referred to in this config.'),
  environment: z.string().default('management'),
  monthlyBudgetUsd: z.number().optional(),
});

export const OrganizationSchema = z.strictObject({
  homeRegion: z.string().default('us-east-1').describe('Region of Identity Center, the trail and the stacks.'),
  governedRegions: z.array(z.string()).default(['us-east-1']).describe('Regions the account baseline covers and the optional region allow-list permits.'),
  accountEmailTemplate: z
    .string()
    .default('aws+{account}@example.com')
    .describe('Template for account root e-mails; `{account}` is replaced by the account name.'),
  defaultMonthlyBudgetUsd: z.number().default(100),
  managementAccount: ManagementAccountSchema.prefault({}),
  organizationalUnits: z.array(OrganizationalUnitSchema).default([]),
  accounts: z.array(AccountSchema).default([]),
});

export const PermissionSetSchema = z.strictObject({
  name: z.string().describe('Permission set name (1-32 characters: letters, digits, +=,.@-).'),
  description: z.string().max(700).optional(),
  sessionDurationHours: z.number().default(1).describe('Portal session length, 1-12 hours.'),
  managedPolicies: z.array(z.string()).default([]).describe('AWS managed policies, by name (`ReadOnlyAccess`, `job-function/Billing`) or ARN.'),
  customerManagedPolicies: z.array(z.string()).default([]).describe('Names of customer-managed policies present in each target account.'),
  inlinePolicyFile: z.string().optional().describe('Path to an inline policy JSON file, relative to this config.'),
  permissionsBoundary: z.string().optional().describe('AWS managed policy name or ARN used as permissions boundary.'),
});

export const GroupSchema = z.strictObject({
  name: z.string().describe('Identity Center group name.'),
  description: z.string().max(1024).optional(),
});

export const AssignmentSchema = z.strictObject({
  group: z.string(),
  permissionSet: z.string(),
  allAccounts: z.boolean().default(false).describe('Every account in the organization, management included.'),
  organizationalUnits: z.array(z.string()).default([]).describe('Every account in these OUs (expanded at plan time).'),
  accounts: z.array(z.string()).default([]),
});

export const IdentityCenterSchema = z.strictObject({
  permissionSets: z.array(PermissionSetSchema).default([]),
  groups: z.array(GroupSchema).default([]),
  assignments: z.array(AssignmentSchema).default([]),
});

export const NotificationsSchema = z.strictObject({
  operatorEmails: z.array(z.string()).default([]).describe('Operators subscribed to alerts (budgets, pipelines, statements).'),
});

export const AuditSchema = z.strictObject({
  logArchiveAccount: z.string().optional().describe('Account that holds the immutable log archive. @default the account named "log-archive", if declared'),
  cloudWatchLogsRetentionDays: z.number().int().default(90),
  objectLockRetentionDays: z.number().int().default(365),
  objectLockMode: z
    .enum(['COMPLIANCE', 'GOVERNANCE'])
    .default('COMPLIANCE')
    .describe(
      'Object Lock mode of the log archive. COMPLIANCE: no one, not even the root user, can delete or shorten retention until it ends, and it cannot be undone. GOVERNANCE: principals with s3:BypassGovernanceRetention can. @default COMPLIANCE',
    ),
  dataEvents: z
    .strictObject({ s3: z.boolean().default(false), lambda: z.boolean().default(false) })
    .prefault({})
    .describe('Optional data events; each adds cost (see docs/runbooks/audit.md).'),
});

export const PlaygroundGuardSchema = z
  .strictObject({
    account: z.string().describe('Name of the playground account the guard watches (a member account).'),
    thresholdPercent: z
      .number()
      .default(100)
      .describe("Actual spend, in percent of the account's monthly budget, at which the deny-new-spend SCP is attached. @default 100"),
  })
  .describe('A budget action that attaches the deny-new-spend SCP to the account when its budget is spent, and tells the operators.');

export const CostSchema = z.strictObject({
  invoiceReceiver: z.string().default('management').describe('Account name that receives every invoice unit.'),
  playgroundGuard: PlaygroundGuardSchema.optional(),
  statementBucketRetentionDays: z
    .number()
    .int()
    .default(400)
    .describe('Days the generated monthly statements are kept in their bucket. @default 400 (13 months and a little)'),
});

/** Who runs a production blue/green release: ECS's own deployment controller, or CodeDeploy for ECS. */
export const RELEASE_STRATEGIES = ['ecs', 'codedeploy'] as const;

export const ReleaseSchema = z.strictObject({
  strategy: z
    .enum(RELEASE_STRATEGIES, {
      error: (issue) => `${JSON.stringify(issue.input)} is not a release strategy (use ecs for ECS's own blue/green, or codedeploy for CodeDeploy for ECS)`,
    })
    .default('ecs')
    .describe(
      "Who runs the blue/green release: ecs (ECS's own blue/green, with a pause hook after test traffic for the smoke check) or codedeploy (CodeDeploy for ECS). @default ecs",
    ),
  tagPattern: z
    .string()
    .default('v*')
    .describe('Tags that release to production (the part after refs/tags/; * and ? allowed). The release role trusts only these tags.'),
  deploymentConfig: z
    .string()
    .default('CodeDeployDefault.ECSCanary10Percent5Minutes')
    .describe(
      'How production traffic shifts: one of the predefined CodeDeploy ECS configurations; with strategy ecs the same shift is made by ECS (Canary → CANARY, Linear → LINEAR, AllAtOnce → BLUE_GREEN).',
    ),
  bakeMinutes: z
    .number()
    .int()
    .default(10)
    .describe('Minutes the old tasks stay after the shift, while alarms can still roll back (0–1440, the most ECS allows; the same for codedeploy).'),
  readyWaitMinutes: z
    .number()
    .int()
    .default(30)
    .describe('Minutes a deployment waits at the test listener for the release (and its smoke check) to continue it (1–2880).'),
  testListenerPort: z.number().int().default(9000).describe('Port of the test listener on the production load balancer (not 80 or 443).'),
  testTrafficCidr: z.string().default('10.0.0.0/16').describe('Who may reach the test listener: the smoke-check runners (never 0.0.0.0/0). @default the VPC'),
  max5xxPercent: z.number().default(5).describe('Share of 5xx answers from the new tasks that rolls a release back (0–100).'),
  extraAlarmArns: z.array(z.string()).default([]).describe('CloudWatch alarms of the production account and region that also roll a release back.'),
});

export const BackendServiceSchema = z.strictObject({
  name: z.string().default('backend-service'),
  sourceDirectory: z.string().default('examples/backend-service'),
  branch: z.string().default('master'),
  pipelineAccount: z.string().default('cicd'),
  stagingAccount: z.string().default('staging'),
  productionAccount: z.string().default('prod'),
  containerPort: z.number().int().default(8080),
  repository: z.string().optional().describe('The GitHub repository of the service, OWNER/NAME: the only repository whose pushes the delivery role trusts.'),
  testCommand: z.string().default('npm ci && npm test').describe("The service's own test command; no image is built unless it passes."),
  e2eCommand: z.string().optional().describe('Integration/E2E command run against staging with BASE_URL set. @default none (reported as skipped)'),
  dockerfile: z.string().default('Dockerfile').describe('Path of the Dockerfile, relative to the repository.'),
  healthCheckPath: z.string().default('/health').describe('Path the load balancer checks.'),
  cpu: z.number().int().default(256).describe('Fargate CPU units of a task: 256, 512, 1024, 2048, 4096, 8192 or 16384.'),
  memoryMiB: z.number().int().default(512).describe('Memory of a task in MiB, within what Fargate allows for the CPU.'),
  desiredCount: z.number().int().default(2).describe('Tasks running in each environment.'),
  release: ReleaseSchema.default(ReleaseSchema.parse({})).describe("Production releases: blue/green on tags, through ECS's own controller or CodeDeploy."),
});

export const AuthEnvironmentSchema = z.strictObject({
  accessTokenValidity: z.string().default('12h').describe("Lifetime of access tokens: 5m to 24h (Cognito's range). @default 12h"),
  idTokenValidity: z.string().default('12h').describe("Lifetime of ID tokens: 5m to 24h (Cognito's range). @default 12h"),
  refreshTokenValidity: z
    .string()
    .default('30d')
    .describe("How long a session lasts without signing in again: 60m to 3650d (Cognito's range), at least the access token's. @default 30d"),
  refreshTokenRotation: z.boolean().default(true).describe('A new refresh token on every refresh, the old one invalid after a grace period. @default true'),
  invitationDays: z.number().int().default(7).describe('Days the invitation code (temporary password) of a created user is valid: 1 to 365. @default 7'),
  signInCodeValidity: z.string().default('12h').describe('Lifetime of one-time sign-in codes (custom authentication flow): 1m to 7d. @default 12h'),
  signInCodesPerHour: z.number().int().default(5).describe('Sign-in codes one user may request per hour. @default 5'),
  managedLoginSessionMinutes: z.number().int().default(15).describe('Minutes a managed-login sign-in may take (AuthSessionValidity): 3 to 15. @default 15'),
  callbackUrls: z
    .array(z.string())
    .default([])
    .describe('Where the SPA client may receive authorization codes: https URLs, or http://localhost for development.'),
  logoutUrls: z.array(z.string()).default([]).describe('Where the SPA client may return after sign-out.'),
  featurePlan: z.enum(['LITE', 'ESSENTIALS', 'PLUS']).default('ESSENTIALS').describe('Cognito feature plan. @default ESSENTIALS'),
  mfa: z.enum(['OFF', 'OPTIONAL', 'ON']).default('OPTIONAL').describe('Multi-factor authentication with an authenticator app (TOTP). @default OPTIONAL'),
  deletionProtection: z.boolean().optional().describe('Refuse to delete the user pool. @default true for prod, false elsewhere'),
  codeSender: z.string().optional().describe('SES-verified address that e-mails sign-in codes. @default none: codes are returned to an admin caller only'),
});

export const AuthSchema = z.strictObject({
  environments: z
    .record(z.string(), AuthEnvironmentSchema.prefault({}))
    .default({})
    .describe('A Cognito user pool per workload environment (the environment names of organization.accounts), with its settings.'),
});

export const WorkloadsSchema = z.strictObject({
  backendService: BackendServiceSchema.optional().describe('The backend service: its pipelines and where it runs.'),
});

export const DeploySchema = z.strictObject({
  stackSets: z
    .strictObject({
      regionConcurrency: z
        .enum(['SEQUENTIAL', 'PARALLEL'])
        .default('PARALLEL')
        .describe('Deploy the regions of an operation one after another or together. @default PARALLEL'),
      maxConcurrentPercentage: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(100)
        .describe('Share of accounts deployed at the same time, per region (1-100). @default 100'),
      failureTolerancePercentage: z
        .number()
        .int()
        .min(0)
        .max(100)
        .default(0)
        .describe('Share of accounts that may fail before CloudFormation stops the operation in a region (0-100). @default 0'),
    })
    .prefault({})
    .describe('Operation preferences of every StackSet operation deploy starts.'),
});

/** GuardDuty protection plans, by the feature names of GuardDuty's organization configuration (`OrgFeature`). */
export const GUARD_DUTY_PROTECTION_PLANS = [
  'S3_DATA_EVENTS',
  'EKS_AUDIT_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'RUNTIME_MONITORING',
] as const;

/** Security Hub standards Groundwork can enable, by short name (their ARNs: src/config/security-catalog.ts). */
export const SECURITY_HUB_STANDARDS = ['FSBP', 'CIS_1_4', 'CIS_3_0', 'NIST_800_53_5', 'PCI_DSS_3_2_1'] as const;

/** Finding severities, as Security Hub labels them (GuardDuty's are mapped onto these). */
export const FINDING_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

export const ResourceControlPolicySchema = z
  .strictObject({
    name: resourceName.describe('Policy name in AWS Organizations.'),
    description: z.string().max(512).optional(),
    file: z.string().describe('Path to the policy JSON file, relative to this config. `{{organizationId}}` is replaced by the organization ID.'),
    enabled: z.boolean().default(true).describe('Set false to keep the policy declared but not created.'),
    targets: PolicyTargetsSchema,
  })
  .describe('A resource control policy of your own and where it is attached.');

export const SecuritySchema = z
  .strictObject({
    administratorAccount: z
      .string()
      .optional()
      .describe(
        'Member account registered as delegated administrator of the security services (GuardDuty, Security Hub, Access Analyzer, Config). @default the account named "security", if declared; otherwise the management account administers them',
      ),
    rootAccess: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Centralized root access: trusted access for IAM, root credentials management and root sessions, so member accounts need no root password or keys. Free. @default true',
          ),
      })
      .prefault({})
      .describe('Centralized root access for member accounts (IAM).'),
    accessAnalyzer: z
      .strictObject({
        external: z
          .boolean()
          .default(true)
          .describe('The organization external-access analyzer: resources shared outside the organization. Free. @default true'),
        unused: z
          .boolean()
          .default(false)
          .describe('The organization unused-access analyzer: unused roles, keys and permissions. Priced per role and user analyzed. @default false'),
        unusedAccessAgeDays: z.number().int().default(90).describe('Days without use after which access counts as unused (1-365). @default 90'),
      })
      .prefault({})
      .describe('IAM Access Analyzer.'),
    guardDuty: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('GuardDuty in every account and governed region, enabled for new accounts automatically. Priced by the events analyzed. @default true'),
        protectionPlans: z
          .array(z.enum(GUARD_DUTY_PROTECTION_PLANS))
          .default([])
          .describe(
            'Opt-in protection plans, each priced on its own: S3_DATA_EVENTS, EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, LAMBDA_NETWORK_LOGS, RUNTIME_MONITORING. @default none',
          ),
      })
      .prefault({})
      .describe('Amazon GuardDuty threat detection.'),
    securityHub: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Security Hub CSPM with central configuration. Priced per security check. @default true'),
        standards: z
          .array(z.enum(SECURITY_HUB_STANDARDS))
          .default(['FSBP'])
          .describe(
            'Standards enabled in every account: FSBP (AWS Foundational Security Best Practices), CIS_1_4, CIS_3_0, NIST_800_53_5, PCI_DSS_3_2_1. @default [FSBP]',
          ),
      })
      .prefault({})
      .describe('AWS Security Hub CSPM posture checks. Most of its controls read AWS Config recordings.'),
    config: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'AWS Config recording in every account and governed region. Priced per configuration item recorded; often the largest of these costs. @default false',
          ),
        recordingFrequency: z
          .enum(['CONTINUOUS', 'DAILY'])
          .default('CONTINUOUS')
          .describe('Record every change, or once a day (fewer configuration items, lower cost). @default CONTINUOUS'),
      })
      .prefault({})
      .describe('AWS Config recording.'),
    resourceControlPolicies: z
      .strictObject({
        dataPerimeter: z
          .boolean()
          .default(false)
          .describe(
            "Groundwork's data-perimeter RCPs: deny access to the organization's S3, KMS, STS and Secrets Manager from outside the organization. Free. @default false",
          ),
        targets: PolicyTargetsSchema.prefault({ root: true }).describe('Where the data-perimeter RCPs are attached. @default the organization root'),
        trustedAccounts: z
          .array(z.string())
          .default([])
          .describe('Account IDs outside the organization that the data perimeter still lets in (a vendor, a partner), 12 digits each. @default none'),
        policies: z.array(ResourceControlPolicySchema).default([]).describe('Resource control policies of your own.'),
      })
      .prefault({})
      .describe('Resource control policies (RESOURCE_CONTROL_POLICY): a ceiling on what anyone may do to resources in member accounts.'),
    findings: z
      .strictObject({
        minimumSeverity: z
          .enum(FINDING_SEVERITIES)
          .default('HIGH')
          .describe("Findings of this severity or above (GuardDuty, Security Hub, Access Analyzer) are sent to the operators' topic. @default HIGH"),
      })
      .prefault({})
      .describe("Which security findings reach the operators' topic."),
  })
  .describe('The security services of the organization, each with its default; costs: `groundwork cost-estimate`.');

/** The whole groundwork.yaml. */
export const GroundworkConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    organization: OrganizationSchema.prefault({}),
    serviceControlPolicies: z.array(ServiceControlPolicySchema).default([]),
    identityCenter: IdentityCenterSchema.prefault({}),
    notifications: NotificationsSchema.prefault({}),
    audit: AuditSchema.prefault({}),
    cost: CostSchema.prefault({}),
    workloads: WorkloadsSchema.prefault({}),
    auth: AuthSchema.prefault({}),
    deploy: DeploySchema.prefault({}).describe('How `groundwork deploy` rolls the baselines out.'),
    security: SecuritySchema.prefault({}),
  })
  .describe('Groundwork configuration: one file for the whole AWS foundation.');

/** The config as parsed, before computed defaults. */
export type ParsedConfig = z.output<typeof GroundworkConfigSchema>;
