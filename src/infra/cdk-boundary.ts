/**
 * The permissions boundary of the management account's CDK deploy path. The CDK bootstrap puts it on its CloudFormation
 * execution role (AdministratorAccess by default) and every role the management stacks create carries it, so that a
 * stack deployed through the CDK deploy role can create no role without it, remove it from none, and change it not.
 *
 * It is the statements of the CDK bootstrap template's own example boundary (CdkBoostrapPermissionsBoundaryPolicy,
 * created only by a customized bootstrap) under Groundwork's name. It is not the policy `cdk bootstrap
 * --example-permissions-boundary` creates: the toolkit writes that one's CreateRole statement with Effect Allow,
 * which denies nothing, so roles without the boundary could still be created through it.
 */

/** The managed policy's name (IAM is global: one per account, whatever the bootstrap's region). */
export const CDK_BOUNDARY_POLICY = 'groundwork-cdk-permissions-boundary';

/** The boundary's ARN in an account. */
export function cdkBoundaryArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${CDK_BOUNDARY_POLICY}`;
}

/** The boundary's policy document in an account (the ARN in it names the policy itself). */
export function cdkBoundaryDocument(partition: string, accountId: string) {
  const arn = cdkBoundaryArn(partition, accountId);
  return {
    Version: '2012-10-17',
    Statement: [
      // A boundary allows nothing that it does not allow explicitly; what a role may do is its own policies within it.
      { Sid: 'ExplicitAllowAll', Action: ['*'], Effect: 'Allow', Resource: '*' },
      {
        Sid: 'DenyAccessIfRequiredPermBoundaryIsNotBeingApplied',
        Action: ['iam:CreateUser', 'iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'],
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': arn } },
        Effect: 'Deny',
        Resource: '*',
      },
      {
        Sid: 'DenyPermBoundaryIAMPolicyAlteration',
        Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        Effect: 'Deny',
        Resource: arn,
      },
      {
        Sid: 'DenyRemovalOfPermBoundaryFromAnyUserOrRole',
        Action: ['iam:DeleteUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'],
        Effect: 'Deny',
        Resource: '*',
      },
    ],
  } as const;
}
