import { Aws, CfnDeletionPolicy, CfnOutput, CfnParameter, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { BUILD_CACHE_TAG } from '../../delivery/images.js';

/**
 * The image repository of the cicd account, as a generic StackSet-ready template: immutable tags (a commit SHA names one
 * image forever) except the build cache's, which every build rewrites (IMMUTABLE_WITH_EXCLUSION), scan on push, encryption with its own rotating KMS key, untagged images expired, and pulls allowed only
 * to the listed environment accounts (staging and prod).
 */
export class EcrRepositoryStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const name = new CfnParameter(this, 'RepositoryName', {
      type: 'String',
      default: 'backend-service',
      description: 'Name of the repository.',
      allowedPattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$',
    });
    const pullers = new CfnParameter(this, 'PullAccountIds', {
      type: 'CommaDelimitedList',
      description: 'Account IDs that may pull images: the staging and prod accounts.',
    });
    const untaggedDays = new CfnParameter(this, 'UntaggedExpiryDays', {
      type: 'Number',
      default: 14,
      minValue: 1,
      maxValue: 3650,
      description: 'Days after which images without a tag (replaced build cache layers) are deleted.',
    });

    const key = new kms.CfnKey(this, 'Key', {
      description: 'Encrypts the Groundwork image repository',
      enableKeyRotation: true,
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministers',
            Effect: 'Allow',
            Principal: { AWS: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            // Pulls from the environment accounts decrypt layers through ECR only.
            Sid: 'PullAccountsDecryptThroughEcr',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:DescribeKey'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:PrincipalAccount': pullers.valueAsList, 'kms:ViaService': `ecr.${Aws.REGION}.amazonaws.com` },
            },
          },
        ],
      },
    });
    key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;

    const repository = new ecr.CfnRepository(this, 'Repository', {
      repositoryName: name.valueAsString,
      // Every tag is immutable but the registry build cache's: build-and-push exports its cache to REPO:buildcache on each
      // build, and an immutable repository refuses the second push of that tag (the second staging build failed).
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ imageTagMutabilityExclusionFilterType: 'WILDCARD', imageTagMutabilityExclusionFilterValue: BUILD_CACHE_TAG }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key.attrArn },
      lifecyclePolicy: {
        lifecyclePolicyText: Fn.sub(
          JSON.stringify({
            rules: [
              {
                rulePriority: 1,
                description: 'Expire untagged images',
                selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 0 },
                action: { type: 'expire' },
              },
            ],
          }).replace('"countNumber":0', '"countNumber":${Days}'),
          { Days: untaggedDays.valueAsString },
        ),
      },
      repositoryPolicyText: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EnvironmentAccountsPull',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Condition: { StringEquals: { 'aws:PrincipalAccount': pullers.valueAsList } },
          },
        ],
      },
    });
    repository.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    repository.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    Validations.of(repository).acknowledge({
      id: 'AwsSolutions-ECR1',
      reason:
        'the principal is "*" only so that a list parameter can name the accounts: aws:PrincipalAccount limits pulls to the staging and prod accounts, and the policy grants reads only',
    });
    new CfnOutput(this, 'RepositoryUri', {
      value: repository.attrRepositoryUri,
      description: 'The repository, for the caller workflow (ecr-repository is its name)',
    });
  }
}
