import { describe, expect, it } from 'vitest';
import { guardrailNames, readGuardrail } from '../../config/guardrail-catalog.js';
import { type AccessRequest, administratorMay, evaluatePolicy, type PolicyDocument } from '../policy-evaluation.js';

// The guardrail denies a member account's root user unless the request comes from a root session opened by
// sts:AssumeRoot (centralized root access). aws:AssumedRoot "is included in the request context only when the
// principal uses credentials from AssumeRoot to make the request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot);
// IAM takes it from the signing credentials, so no caller can add it to a request, and only the management account or
// the delegated administrator for IAM can call sts:AssumeRoot (root credentials cannot).
const policy = JSON.parse(readGuardrail('deny-root-user')) as PolicyDocument;
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const root = `arn:aws:iam::${MEMBER}:root`;
const privilegedTasks: Omit<AccessRequest, 'principal'>[] = [
  { action: 'iam:DeleteLoginProfile', resource: root },
  { action: 'iam:DeleteAccessKey', resource: root },
  { action: 'iam:DeactivateMFADevice', resource: root },
  { action: 's3:DeleteBucketPolicy', resource: 'arn:aws:s3:::team-bucket' },
  { action: 'sqs:SetQueueAttributes', resource: `arn:aws:sqs:us-east-1:${MEMBER}:q` },
];

describe('the deny-root-user guardrail', () => {
  it('denies the root user signed in with its own credentials (password or access keys), whatever it does', () => {
    for (const task of privilegedTasks) expect(evaluatePolicy(policy, { principal: root, ...task })).toBe('deny');
    const elsewhere = { principal: root, action: 'ec2:RunInstances', resource: '*' };
    expect(evaluatePolicy(policy, elsewhere)).toBe('deny');
    // With MFA, from the console: still the root user's own credentials, still denied.
    expect(evaluatePolicy(policy, { ...elsewhere, context: { 'aws:MultiFactorAuthPresent': 'true' } })).toBe('deny');
    expect(evaluatePolicy(policy, { ...elsewhere, action: 'sts:AssumeRole' })).toBe('deny');
  });

  it('does not deny a root session opened by sts:AssumeRoot (aws:AssumedRoot present), so privileged tasks work with it attached', () => {
    for (const task of privilegedTasks) expect(evaluatePolicy(policy, { principal: root, assumedRoot: true, ...task })).toBe('none');
    const scps = [policy];
    const guard = { account: MEMBER, scps, managementAccount: MANAGEMENT };
    expect(administratorMay({ principal: root, assumedRoot: true, action: 'iam:DeleteLoginProfile', resource: root }, guard)).toBe(true);
    expect(administratorMay({ principal: root, action: 'iam:DeleteLoginProfile', resource: root }, guard)).toBe(false);
  });

  it('attack: nobody in a member account gets past it by claiming a root session', () => {
    const role = `arn:aws:iam::${MEMBER}:role/admin`;
    // A role is not the root user: the statement never applied to it, and a role setting nothing changes nothing.
    expect(evaluatePolicy(policy, { principal: role, action: 'iam:DeleteLoginProfile', resource: root })).toBe('none');
    // aws:AssumedRoot comes from the AssumeRoot credentials only: a caller cannot send it, nor can a role hold such a session.
    expect(() => evaluatePolicy(policy, { principal: root, action: 'iam:DeleteLoginProfile', resource: root, context: { 'aws:AssumedRoot': 'true' } })).toThrow(
      /context key aws:AssumedRoot comes from the credentials/,
    );
    expect(() => evaluatePolicy(policy, { principal: role, action: 's3:DeleteBucketPolicy', resource: '*', context: { 'AWS:AssumedRoot': 'true' } })).toThrow(
      /comes from the credentials/,
    );
    expect(() => evaluatePolicy(policy, { principal: role, assumedRoot: true, action: 's3:DeleteBucketPolicy', resource: '*' })).toThrow(
      /only a root user has sessions from sts:AssumeRoot/,
    );
    // A role whose name looks like root is still a role.
    expect(evaluatePolicy(policy, { principal: `arn:aws:iam::${MEMBER}:role/root`, action: '*', resource: '*' })).toBe('none');
  });

  it('leaves the other guardrails in force on a root session: it cannot unlock the log-archive bucket policy', () => {
    // The guardrails the default organization attaches to the root (region-allow-list, off by default, uses NotAction).
    const atRoot = ['deny-leave-organization', 'deny-root-user', 'protect-audit-trail', 'protect-groundwork-roles'];
    expect(guardrailNames()).toEqual(expect.arrayContaining(atRoot));
    const scps = atRoot.map((name) => JSON.parse(readGuardrail(name)) as PolicyDocument);
    const guard = { account: MEMBER, scps, managementAccount: MANAGEMENT };
    const archive = { action: 's3:DeleteBucketPolicy', resource: 'arn:aws:s3:::groundwork-log-archive-123' };
    expect(administratorMay({ principal: root, assumedRoot: true, ...archive }, guard)).toBe(false);
    expect(administratorMay({ principal: root, assumedRoot: true, action: 's3:DeleteBucketPolicy', resource: 'arn:aws:s3:::team-bucket' }, guard)).toBe(true);
  });

  it("keeps the statement of AWS's example SCP: the root user, unless aws:AssumedRoot is present", () => {
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyRootUserInMemberAccounts',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'true' } },
      },
    ]);
  });
});
