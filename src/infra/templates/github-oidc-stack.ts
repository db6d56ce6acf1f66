import { CfnCondition, CfnOutput, CfnParameter, CfnRule, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_PROVIDER } from '../../delivery/oidc.js';
import { optionalGitHubOidcProvider } from './github-oidc-provider.js';

/**
 * The cicd account's GitHub OIDC side, as a generic StackSet-ready template: the identity provider (optional: an account
 * holds one per URL) and three roles of one repository, split by what the job's GitHub environment proves:
 * - image: the image job of a push to the branch (no environment: anyone who may push the branch can run it with a
 *   workflow of their own); it may push to one ECR repository, nothing else. No tag push gets it: a release builds
 *   nothing (it promotes the digest staging recorded), and a tag-push image job could pre-push an image under the SHA
 *   tag of a reviewed commit before that commit's own image job, which would then reuse it;
 * - delivery: the staging deploy job, only in the staging environment (`sub`) of a run of the branch (`ref`); it may
 *   assume staging's deploy role and write each commit's staging record (an SSM parameter) once;
 * - release (with a production account): the release job, only in the production environment of a run of a release tag;
 *   it may push to the repository (to promote the image), read the staging records and assume production's deploy role.
 * Every trust requires `aud = sts.amazonaws.com`, the exact repository (optionally GitHub's immutable subject form),
 * and, when a library commit is given, the job's own reusable workflow at that commit (`job_workflow_ref`).
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
    const workflowRepository = new CfnParameter(this, 'WorkflowRepository', {
      type: 'String',
      default: '',
      description:
        "Optional, with WorkflowCommit: this library's repository (OWNER/NAME) as the caller's uses: names it; each role then requires the job_workflow_ref of its own reusable workflow at that commit. Empty to not pin it.",
      allowedPattern: '^([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})?$',
    });
    const workflowCommit = new CfnParameter(this, 'WorkflowCommit', {
      type: 'String',
      default: '',
      description: "Optional, with WorkflowRepository: the full commit SHA of this library the caller's uses: pins (a tag could be moved, a SHA cannot).",
      allowedPattern: '^([0-9a-f]{40})?$',
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
      description:
        'The ECR repository (in this account and region) the image and release roles may push to; its staging records live under /groundwork/staging-records/<this name>/ in SSM.',
      allowedPattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$',
    });
    const deployAccount = new CfnParameter(this, 'StagingAccountId', {
      type: 'String',
      description: 'Account ID of the staging environment, whose deploy role the delivery role (and only it) may assume.',
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
      description:
        'Account ID of production; when set, the release role is created (only the release job in ReleaseEnvironment on a tag matching ReleaseTagPattern may assume it).',
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
        "The backend repository's GitHub environment of the staging deploy job (its tokens' sub names the environment, not the branch); only a job in it may reach staging's deploy role. Give it deployment branch rules.",
      allowedPattern: '^[A-Za-z0-9._-]{1,255}$',
    });
    const releaseEnvironment = new CfnParameter(this, 'ReleaseEnvironment', {
      type: 'String',
      default: 'production',
      description:
        "The backend repository's GitHub environment of the release job, whose required reviewers gate releases; only a job in it may reach production's deploy role.",
      allowedPattern: '^[A-Za-z0-9._-]{1,255}$',
    });
    const roleName = new CfnParameter(this, 'DeliveryRoleName', {
      type: 'String',
      default: 'groundwork-delivery',
      description: "Name of the delivery role (the staging deploy job's: it may assume staging's deploy role).",
    });
    const imageRoleName = new CfnParameter(this, 'ImageRoleName', {
      type: 'String',
      default: 'groundwork-image',
      description: 'Name of the image role (the image job of branch pushes: it may push to the ECR repository and nothing else).',
    });

    const { create, providerArn, ref: providerRef } = optionalGitHubOidcProvider(this, createProvider);
    const immutable = new CfnCondition(this, 'ImmutableSubject', {
      expression: Fn.conditionAnd(
        Fn.conditionNot(Fn.conditionEquals(ownerId.valueAsString, '')),
        Fn.conditionNot(Fn.conditionEquals(repositoryId.valueAsString, '')),
      ),
    });
    const release = new CfnCondition(this, 'Release', { expression: Fn.conditionNot(Fn.conditionEquals(productionAccount.valueAsString, '')) });
    const pinWorkflow = new CfnCondition(this, 'PinWorkflow', { expression: Fn.conditionNot(Fn.conditionEquals(workflowCommit.valueAsString, '')) });
    const noRepository = Fn.conditionEquals(workflowRepository.valueAsString, '');
    const noCommit = Fn.conditionEquals(workflowCommit.valueAsString, '');
    new CfnRule(this, 'WorkflowPinComplete', {
      assertions: [
        {
          assert: Fn.conditionOr(Fn.conditionAnd(noRepository, noCommit), Fn.conditionAnd(Fn.conditionNot(noRepository), Fn.conditionNot(noCommit))),
          assertDescription: 'WorkflowRepository and WorkflowCommit go together: give both to pin the reusable workflows, or neither.',
        },
      ],
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
    const aud = { [`${GITHUB_OIDC_PROVIDER}:aud`]: 'sts.amazonaws.com' };
    /** Exact conditions, plus the reusable workflow at the pinned commit when WorkflowCommit is set. */
    const exactly = (conditions: Record<string, unknown>, workflow: string) =>
      Fn.conditionIf(
        pinWorkflow.logicalId,
        {
          ...aud,
          ...conditions,
          [`${GITHUB_OIDC_PROVIDER}:job_workflow_ref`]: Fn.sub(`\${Repository}/.github/workflows/${workflow}@\${Commit}`, {
            Repository: workflowRepository.valueAsString,
            Commit: workflowCommit.valueAsString,
          }),
        },
        { ...aud, ...conditions },
      );
    const webIdentity = (condition: Record<string, unknown>) => ({
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: condition,
    });
    const branchRef = Fn.sub('refs/heads/${Branch}', { Branch: branch.valueAsString });
    const tagRef = Fn.sub('refs/tags/${Pattern}', { Pattern: tagPattern.valueAsString });
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
    // The staging records (src/delivery/staging-record.ts): one String parameter per commit, written once by the
    // delivery role (the staging deploy job) and read by the release role. IAM has no condition on image tags, so the
    // record lives where the image role, which any writer who can push a branch gets, has no rights at all.
    // The parameter named in the Fn::Sub string itself (no variable map), so cdk-nag can name the resource in its finding.
    const stagingRecords = Fn.sub(
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/groundwork/staging-records/\${${ecrRepository.node.id}}/*`,
    );
    const recordsFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/groundwork/staging-records/<${ecrRepository.node.id}>/*]`;
    const recordsPerCommit =
      'the staging records are one parameter per commit under /groundwork/staging-records/<EcrRepositoryName>/, named by the commit only at deploy time';
    const ecrOnly =
      'ecr:GetAuthorizationToken supports no resource-level permissions (AWS documents "*" as its only resource); every other action is scoped to one repository or one role';
    // A conditional resource cannot be a DependsOn target; referencing it under the same condition orders the two instead.
    const afterProvider = (role: iam.CfnRole) =>
      role.tags.setTag('groundwork:oidc-provider', Fn.conditionIf(create.logicalId, providerRef, 'existing').toString());

    // The image role: the image job of a push to the branch, which has no environment. Anyone who may push the branch
    // can run such a job with a workflow of their own, so this role may push images and do nothing else: no path from it
    // leads to an environment. Tag pushes get no role here: a tag is pushed by any writer on any commit, and an image job
    // of theirs could pre-push an image under the SHA tag of a reviewed commit, which that commit's image job would reuse.
    const imageRole = new iam.CfnRole(this, 'ImageRole', {
      roleName: imageRoleName.valueAsString,
      description: 'Groundwork image: the image job of pushes to one branch of one repository pushes to one ECR repository, nothing else',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          webIdentity({
            StringEquals: exactly(
              { [`${GITHUB_OIDC_PROVIDER}:sub`]: subjectFor('ref:refs/heads/${Value}', branch.valueAsString), [`${GITHUB_OIDC_PROVIDER}:ref`]: branchRef },
              'backend-staging.yml',
            ),
          }),
        ],
      },
      policies: [{ policyName: 'push-images', policyDocument: { Version: '2012-10-17', Statement: ecrStatements } }],
    });
    afterProvider(imageRole);
    Validations.of(imageRole).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: ecrOnly });
    new CfnOutput(this, 'ImageRoleArn', { value: imageRole.attrArn, description: 'image-role-arn for the backend repository caller workflow' });

    // The delivery role: only the staging deploy job, which runs in the staging environment of a run of the branch.
    const role = new iam.CfnRole(this, 'DeliveryRole', {
      roleName: roleName.valueAsString,
      description: 'Groundwork delivery: the staging deploy job (in its GitHub environment, on one branch of one repository) assumes the staging deploy role',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          webIdentity({
            StringEquals: exactly(
              {
                [`${GITHUB_OIDC_PROVIDER}:sub`]: subjectFor('environment:${Value}', stagingEnvironment.valueAsString),
                [`${GITHUB_OIDC_PROVIDER}:ref`]: branchRef,
              },
              'backend-staging.yml',
            ),
          }),
        ],
      },
      policies: [
        {
          policyName: 'deliver',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AssumeTheDeployRoles',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: Fn.sub('arn:${AWS::Partition}:iam::${Account}:role/${Role}', {
                  Account: deployAccount.valueAsString,
                  Role: deployRoleName.valueAsString,
                }),
              },
              // After a deployment that passed its E2E, deploy-staging records the digest (PutParameter without Overwrite).
              { Sid: 'RecordStagingDeployments', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:PutParameter'], Resource: stagingRecords },
              // A record is written once: even this role cannot move it (AWS's documented ssm:Overwrite condition key).
              {
                Sid: 'NeverMoveARecord',
                Effect: 'Deny',
                Action: 'ssm:PutParameter',
                Resource: stagingRecords,
                Condition: { StringEquals: { 'ssm:Overwrite': 'true' } },
              },
            ],
          },
        },
      ],
    });
    afterProvider(role);
    Validations.of(role).acknowledge({ id: recordsFinding, reason: recordsPerCommit });
    new CfnOutput(this, 'DeliveryRoleArn', { value: role.attrArn, description: 'delivery-role-arn for the backend repository caller workflow' });

    // The release role: only the release job, which runs in the production environment (its required reviewers) of a
    // run of a release tag; it promotes the image and deploys to production.
    const releaseRole = new iam.CfnRole(this, 'ReleaseRole', {
      roleName: releaseRoleName.valueAsString,
      description:
        'Groundwork release: the release job (in the production environment, on a release tag of one repository) promotes the image and deploys to production',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          webIdentity({
            StringEquals: exactly(
              { [`${GITHUB_OIDC_PROVIDER}:sub`]: subjectFor('environment:${Value}', releaseEnvironment.valueAsString) },
              'backend-release.yml',
            ),
            StringLike: { [`${GITHUB_OIDC_PROVIDER}:ref`]: tagRef },
          }),
        ],
      },
      policies: [
        {
          policyName: 'release',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              ...ecrStatements,
              // The release ships a commit only when its image is the digest staging recorded: read, never write.
              { Sid: 'ReadStagingRecords', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: stagingRecords },
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
    afterProvider(releaseRole);
    Validations.of(releaseRole).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: ecrOnly });
    Validations.of(releaseRole).acknowledge({ id: recordsFinding, reason: recordsPerCommit });
    const releaseOutput = new CfnOutput(this, 'ReleaseRoleArn', {
      value: releaseRole.attrArn,
      description: 'release-role-arn for the backend repository caller workflow',
    });
    releaseOutput.condition = release;
  }
}
