/** AWS limits that the config rules check before any call is made. */
export const AWS_LIMITS = {
  accountNameMaxLength: 50,
  scpMaxCharacters: 5120,
  /** SCPs per root, OU or account, FullAWSAccess included. */
  scpsPerTarget: 5,
  permissionSetNameMaxLength: 32,
  sessionDurationHours: { min: 1, max: 12 },
  ouNameMaxLength: 128,
  ouNestingDepth: 5,
} as const;

/** Commercial, GovCloud and China regions (the partitions Groundwork supports). */
export const AWS_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
];

/** The ECS deployment configurations CodeDeploy predefines. */
export const ECS_DEPLOYMENT_CONFIGS = [
  'CodeDeployDefault.ECSCanary10Percent5Minutes',
  'CodeDeployDefault.ECSCanary10Percent15Minutes',
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
  'CodeDeployDefault.ECSAllAtOnce',
] as const;

/**
 * The same traffic shift made by ECS's own deployment controller, for each predefined CodeDeploy configuration: ECS's
 * CANARY and LINEAR strategies take the percentage and the minutes between steps that CodeDeploy's names carry, and
 * all-at-once is ECS's BLUE_GREEN. (ECS allows a canary of 0.1–100 %, linear steps of 3–100 %, 0–1440 minutes.)
 */
export const ECS_SHIFTS: Readonly<
  Record<(typeof ECS_DEPLOYMENT_CONFIGS)[number], { strategy: 'CANARY' | 'LINEAR' | 'BLUE_GREEN'; percent: number; stepMinutes: number }>
> = {
  'CodeDeployDefault.ECSCanary10Percent5Minutes': { strategy: 'CANARY', percent: 10, stepMinutes: 5 },
  'CodeDeployDefault.ECSCanary10Percent15Minutes': { strategy: 'CANARY', percent: 10, stepMinutes: 15 },
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': { strategy: 'LINEAR', percent: 10, stepMinutes: 1 },
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': { strategy: 'LINEAR', percent: 10, stepMinutes: 3 },
  'CodeDeployDefault.ECSAllAtOnce': { strategy: 'BLUE_GREEN', percent: 100, stepMinutes: 0 },
};

/** Longest bake ECS's own blue/green allows (`bakeTimeInMinutes`); Groundwork holds CodeDeploy (which allows 2880) to it too. */
export const ECS_MAX_BAKE_MINUTES = 1440;
