import { describe, expect, it } from 'vitest';
import { administratorMay, evaluatePolicy, type PolicyDocument } from './policy-evaluation.js';

const A = '111111111111';
const B = '222222222222';
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const KEY = `arn:aws:kms:us-east-1:${B}:key/k`;

const keyPolicy: PolicyDocument = {
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: 'kms:*',
      Resource: '*',
      Condition: { ArnLike: { 'aws:PrincipalArn': role(B, 'deployer-*') } },
    },
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'kms:Describe*', Resource: '*' },
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:ScheduleKeyDeletion'],
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': role(B, 'deployer-*') } },
    },
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': 'trail' } },
    },
  ],
};
const scp: PolicyDocument = {
  Statement: [
    {
      Effect: 'Deny',
      Action: 'kms:DisableKey',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/x' }, ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deployer-*' } },
    },
  ],
};
const guard = { account: B, policy: keyPolicy, policyMustAllow: true, scps: [scp], managementAccount: A };

describe('evaluatePolicy', () => {
  it('lets an explicit deny win over an allow, and a negated condition hold when the principal does not match', () => {
    expect(evaluatePolicy(keyPolicy, { principal: role(B, 'admin'), action: 'kms:ScheduleKeyDeletion', resource: KEY })).toBe('deny');
    expect(evaluatePolicy(keyPolicy, { principal: role(B, 'deployer-1'), action: 'kms:ScheduleKeyDeletion', resource: KEY })).toBe('allow');
    expect(evaluatePolicy(keyPolicy, { principal: role(B, 'admin'), action: 'kms:DescribeKey', resource: KEY })).toBe('allow');
  });

  it('matches a service principal with its conditions, and applies a negated operator when the key is absent', () => {
    const request = { principal: 'cloudtrail.amazonaws.com', action: 'kms:GenerateDataKey', resource: KEY };
    expect(evaluatePolicy(keyPolicy, { ...request, context: { 'aws:SourceArn': 'trail' } })).toBe('allow');
    expect(evaluatePolicy(keyPolicy, { ...request, context: { 'aws:SourceArn': 'other' } })).toBe('none');
    // A service has no aws:PrincipalArn, so ArnNotLike holds and the deny reaches it.
    expect(evaluatePolicy(keyPolicy, { ...request, action: 'kms:ScheduleKeyDeletion' })).toBe('deny');
  });

  it('evaluates ForAnyValue over a multi-valued key, and refuses what it does not cover', () => {
    const request = { principal: role(B, 'admin'), action: 'kms:DisableKey', resource: KEY };
    expect(evaluatePolicy(scp, { ...request, context: { 'kms:ResourceAliases': ['alias/y', 'alias/x'] } })).toBe('deny');
    expect(evaluatePolicy(scp, { ...request, context: { 'kms:ResourceAliases': ['alias/y'] } })).toBe('none');
    expect(evaluatePolicy(scp, request)).toBe('none');
    const odd = { Statement: [{ Effect: 'Deny' as const, Action: '*', Resource: '*', Condition: { NumericLessThan: { k: '1' } } }] };
    expect(() => evaluatePolicy(odd, request)).toThrow('unsupported condition operator NumericLessThan');
    const setIfExists = { Statement: [{ Effect: 'Deny' as const, Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringEqualsIfExists': { k: 'v' } } }] };
    expect(() => evaluatePolicy(setIfExists, request)).toThrow('unsupported condition operator ForAnyValue:StringEqualsIfExists');
  });

  it('evaluates …IfExists: holds without the key, checked as usual with it', () => {
    const request = { principal: role(B, 'admin'), action: 'kms:DisableKey', resource: KEY };
    const deny = (condition: Record<string, Record<string, string>>) => ({
      Statement: [{ Effect: 'Deny' as const, Action: '*', Resource: '*', Condition: condition }],
    });
    expect(evaluatePolicy(deny({ StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } }), request)).toBe('deny');
    expect(evaluatePolicy(deny({ StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } }), { ...request, context: { 'aws:PrincipalOrgID': 'o-1' } })).toBe(
      'none',
    );
    expect(evaluatePolicy(deny({ BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } }), request)).toBe('deny');
    expect(
      evaluatePolicy(deny({ BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } }), { ...request, context: { 'aws:PrincipalIsAWSService': 'true' } }),
    ).toBe('none');
    expect(() => evaluatePolicy({ Statement: [{ Effect: 'Deny', NotAction: 'x', Action: [], Resource: '*' } as never] }, request)).toThrow(/NotAction/);
  });
});

describe('evaluatePolicy: Null and the keys that come from the credentials', () => {
  const absent = (value: string) => ({
    Statement: [{ Effect: 'Deny' as const, Action: '*', Resource: '*', Condition: { Null: { 'aws:AssumedRoot': value } } }],
  });
  const rootUser = { principal: `arn:aws:iam::${B}:root`, action: 'iam:DeleteLoginProfile', resource: '*' };

  it('holds Null "true" when the key is absent and "false" when present; aws:AssumedRoot is present only for an AssumeRoot session', () => {
    expect(evaluatePolicy(absent('true'), rootUser)).toBe('deny');
    expect(evaluatePolicy(absent('true'), { ...rootUser, assumedRoot: true })).toBe('none');
    expect(evaluatePolicy(absent('false'), rootUser)).toBe('none');
    expect(evaluatePolicy(absent('FALSE'), { ...rootUser, assumedRoot: true })).toBe('deny');
    expect(() => evaluatePolicy(absent('yes'), rootUser)).toThrow('Null condition on aws:AssumedRoot takes "true" or "false", not yes');
  });

  it('refuses a credential key given as caller context, and a root session for anyone but a root user', () => {
    expect(() => evaluatePolicy(absent('true'), { ...rootUser, context: { 'aws:PrincipalArn': role(B, 'x') } })).toThrow(
      'context key aws:PrincipalArn comes from the credentials that sign the request, not from the caller',
    );
    expect(() => evaluatePolicy(absent('true'), { ...rootUser, principal: role(B, 'admin'), assumedRoot: true })).toThrow(
      `only a root user has sessions from sts:AssumeRoot, not ${role(B, 'admin')}`,
    );
  });
});

describe('administratorMay', () => {
  const aliased = { context: { 'kms:ResourceAliases': ['alias/x'] } };

  it('needs the key policy to allow, if only through the principal account; another account gets nothing', () => {
    expect(administratorMay({ principal: role(B, 'admin'), action: 'kms:DescribeKey', resource: KEY }, guard)).toBe(true);
    expect(administratorMay({ principal: role(B, 'admin'), action: 'kms:Decrypt', resource: KEY }, guard)).toBe(false);
    expect(administratorMay({ principal: `arn:aws:iam::${A}:root`, action: 'kms:DescribeKey', resource: KEY }, guard)).toBe(false);
  });

  it('applies SCPs to member accounts only, never to the management account', () => {
    expect(administratorMay({ principal: role(B, 'admin'), action: 'kms:DisableKey', resource: KEY, ...aliased }, guard)).toBe(false);
    expect(administratorMay({ principal: role(B, 'deployer-1'), action: 'kms:DisableKey', resource: KEY, ...aliased }, guard)).toBe(true);
    const inManagement = { ...guard, account: A, policy: undefined, policyMustAllow: false };
    expect(administratorMay({ principal: role(A, 'admin'), action: 'kms:DisableKey', resource: KEY, ...aliased }, inManagement)).toBe(true);
  });

  it('lets an administrator of the owning account act where no policy says otherwise, and no one from another account', () => {
    const bucket = { account: B, scps: [], managementAccount: A };
    expect(administratorMay({ principal: role(B, 'admin'), action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::b' }, bucket)).toBe(true);
    expect(administratorMay({ principal: role(A, 'admin'), action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::b' }, bucket)).toBe(false);
  });
});
