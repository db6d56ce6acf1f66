import { Aws, CfnCondition, type CfnParameter, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_PROVIDER } from '../../delivery/oidc.js';

/**
 * GitHub's IAM OIDC provider, created only when `createProvider` is 'true' (an account holds one per URL, so a second
 * template in the same account passes 'false'), and the provider's ARN, which is the same either way.
 * IDs: condition `CreateProvider`, resource `Provider`.
 */
export function optionalGitHubOidcProvider(scope: Construct, createProvider: CfnParameter): { create: CfnCondition; providerArn: string; ref: string } {
  const create = new CfnCondition(scope, 'CreateProvider', { expression: Fn.conditionEquals(createProvider.valueAsString, 'true') });
  const provider = new iam.CfnOIDCProvider(scope, 'Provider', { url: `https://${GITHUB_OIDC_PROVIDER}`, clientIdList: ['sts.amazonaws.com'] });
  provider.cfnOptions.condition = create;
  return { create, providerArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_PROVIDER}`, ref: provider.ref };
}
