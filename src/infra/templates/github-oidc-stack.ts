import { CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_PROVIDER } from '../../delivery/oidc.js';
import { optionalGitHubOidcProvider } from './github-oidc-provider.js';

/**
 * The cicd account's GitHub OIDC side, as a generic StackSet-ready template: the identity provider (optional: an account
 * holds one per URL) and the delivery role that a push to one branch of one repository may assume. Its trust requires
 * `aud = sts.amazonaws.com` and the exact `sub` (StringEquals, no wildcard), optionally in GitHub's immutable subject
 * form and pinned to this library's reusable workflow. It may push to one ECR repository and assume the deploy role of
 * the staging account, nothing else.
 */
export class GitHubOidcStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const owner = new CfnParameter(this, 'GitHubOwner', {
      type: 'String',
      description: 'GitHub organization or user that owns the backend repository.',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,38}$',
    });
    const repository = new CfnParameter(this, 'GitHubRepository', {
      type: 'String',
      description: 'Name of the backend repository (without the owner).',
      allowedPattern: '^[A-Za-z0-9._-]{1,100}$',
    });
    const branch = new CfnParameter(this, 'Branch', {
      type: 'String',
      default: 'master',
      description: 'The only branch whose pushes may deliver.',
      allowedPattern: '^[A-Za-z0-9._/-]{1,200}$',
    });
    const ownerId = new CfnParameter(this, 'GitHubOwnerId', {
      type: 'String',
      default: '',
      description: "The owner's numeric ID, for GitHub's immutable subject form (repo:OWNER@ID/REPO@ID:...); empty for the classic form.",
      allowedPattern: '^[0-9]*$',
    });
    const repositoryId = new CfnParameter(this, 'GitHubRepositoryId', {
      type: 'String',
      default: '',
      description: "The repository's numeric ID, for the immutable subject form; empty for the classic form.",
      allowedPattern: '^[0-9]*$',
    });
    const workflowRef = new CfnParameter(this, 'WorkflowRef', {
      type: 'String',
      default: '',
      description:
        'Optional: the job_workflow_ref the token must carry, such as OWNER/groundwork/.github/workflows/backend-staging.yml@refs/tags/v1; empty to not pin it.',
    });
    const createProvider = new CfnParameter(this, 'CreateOidcProvider', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'false when the account already has an IAM OIDC provider for token.actions.githubusercontent.com (one per URL per account).',
    });
    const ecrRepository = new CfnParameter(this, 'EcrRepositoryName', {
      type: 'String',
      default: 'backend-service',
      description: 'The ECR repository (in this account and region) the delivery role may push to.',
      allowedPattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$',
    });
    const deployAccount = new CfnParameter(this, 'StagingAccountId', {
      type: 'String',
      description: 'Account ID of the staging environment, whose deploy role the delivery role may assume.',
      allowedPattern: '^[0-9]{12}$',
    });
    const deployRoleName = new CfnParameter(this, 'DeployRoleName', {
      type: 'String',
      default: 'groundwork-deploy',
      description: 'Name of the deploy role in those accounts.',
    });
    const productionAccount = new CfnParameter(this, 'ProductionAccountId', {
      type: 'String',
      default: '',
      description: 'Account ID of production; when set, a release role is created that tags matching ReleaseTagPattern may assume.',
      allowedPattern: '^([0-9]{12})?$',
    });
    const tagPattern = new CfnParameter(this, 'ReleaseTagPattern', {
      type: 'String',
      default: 'v*',
      description: 'Tags that release to production (the part after refs/tags/; * and ? allowed, the repository part stays exact).',
      allowedPattern: '^[A-Za-z0-9._*?/-]{1,100}$',
    });
    const releaseRoleName = new CfnParameter(this, 'ReleaseRoleName', {
      type: 'String',
      default: 'groundwork-release',
      description: 'Name of the release role.',
    });
    const stagingEnvironment = new CfnParameter(this, 'StagingEnvironment', {
      type: 'String',
      default: 'staging',
      description:
        "The backend repository's GitHub environment of the staging deploy job (its tokens' sub names the environment, not the branch); empty if the job has none.",
      allowedPattern: '^[A-Za-z0-9._-]{0,255}$',
    });
    const releaseEnvironment = new CfnParameter(this, 'ReleaseEnvironment', {
      type: 'String',
      default: 'production',
      description: "The backend repository's GitHub environment of the release job, whose required reviewers gate releases.",
      allowedPattern: '^[A-Za-z0-9._-]{1,255}$',
    });
    const roleName = new CfnParameter(this, 'DeliveryRoleName', { type: 'String', default: 'groundwork-delivery', description: 'Name of the delivery role.' });

    const { create, providerArn, ref: providerRef } = optionalGitHubOidcProvider(this, createProvider);
    const immutable = new CfnCondition(this, 'ImmutableSubject', {
      expression: Fn.conditionAnd(
        Fn.conditionNot(Fn.conditionEquals(ownerId.valueAsString, '')),
        Fn.conditionNot(Fn.conditionEquals(repositoryId.valueAsString, '')),
      ),
    });
    const release = new CfnCondition(this, 'Release', { expression: Fn.conditionNot(Fn.conditionEquals(productionAccount.valueAsString, '')) });
    const pinWorkflow = new CfnCondition(this, 'PinWorkflow', { expression: Fn.conditionNot(Fn.conditionEquals(workflowRef.valueAsString, '')) });
    const stagingJobEnvironment = new CfnCondition(this, 'StagingJobEnvironment', {
      expression: Fn.conditionNot(Fn.conditionEquals(stagingEnvironment.valueAsString, '')),
    });

    /**
     * The token subject of the repository, in the classic or the immutable form, followed by `:ref:REF` for a job without
     * an environment or `:environment:NAME` for a job with one (GitHub names one or the other in `sub`, never both).
     */
    const subjectFor = (rest: string, value: string) =>
      Fn.conditionIf(
        immutable.logicalId,
        Fn.sub(`repo:\${Owner}@\${OwnerId}/\${Repo}@\${RepoId}:${rest}`, {
          Owner: owner.valueAsString,
          OwnerId: ownerId.valueAsString,
          Repo: repository.valueAsString,
          RepoId: repositoryId.valueAsString,
          Value: value,
        }),
        Fn.sub(`repo:\${Owner}/\${Repo}:${rest}`, { Owner: owner.valueAsString, Repo: repository.valueAsString, Value: value }),
      );
    const branchSubject = subjectFor('ref:refs/heads/${Value}', branch.valueAsString);
    // The image job has no environment (sub names the branch); the staging deploy job runs in one (sub names it). Both
    // must also carry the branch in the ref claim, which STS checks as a condition key of its own.
    const base = {
      [`${GITHUB_OIDC_PROVIDER}:aud`]: 'sts.amazonaws.com',
      [`${GITHUB_OIDC_PROVIDER}:sub`]: Fn.conditionIf(
        stagingJobEnvironment.logicalId,
        [branchSubject, subjectFor('environment:${Value}', stagingEnvironment.valueAsString)],
        [branchSubject],
      ),
      [`${GITHUB_OIDC_PROVIDER}:ref`]: Fn.sub('refs/heads/${Branch}', { Branch: branch.valueAsString }),
    };
    const trustConditions = Fn.conditionIf(
      pinWorkflow.logicalId,
      { StringEquals: { ...base, [`${GITHUB_OIDC_PROVIDER}:job_workflow_ref`]: workflowRef.valueAsString } },
      { StringEquals: base },
    );
    const ecrStatements = [
      // GetAuthorizationToken has no resource-level permissions: AWS documents "*" as its only resource.
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PushToTheRepository',
        Effect: 'Allow',
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:DescribeImages',
          'ecr:GetDownloadUrlForLayer',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        Resource: Fn.sub('arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${Repo}', { Repo: ecrRepository.valueAsString }),
      },
    ];
    const role = new iam.CfnRole(this, 'DeliveryRole', {
      roleName: roleName.valueAsString,
      description: 'Groundwork delivery: GitHub Actions on one branch of one repository pushes images and deploys to staging',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: trustConditions }],
      },
      policies: [
        {
          policyName: 'deliver',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              ...ecrStatements,
              {
                Sid: 'AssumeTheDeployRoles',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: Fn.sub('arn:${AWS::Partition}:iam::${Account}:role/${Role}', {
                  Account: deployAccount.valueAsString,
                  Role: deployRoleName.valueAsString,
                }),
              },
            ],
          },
        },
      ],
    });
    // A conditional resource cannot be a DependsOn target; referencing it under the same condition orders the two instead.
    role.tags.setTag('groundwork:oidc-provider', Fn.conditionIf(create.logicalId, providerRef, 'existing').toString());
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource-level permissions (AWS documents "*" as its only resource); every other action is scoped to one repository or one role',
    });
    new CfnOutput(this, 'DeliveryRoleArn', { value: role.attrArn, description: 'delivery-role-arn for the backend repository caller workflow' });

    // The release role: tags matching the pattern (and only this repository's) promote the image and deploy to production.
    const releaseRole = new iam.CfnRole(this, 'ReleaseRole', {
      roleName: releaseRoleName.valueAsString,
      description: 'Groundwork release: GitHub Actions on a release tag of one repository promotes the image and deploys to production',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: providerArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${GITHUB_OIDC_PROVIDER}:aud`]: 'sts.amazonaws.com' },
              // The image job names the tag in sub; the release job names its environment there, so the tag is required
              // of every token through the ref claim. The wildcard is the tag pattern's only: the repository is exact.
              StringLike: {
                [`${GITHUB_OIDC_PROVIDER}:sub`]: [
                  subjectFor('ref:refs/tags/${Value}', tagPattern.valueAsString),
                  subjectFor('environment:${Value}', releaseEnvironment.valueAsString),
                ],
                [`${GITHUB_OIDC_PROVIDER}:ref`]: Fn.sub('refs/tags/${Pattern}', { Pattern: tagPattern.valueAsString }),
              },
            },
          },
        ],
      },
      policies: [
        {
          policyName: 'release',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              ...ecrStatements,
              {
                Sid: 'AssumeTheProductionDeployRole',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: Fn.sub('arn:${AWS::Partition}:iam::${Account}:role/${Role}', {
                  Account: productionAccount.valueAsString,
                  Role: deployRoleName.valueAsString,
                }),
              },
            ],
          },
        },
      ],
    });
    releaseRole.cfnOptions.condition = release;
    releaseRole.tags.setTag('groundwork:oidc-provider', Fn.conditionIf(create.logicalId, providerRef, 'existing').toString());
    Validations.of(releaseRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken supports no resource-level permissions; every other action is scoped to one repository or one role',
    });
    const releaseOutput = new CfnOutput(this, 'ReleaseRoleArn', { value: releaseRole.attrArn, description: 'the release role, for tags' });
    releaseOutput.condition = release;
  }
}
