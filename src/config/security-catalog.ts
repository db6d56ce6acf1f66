import type { ParsedConfig } from './schema.js';

type SecurityHubStandard = ParsedConfig['security']['securityHub']['standards'][number];

/**
 * Each Security Hub standard's ARN in a region. FSBP, CIS 1.4/3.0, NIST and PCI are regional `standards/` ARNs; the
 * names are Security Hub's own (DescribeStandards).
 */
export function securityHubStandardArn(standard: SecurityHubStandard, region: string, partition = 'aws'): string {
  const path: Record<SecurityHubStandard, string> = {
    FSBP: 'aws-foundational-security-best-practices/v/1.0.0',
    CIS_1_4: 'cis-aws-foundations-benchmark/v/1.4.0',
    CIS_3_0: 'cis-aws-foundations-benchmark/v/3.0.0',
    NIST_800_53_5: 'nist-800-53/v/5.0.0',
    PCI_DSS_3_2_1: 'pci-dss/v/3.2.1',
  };
  return `arn:${partition}:securityhub:${region}::standards/${path[standard]}`;
}

/** The service principals of the security services, as Organizations names them (trusted access, delegated administration). */
export const SECURITY_SERVICE_PRINCIPALS = {
  iam: 'iam.amazonaws.com',
  accessAnalyzer: 'access-analyzer.amazonaws.com',
  guardDuty: 'guardduty.amazonaws.com',
  securityHub: 'securityhub.amazonaws.com',
  config: 'config.amazonaws.com',
} as const;

/** Name of Groundwork's data-perimeter resource control policy. */
export const DATA_PERIMETER_POLICY = 'groundwork-data-perimeter';

/** Placeholder for the organization ID in RCP documents; replaced at plan time, once the organization is read. */
export const ORGANIZATION_ID_PLACEHOLDER = '{{organizationId}}';

/** The longest organization ID AWS issues (o- and 10 to 32 characters): what the size check measures with. */
export const LONGEST_ORGANIZATION_ID = `o-${'x'.repeat(32)}`;

/**
 * The data-perimeter RCP, after AWS's data perimeter examples (aws-samples/data-perimeter-policy-examples,
 * identity_perimeter_rcp.json): S3, KMS, Secrets Manager and STS resources of the organization refuse principals from
 * outside it, and AWS services acting for someone outside it (confused deputy). The exceptions are AWS's: AWS service
 * principals (checked on their own, by source organization), resources tagged `dp:exclude:identity=true`, and the
 * trusted accounts named in the config. `sts:AssumeRoleWithWebIdentity` and `sts:AssumeRoleWithSAML` are not in the
 * identity statement: federated principals (GitHub's OIDC tokens) belong to no organization.
 */
export function dataPerimeterPolicy(trustedAccounts: readonly string[]): Record<string, unknown> {
  const trusted = trustedAccounts.length > 0 ? { 'aws:PrincipalAccount': [...trustedAccounts] } : {};
  const trustedSources = trustedAccounts.length > 0 ? { 'aws:SourceAccount': [...trustedAccounts] } : {};
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnforceOrgIdentities',
        Effect: 'Deny',
        Principal: '*',
        Action: [
          's3:*',
          'kms:*',
          'secretsmanager:*',
          'sts:AssumeRole',
          'sts:DecodeAuthorizationMessage',
          'sts:GetAccessKeyInfo',
          'sts:GetFederationToken',
          'sts:GetServiceBearerToken',
          'sts:GetSessionToken',
          'sts:SetContext',
        ],
        Resource: '*',
        Condition: {
          StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORGANIZATION_ID_PLACEHOLDER, ...trusted, 'aws:ResourceTag/dp:exclude:identity': 'true' },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
      {
        Sid: 'EnforceConfusedDeputyProtection',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*', 'kms:*', 'secretsmanager:*', 'sts:*'],
        Resource: '*',
        Condition: {
          StringNotEqualsIfExists: { 'aws:SourceOrgID': ORGANIZATION_ID_PLACEHOLDER, ...trustedSources, 'aws:ResourceTag/dp:exclude:identity': 'true' },
          Null: { 'aws:SourceAccount': 'false' },
          Bool: { 'aws:PrincipalIsAWSService': 'true' },
        },
      },
    ],
  };
}
