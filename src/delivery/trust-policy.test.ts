import { describe, expect, it } from 'vitest';
import { resolveValue, roleAdmits, roleMayCall, roleTrustsPrincipal, type SynthesizedTemplate } from './trust-policy.js';

const provider = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':oidc-provider/token.actions.githubusercontent.com']],
};
const template: SynthesizedTemplate = {
  Parameters: { Pattern: { Default: 'v*' } },
  Conditions: { Tags: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Pattern' }, ''] }] } },
  Resources: {
    Role: {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: provider },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/backend:ref:refs/heads/main' } },
            },
            {
              'Fn::If': [
                'Tags',
                {
                  Effect: 'Allow',
                  Principal: { Federated: provider },
                  Action: 'sts:AssumeRoleWithWebIdentity',
                  Condition: {
                    StringLike: { 'token.actions.githubusercontent.com:sub': { 'Fn::Join': ['', ['repo:acme/backend:ref:refs/tags/', { Ref: 'Pattern' }]] } },
                  },
                },
                { Ref: 'AWS::NoValue' },
              ],
            },
          ],
        },
        Policies: [
          {
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['ecr:Put*', 'sts:AssumeRole'],
                  Resource: ['arn:aws:ecr:*:111111111111:repository/app', 'arn:aws:iam::*:role/deploy-*'],
                },
                { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/deploy-prod' },
              ],
            },
          },
        ],
      },
    },
    Tagged: { Condition: 'Tags', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
    Deploy: {
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: { Ref: 'Trusted' } }, Action: 'sts:AssumeRole' }] },
      },
    },
    Conditional: {
      Properties: {
        Policies: [
          { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] } },
        ],
      },
    },
  },
};

describe('the trust-policy evaluator', () => {
  it('drops what AWS::NoValue resolves to, from lists and from objects, as CloudFormation does', () => {
    expect(resolveValue([1, { Ref: 'AWS::NoValue' }, 2], { parameters: {} })).toEqual([1, 2]);
    expect(resolveValue({ a: 1, b: { Ref: 'AWS::NoValue' } }, { parameters: {} })).toEqual({ a: 1 });
    expect(resolveValue({ 'Fn::GetAtt': ['Logs', 'Arn'] }, { parameters: {} })).toBe('{Logs.Arn}');
  });

  it('admits a token by a statement that exists only under a condition, and not when the condition is false', () => {
    const tag = { aud: 'sts.amazonaws.com', sub: 'repo:acme/backend:ref:refs/tags/v1' };
    expect(roleAdmits(template, 'Role', tag, { parameters: { Pattern: 'v*' } })).toBe(true);
    expect(roleAdmits(template, 'Role', tag, { parameters: { Pattern: '' } })).toBe(false);
    expect(roleAdmits(template, 'Role', { ...tag, sub: 'repo:acme/backend:ref:refs/heads/main' }, { parameters: { Pattern: '' } })).toBe(true);
  });

  it('gives a parameter that is not passed its default, as CloudFormation does', () => {
    expect(roleAdmits(template, 'Role', { aud: 'sts.amazonaws.com', sub: 'repo:acme/backend:ref:refs/tags/v1' }, { parameters: {} })).toBe(true);
  });

  it('refuses to judge a role that the parameters do not create, instead of calling it refused', () => {
    expect(() => roleAdmits(template, 'Tagged', {}, { parameters: { Pattern: '' } })).toThrow(/not created with these parameters \(condition Tags\)/);
    expect(() => roleAdmits(template, 'Missing', {}, { parameters: {} })).toThrow(/no resource Missing/);
  });

  it("reads a role's own policies: wildcards in actions (any case) and resources, an explicit deny wins, nothing allowed is refused", () => {
    const ctx = { parameters: { Pattern: '' } };
    expect(roleMayCall(template, 'Role', 'ECR:PutImage', 'arn:aws:ecr:eu-west-1:111111111111:repository/app', ctx)).toBe(true);
    expect(roleMayCall(template, 'Role', 'ecr:PutImage', 'arn:aws:ecr:eu-west-1:111111111111:repository/other', ctx)).toBe(false);
    expect(roleMayCall(template, 'Role', 'ecr:BatchDeleteImage', 'arn:aws:ecr:eu-west-1:111111111111:repository/app', ctx)).toBe(false);
    expect(roleMayCall(template, 'Role', 'sts:AssumeRole', 'arn:aws:iam::222222222222:role/deploy-staging', ctx)).toBe(true);
    expect(roleMayCall(template, 'Role', 'sts:AssumeRole', 'arn:aws:iam::222222222222:role/deploy-prod', ctx)).toBe(false);
    expect(() => roleMayCall(template, 'Conditional', 's3:GetObject', 'arn:aws:s3:::b/k', ctx)).toThrow(/unsupported Condition/);
  });

  it("evaluates a role's conditions when the request's context keys are given; a key not given is absent", () => {
    const ctx = { parameters: { Pattern: '' } };
    expect(roleMayCall(template, 'Conditional', 's3:GetObject', 'arn:aws:s3:::b/k', ctx, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(roleMayCall(template, 'Conditional', 's3:GetObject', 'arn:aws:s3:::b/k', ctx, { 'aws:SecureTransport': 'false' })).toBe(false);
    expect(roleMayCall(template, 'Conditional', 's3:GetObject', 'arn:aws:s3:::b/k', ctx, {})).toBe(false);
    // The same answers as without context for statements that have no condition.
    expect(roleMayCall(template, 'Role', 'ecr:PutImage', 'arn:aws:ecr:eu-west-1:111111111111:repository/app', ctx, {})).toBe(true);
    expect(roleMayCall(template, 'Role', 'ecr:BatchDeleteImage', 'arn:aws:ecr:eu-west-1:111111111111:repository/app', ctx, {})).toBe(false);
  });

  it('reads which IAM role a trust names, exactly', () => {
    const ctx = { parameters: { Trusted: 'arn:aws:iam::111111111111:role/release' } };
    expect(roleTrustsPrincipal(template, 'Deploy', 'arn:aws:iam::111111111111:role/release', ctx)).toBe(true);
    expect(roleTrustsPrincipal(template, 'Deploy', 'arn:aws:iam::111111111111:role/image', ctx)).toBe(false);
  });
});
