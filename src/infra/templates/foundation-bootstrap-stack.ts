import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_PROVIDER } from '../../delivery/oidc.js';
import { CDK_BOUNDARY_POLICY } from '../cdk-boundary.js';
import { PEOPLE_ROLES, peopleRoles } from './foundation-people-roles.js';
import { optionalGitHubOidcProvider } from './github-oidc-provider.js';

/** The role names the GitOps workflows assume (their ARNs go into the infrastructure repository's caller workflow). */
export const FOUNDATION_ROLES = { plan: 'groundwork-foundation-plan', deploy: 'groundwork-foundation-deploy', ...PEOPLE_ROLES } as const;

/**
 * The management account's side of running the foundation from GitHub, deployed once by hand
 * (`aws cloudformation deploy`): GitHub's OIDC provider (optional) and three roles for one infrastructure repository,
 * each with an exact subject (StringEquals, no wildcard):
 * - plan: pull requests (`repo:OWNER/REPO:pull_request`) and default-branch runs (the plan in a vending pull request's
 *   body); reads only, and may assume no role at all;
 * - deploy: the `foundation` environment (`repo:OWNER/REPO:environment:foundation`) of a run of the default branch
 *   (the `ref` claim), so the environment's required reviewers gate every apply;
 * - sync: pushes and scheduled runs of the default branch (`repo:OWNER/REPO:ref:refs/heads/BRANCH`); creates users
 *   and changes memberships of the groups in SyncGroupArns only (no administrator group, no user update);
 * - people-admin: the people-admin environment (ApplyEnvironment unless PeopleAdminEnvironment) of a default-branch run;
 *   every membership and user update, so that privileged people changes pass the environment's reviewers
 *   (foundation-people-roles.ts).
 */
export class FoundationBootstrapStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const owner = new CfnParameter(this, 'GitHubOwner', {
      type: 'String',
      description: 'GitHub organization or user that owns the infrastructure repository.',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,38}$',
    });
    const repository = new CfnParameter(this, 'InfraRepository', {
      type: 'String',
      description: 'Name of the infrastructure repository holding groundwork.yaml (without the owner).',
      allowedPattern: '^[A-Za-z0-9._-]{1,100}$',
    });
    const branch = new CfnParameter(this, 'DefaultBranch', {
      type: 'String',
      default: 'main',
      description: 'The default branch: merges to it apply, pushes to it sync people.',
      allowedPattern: '^[A-Za-z0-9._/-]{1,200}$',
    });
    const environment = new CfnParameter(this, 'ApplyEnvironment', {
      type: 'String',
      default: 'foundation',
      description: "The infrastructure repository's GitHub environment of the apply job; give it required reviewers.",
      allowedPattern: '^[A-Za-z0-9._-]{1,255}$',
    });
    const createProvider = new CfnParameter(this, 'CreateOidcProvider', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'false when this account already has an IAM OIDC provider for token.actions.githubusercontent.com.',
    });
    const ownerId = new CfnParameter(this, 'GitHubOwnerId', {
      type: 'String',
      default: '',
      description:
        "The owner's numeric ID, for GitHub's immutable subject form (repo:OWNER@ID/REPO@ID:...), the default of repositories created since June 2026; empty for the classic form.",
      allowedPattern: '^[0-9]*$',
    });
    const repositoryId = new CfnParameter(this, 'InfraRepositoryId', {
      type: 'String',
      default: '',
      description: "The infrastructure repository's numeric ID, for the immutable subject form; empty for the classic form.",
      allowedPattern: '^[0-9]*$',
    });
    const homeRegion = new CfnParameter(this, 'HomeRegion', {
      type: 'String',
      default: '',
      description: "The organization's home region, where groundwork deploy bootstraps the CDK (its role names end in it); empty for this stack's region.",
      allowedPattern: '^([a-z]{2}(-[a-z]+)+-[0-9])?$',
    });

    const { providerArn } = optionalGitHubOidcProvider(this, createProvider);
    const immutable = new CfnCondition(this, 'ImmutableSubject', {
      expression: Fn.conditionAnd(
        Fn.conditionNot(Fn.conditionEquals(ownerId.valueAsString, '')),
        Fn.conditionNot(Fn.conditionEquals(repositoryId.valueAsString, '')),
      ),
    });
    // Every subject is built as repo:${Owner}/${Repo}:...; with the numeric IDs, Owner and Repo carry them
    // (OWNER@ID, REPO@ID), so each role, whoever writes it, trusts the immutable form only.
    const repo = {
      Owner: Token.asString(
        Fn.conditionIf(immutable.logicalId, Fn.sub('${Owner}@${Id}', { Owner: owner.valueAsString, Id: ownerId.valueAsString }), owner.valueAsString),
      ),
      Repo: Token.asString(
        Fn.conditionIf(
          immutable.logicalId,
          Fn.sub('${Repo}@${Id}', { Repo: repository.valueAsString, Id: repositoryId.valueAsString }),
          repository.valueAsString,
        ),
      ),
    };
    /** One trust statement for GitHub's OIDC tokens: exact claims (StringEquals), and patterns (StringLike) when given. */
    const webIdentity = (conditions: Record<string, unknown>, like?: Record<string, unknown>) => ({
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${GITHUB_OIDC_PROVIDER}:aud`]: 'sts.amazonaws.com', ...conditions }, ...(like ? { StringLike: like } : {}) },
    });
    const trust = (conditions: Record<string, unknown>, like?: Record<string, unknown>) => ({
      Version: '2012-10-17',
      Statement: [webIdentity(conditions, like)],
    });
    const defaultRef = Fn.sub('refs/heads/${Branch}', { Branch: branch.valueAsString });
    const noRoleChaining = {
      Sid: 'AssumeNoRole',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Resource: '*',
    };

    const plan = new iam.CfnRole(this, 'PlanRole', {
      roleName: FOUNDATION_ROLES.plan,
      description: 'Groundwork plan: pull requests of the infrastructure repository read the organization to show what a change would do',
      maxSessionDuration: 3600,
      // A pull request's run carries its merge ref; a pull_request_target run carries the same subject with the base
      // branch's ref and runs with the base repository's rights for a fork's pull request, so it is not admitted.
      // Pull requests from forks get no token at all (GitHub grants them no id-token: write).
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          webIdentity(
            { [`${GITHUB_OIDC_PROVIDER}:sub`]: Fn.sub('repo:${Owner}/${Repo}:pull_request', repo) },
            { [`${GITHUB_OIDC_PROVIDER}:ref`]: 'refs/pull/*/merge' },
          ),
          webIdentity({
            [`${GITHUB_OIDC_PROVIDER}:sub`]: Fn.sub('repo:${Owner}/${Repo}:ref:refs/heads/${Branch}', { ...repo, Branch: branch.valueAsString }),
            [`${GITHUB_OIDC_PROVIDER}:ref`]: defaultRef,
          }),
        ],
      },
      policies: [
        {
          policyName: 'read-the-foundation',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ReadTheFoundation',
                Effect: 'Allow',
                Action: [
                  'organizations:Describe*',
                  'organizations:List*',
                  'sso:Describe*',
                  'sso:List*',
                  'sso:GetInlinePolicyForPermissionSet',
                  'sso:GetPermissionsBoundaryForPermissionSet',
                  'identitystore:Describe*',
                  'identitystore:List*',
                  'identitystore:GetGroupId',
                  'identitystore:GetUserId',
                  'cloudformation:Describe*',
                  'cloudformation:List*',
                  'cloudformation:GetTemplate',
                  'cloudformation:GetTemplateSummary',
                  'ec2:DescribeRegions',
                  'servicequotas:ListServiceQuotas',
                  'ce:GetCostAndUsage',
                  'sts:GetCallerIdentity',
                  // The management account's own baseline settings (members' are not read: no role may be assumed).
                  'iam:GetAccountPasswordPolicy',
                  's3:GetAccountPublicAccessBlock',
                  'ec2:GetEbsEncryptionByDefault',
                ],
                Resource: '*',
              },
              noRoleChaining,
            ],
          },
        },
      ],
    });
    Validations.of(plan).acknowledge({
      id: 'AwsSolutions-IAM5[Action::organizations:Describe*]',
      reason: 'read-only Describe/List actions over the whole organization are what a plan reads; the role may write nothing and assume no role',
    });
    for (const wildcard of [
      'organizations:List*',
      'sso:Describe*',
      'sso:List*',
      'identitystore:Describe*',
      'identitystore:List*',
      'cloudformation:Describe*',
      'cloudformation:List*',
    ]) {
      Validations.of(plan).acknowledge({
        id: `AwsSolutions-IAM5[Action::${wildcard}]`,
        reason: 'read-only family of actions a plan needs; no write action is allowed',
      });
    }
    Validations.of(plan).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'these read actions are organization-wide or support no resource-level permissions; the statement allows reads only',
    });

    // The CDK bootstrap's roles by their exact names (the bootstrap template names them so): the deploy role may create
    // and maintain these and assume the four a CDK deploy assumes, and no other: a role it could name freely
    // (cdk-hnb659fds-anything) could be made an administrator trusting another account and outlive the job.
    const bootstrapRegion = Token.asString(
      Fn.conditionIf(
        new CfnCondition(this, 'HomeRegionGiven', { expression: Fn.conditionNot(Fn.conditionEquals(homeRegion.valueAsString, '')) }).logicalId,
        homeRegion.valueAsString,
        Aws.REGION,
      ),
    );
    const cdkRole = (kind: string) =>
      Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-${kind}-role-\${AWS::AccountId}-\${Region}`, { Region: bootstrapRegion });
    const boundaryArn = Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${CDK_BOUNDARY_POLICY}`);
    const deploy = new iam.CfnRole(this, 'DeployRole', {
      roleName: FOUNDATION_ROLES.deploy,
      description: 'Groundwork deploy: a merge to the default branch, approved in the apply environment, deploys the foundation',
      maxSessionDuration: 3600 * 4,
      assumeRolePolicyDocument: trust({
        [`${GITHUB_OIDC_PROVIDER}:sub`]: Fn.sub('repo:${Owner}/${Repo}:environment:${Env}', { ...repo, Env: environment.valueAsString }),
        [`${GITHUB_OIDC_PROVIDER}:ref`]: defaultRef,
      }),
      policies: [
        {
          policyName: 'deploy-the-foundation',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OrganizationIdentityAndStackSets',
                Effect: 'Allow',
                Action: [
                  'organizations:*',
                  'sso:*',
                  'identitystore:*',
                  'cloudformation:*',
                  'ec2:DescribeRegions',
                  'servicequotas:ListServiceQuotas',
                  'ce:GetCostAndUsage',
                ],
                Resource: '*',
              },
              {
                Sid: 'IntoMemberAccountsAndTheCdkRoles',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: [
                  Fn.sub('arn:${AWS::Partition}:iam::*:role/OrganizationAccountAccessRole'),
                  // The cfn-exec role is CloudFormation's, passed by the CDK deploy role: nothing here assumes it.
                  ...['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(cdkRole),
                ],
              },
              {
                Sid: 'TheCdkBootstrapRoles',
                Effect: 'Allow',
                // What CloudFormation calls to create, update and delete the bootstrap stack's roles; no PassRole, and
                // no DeleteRolePermissionsBoundary. The execution role is created only within the boundary (below).
                Action: [
                  'iam:CreateRole',
                  'iam:DeleteRole',
                  'iam:GetRole',
                  'iam:UpdateRole',
                  'iam:UpdateRoleDescription',
                  'iam:UpdateAssumeRolePolicy',
                  'iam:TagRole',
                  'iam:UntagRole',
                  'iam:ListRoleTags',
                  'iam:PutRolePolicy',
                  'iam:GetRolePolicy',
                  'iam:DeleteRolePolicy',
                  'iam:ListRolePolicies',
                  'iam:AttachRolePolicy',
                  'iam:DetachRolePolicy',
                  'iam:ListAttachedRolePolicies',
                ],
                Resource: ['cfn-exec', 'deploy', 'file-publishing', 'image-publishing', 'lookup'].map(cdkRole),
              },
              {
                Sid: 'TheCdkExecutionRoleOnlyWithinTheBoundary',
                // The execution role deploys every management stack (AdministratorAccess by default): it is created, or
                // given a boundary, only with Groundwork's, so that it can create no role above it.
                Effect: 'Deny',
                Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
                Resource: cdkRole('cfn-exec'),
                Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
              },
              {
                Sid: 'TheCdkExecutionRoleBoundary',
                Effect: 'Allow',
                Action: 'iam:PutRolePermissionsBoundary',
                Resource: cdkRole('cfn-exec'),
                Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
              },
              {
                Sid: 'TheCdkBoundaryCreatedNotChanged',
                // groundwork deploy creates the boundary before the bootstrap; changing it is an administrator's.
                Effect: 'Allow',
                Action: ['iam:CreatePolicy', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
                Resource: boundaryArn,
              },
              {
                Sid: 'KeepTheCdkBoundary',
                Effect: 'Deny',
                Action: [
                  'iam:CreatePolicyVersion',
                  'iam:SetDefaultPolicyVersion',
                  'iam:DeletePolicyVersion',
                  'iam:DeletePolicy',
                  'iam:DeleteRolePermissionsBoundary',
                  'iam:DeleteUserPermissionsBoundary',
                ],
                Resource: '*',
              },
              {
                Sid: 'TheCdkBootstrap',
                Effect: 'Allow',
                Action: ['s3:*', 'ecr:*', 'ssm:*'],
                Resource: [
                  Fn.sub('arn:${AWS::Partition}:s3:::cdk-hnb659fds-*'),
                  Fn.sub('arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/cdk-hnb659fds-*'),
                  Fn.sub('arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/cdk-bootstrap/*'),
                ],
              },
              {
                Sid: 'TheAccountBaselineAndTrustedAccess',
                Effect: 'Allow',
                Action: [
                  'iam:CreateServiceLinkedRole',
                  'iam:GetAccountPasswordPolicy',
                  'iam:UpdateAccountPasswordPolicy',
                  's3:GetAccountPublicAccessBlock',
                  's3:PutAccountPublicAccessBlock',
                  'ec2:GetEbsEncryptionByDefault',
                  'ec2:EnableEbsEncryptionByDefault',
                  'ecr:GetAuthorizationToken',
                ],
                Resource: '*',
              },
            ],
          },
        },
      ],
    });
    for (const id of [
      'AwsSolutions-IAM5[Action::organizations:*]',
      'AwsSolutions-IAM5[Action::sso:*]',
      'AwsSolutions-IAM5[Action::identitystore:*]',
      'AwsSolutions-IAM5[Action::cloudformation:*]',
      'AwsSolutions-IAM5[Resource::*]',
    ]) {
      Validations.of(deploy).acknowledge({
        id,
        reason:
          'deploy manages the organization graph, Identity Center and the StackSets themselves, which are organization-wide; resources inside accounts are created by CloudFormation (StackSets and the CDK bootstrap roles), and the role is gated by the apply environment’s reviewers',
      });
    }
    for (const id of [
      'AwsSolutions-IAM5[Action::s3:*]',
      'AwsSolutions-IAM5[Action::ecr:*]',
      'AwsSolutions-IAM5[Action::ssm:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/OrganizationAccountAccessRole]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:*:<AWS::AccountId>:repository/cdk-hnb659fds-*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/cdk-bootstrap/*]',
    ]) {
      Validations.of(deploy).acknowledge({
        id,
        reason:
          "limited to the CDK bootstrap's own bucket, repository and version parameter (cdk-hnb659fds-*, none of them a principal) and the member accounts' access role, which the plan/apply engine uses for each account's baseline; IAM writes and AssumeRole name the bootstrap's roles exactly",
      });
    }

    const { sync, peopleAdmin } = peopleRoles(this, {
      trust,
      defaultBranchSubject: Fn.sub('repo:${Owner}/${Repo}:ref:refs/heads/${Branch}', { ...repo, Branch: branch.valueAsString }),
      defaultRef,
      environmentSubject: (env) => Fn.sub('repo:${Owner}/${Repo}:environment:${Env}', { ...repo, Env: env }),
      applyEnvironment: environment.valueAsString,
      noRoleChaining,
    });

    new CfnOutput(this, 'PlanRoleArn', { value: plan.attrArn, description: 'plan-role for the infrastructure repository caller workflow' });
    new CfnOutput(this, 'DeployRoleArn', { value: deploy.attrArn, description: 'deploy-role for the infrastructure repository caller workflow' });
    new CfnOutput(this, 'SyncRoleArn', { value: sync.attrArn, description: 'sync-role for the infrastructure repository caller workflow' });
    new CfnOutput(this, 'PeopleAdminRoleArn', {
      value: peopleAdmin.attrArn,
      description: 'people-admin-role for the infrastructure repository caller workflow (privileged people changes, behind the environment)',
    });
  }
}
