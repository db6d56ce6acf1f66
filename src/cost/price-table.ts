/**
 * The fixed monthly prices `groundwork cost-estimate` adds up: on-demand, us-east-1, in USD, as published on the date
 * given. A month is 730 hours. Usage that has no fixed price is estimated at a stated volume, named with the price.
 */
export interface Price {
  /** What is priced: a CloudFormation resource type, or a service use that is not a resource (Cost Explorer requests). */
  readonly item: string;
  readonly usd: number;
  readonly unit: string;
  /** When the price was read, and where. */
  readonly date: string;
  readonly source: string;
}

export const HOURS_PER_MONTH = 730;

/** Read on this date from the AWS pricing pages named. */
const READ = '2026-11-26';

export const PRICES = {
  kmsKey: { item: 'AWS::KMS::Key', usd: 1, unit: 'per key per month', date: READ, source: 'https://aws.amazon.com/kms/pricing/' },
  albHour: {
    item: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    usd: 0.0225,
    unit: 'per ALB-hour',
    date: READ,
    source: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  },
  albLcuHour: { item: 'ALB LCU', usd: 0.008, unit: 'per LCU-hour', date: READ, source: 'https://aws.amazon.com/elasticloadbalancing/pricing/' },
  fargateVcpuHour: {
    item: 'AWS::ECS::Service (Fargate vCPU)',
    usd: 0.04048,
    unit: 'per vCPU-hour',
    date: READ,
    source: 'https://aws.amazon.com/fargate/pricing/',
  },
  fargateGbHour: {
    item: 'AWS::ECS::Service (Fargate memory)',
    usd: 0.004445,
    unit: 'per GB-hour',
    date: READ,
    source: 'https://aws.amazon.com/fargate/pricing/',
  },
  publicIpv4Hour: { item: 'public IPv4 address', usd: 0.005, unit: 'per address-hour', date: READ, source: 'https://aws.amazon.com/vpc/pricing/' },
  natGatewayHour: { item: 'AWS::EC2::NatGateway', usd: 0.045, unit: 'per NAT gateway-hour', date: READ, source: 'https://aws.amazon.com/vpc/pricing/' },
  interfaceEndpointHour: {
    item: 'AWS::EC2::VPCEndpoint (Interface)',
    usd: 0.01,
    unit: 'per endpoint per AZ-hour',
    date: READ,
    source: 'https://aws.amazon.com/privatelink/pricing/',
  },
  logsIngestionGb: { item: 'AWS::Logs::LogGroup', usd: 0.5, unit: 'per GB ingested', date: READ, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
  cloudTrailManagementEvents: {
    item: 'AWS::CloudTrail::Trail',
    usd: 0,
    unit: 'first copy of management events (data events, off by default, are $0.10 per 100,000)',
    date: READ,
    source: 'https://aws.amazon.com/cloudtrail/pricing/',
  },
  s3GbMonth: { item: 'AWS::S3::Bucket', usd: 0.023, unit: 'per GB-month (S3 Standard)', date: READ, source: 'https://aws.amazon.com/s3/pricing/' },
  ecrGbMonth: { item: 'AWS::ECR::Repository', usd: 0.1, unit: 'per GB-month of images', date: READ, source: 'https://aws.amazon.com/ecr/pricing/' },
  cognitoMau: {
    item: 'AWS::Cognito::UserPool',
    usd: 0.015,
    unit: 'per monthly active user past the first 10,000 (Essentials)',
    date: READ,
    source: 'https://aws.amazon.com/cognito/pricing/',
  },
  budgetDay: {
    item: 'AWS::Budgets::Budget',
    usd: 0.02,
    unit: 'per budget-day past the first 2 budgets of the payer account',
    date: READ,
    source: 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
  },
  budgetActionDay: {
    item: 'AWS::Budgets::BudgetsAction',
    usd: 0.1,
    unit: 'per action-enabled budget-day past the first 2',
    date: READ,
    source: 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
  },
  costExplorerRequest: {
    item: 'Cost Explorer API request',
    usd: 0.01,
    unit: 'per request',
    date: READ,
    source: 'https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/',
  },
  alarm: {
    item: 'AWS::CloudWatch::Alarm',
    usd: 0.1,
    unit: 'per standard-resolution alarm-month',
    date: READ,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  compositeAlarm: {
    item: 'AWS::CloudWatch::CompositeAlarm',
    usd: 0.5,
    unit: 'per composite alarm-month',
    date: READ,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  guardDutyManagementEvents: {
    item: 'GuardDuty: CloudTrail management events analyzed',
    usd: 4,
    unit: 'per million events (first 500 million a month)',
    date: READ,
    source: 'https://aws.amazon.com/guardduty/pricing/',
  },
  guardDutyFlowDnsGb: {
    item: 'GuardDuty: VPC flow logs and DNS query logs analyzed',
    usd: 1,
    unit: 'per GB (first 500 GB a month)',
    date: READ,
    source: 'https://aws.amazon.com/guardduty/pricing/',
  },
  securityHubCheck: {
    item: 'Security Hub CSPM: security checks',
    usd: 0.001,
    unit: 'per check (first 100,000 per account and region a month); findings of its own checks ingested free',
    date: READ,
    source: 'https://aws.amazon.com/security-hub/pricing/',
  },
  configItemContinuous: {
    item: 'AWS Config: configuration items recorded (continuous)',
    usd: 0.003,
    unit: "per configuration item; the evaluations of Security Hub's service-linked rules are not charged by Config",
    date: READ,
    source: 'https://aws.amazon.com/config/pricing/',
  },
  configItemDaily: {
    item: 'AWS Config: configuration items recorded (daily, periodic recording)',
    usd: 0.012,
    unit: 'per configuration item',
    date: READ,
    source: 'https://aws.amazon.com/config/pricing/',
  },
} as const satisfies Record<string, Price>;

/** The volumes the estimate assumes where the price is per use; each is printed with the estimate. */
export const ASSUMPTIONS = {
  logGbPerGroup: { value: 0.2, text: '0.2 GB ingested per log group per month' },
  s3GbPerBucket: { value: 1, text: '1 GB stored per bucket' },
  ecrGbPerRepository: { value: 2, text: '2 GB of images per repository' },
  albLcu: { value: 0.1, text: '0.1 LCU on average per load balancer (light traffic)' },
  cognitoMau: { value: 1000, text: '1,000 monthly active users per user pool (inside the free 10,000)' },
  costExplorerRequests: { value: 100, text: '100 Cost Explorer requests a month (the console and `groundwork costs`)' },
} as const;
