import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreatePolicyVersionCommand, GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { useTestEmulator } from '../../test/helpers/test-emulator.js';
import { resolveValue } from '../delivery/trust-policy.js';
import { CDK_BOUNDARY_POLICY, cdkBoundaryArn, cdkBoundaryDocument } from '../infra/cdk-boundary.js';
import { type AccessRequest, evaluatePolicy, type PolicyDocument } from '../org/policy-evaluation.js';
import { ensureCdkBoundary, managementBootstrapOptions } from './management-stacks.js';

const account = '123456789012';
const boundaryArn = cdkBoundaryArn('aws', account);
const boundary = cdkBoundaryDocument('aws', account) as unknown as PolicyDocument;

/** The CDK bootstrap template that @aws-cdk/toolkit-lib deploys. */
function bootstrapTemplate(): { Resources: Record<string, { Properties: Record<string, unknown> }> } {
  const toolkitLib = dirname(createRequire(import.meta.url).resolve('@aws-cdk/toolkit-lib'));
  return parseYaml(readFileSync(join(toolkitLib, 'api/bootstrap/bootstrap-template.yaml'), 'utf8'));
}

/**
 * What IAM decides for a role holding `identity` within `boundary`: an explicit deny in either refuses, and both must
 * allow (a boundary grants nothing; it caps what the role's own policies grant).
 */
function roleWithinBoundaryMay(identity: PolicyDocument, request: Omit<AccessRequest, 'principal'>): boolean {
  const full = { principal: `arn:aws:iam::${account}:role/minted`, ...request };
  const decisions = [evaluatePolicy(identity, full), evaluatePolicy(boundary, full)];
  return decisions.every((d) => d === 'allow');
}

const administrator: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

describe("the management account's CDK bootstrap and its permissions boundary", () => {
  it('bootstraps trusting only the account itself, with the execution role within the boundary, which the template names by ARN', () => {
    const options = managementBootstrapOptions();
    expect(options).toEqual({
      parameters: {
        keepExistingParameters: false,
        parameters: { trustedAccounts: [], trustedAccountsForLookup: [], customPermissionsBoundary: CDK_BOUNDARY_POLICY },
      },
    });
    // The toolkit passes the name as InputPermissionsBoundary; the template makes it the execution role's boundary ARN,
    // the one the foundation deploy role and the boundary itself require.
    const exec = bootstrapTemplate().Resources.CloudFormationExecutionRole?.Properties;
    const parameters = { InputPermissionsBoundary: options.parameters.parameters.customPermissionsBoundary, Qualifier: 'hnb659fds' };
    const conditions = { PermissionsBoundarySet: { 'Fn::Not': [{ 'Fn::Equals': ['', { Ref: 'InputPermissionsBoundary' }] }] } };
    expect(resolveValue(exec?.PermissionsBoundary, { parameters, accountId: account, conditions })).toBe(boundaryArn);
  });

  it("is the CDK bootstrap template's example boundary under Groundwork's name, not the toolkit's, whose CreateRole statement allows", () => {
    const example = bootstrapTemplate().Resources.CdkBoostrapPermissionsBoundaryPolicy?.Properties;
    const resolved = resolveValue(example?.PolicyDocument, { parameters: { Qualifier: 'hnb659fds' }, accountId: account, region: 'us-east-1' });
    const renamed = JSON.parse(JSON.stringify(resolved).replaceAll(`cdk-hnb659fds-permissions-boundary-${account}-us-east-1`, CDK_BOUNDARY_POLICY));
    expect(renamed).toEqual(cdkBoundaryDocument('aws', account));
  });

  it('attack: a role within the boundary cannot create a role or user without it, remove it, or change the boundary itself', () => {
    const withBoundary = { 'iam:PermissionsBoundary': boundaryArn };
    const otherBoundary = { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/cdk-hnb659fds-permissions-boundary` };
    const refused: Omit<AccessRequest, 'principal'>[] = [
      // An administrator trusting an outside account, created through CloudFormation by the execution role.
      { action: 'iam:CreateRole', resource: `arn:aws:iam::${account}:role/cdk-hnb659fds-x` },
      { action: 'iam:CreateRole', resource: `arn:aws:iam::${account}:role/cdk-hnb659fds-x`, context: otherBoundary },
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${account}:user/x` },
      { action: 'iam:PutRolePermissionsBoundary', resource: `arn:aws:iam::${account}:role/groundwork-x`, context: otherBoundary },
      { action: 'iam:DeleteRolePermissionsBoundary', resource: `arn:aws:iam::${account}:role/groundwork-x` },
      { action: 'iam:DeleteUserPermissionsBoundary', resource: `arn:aws:iam::${account}:user/x` },
      { action: 'iam:CreatePolicyVersion', resource: boundaryArn },
      { action: 'iam:SetDefaultPolicyVersion', resource: boundaryArn },
      { action: 'iam:DeletePolicyVersion', resource: boundaryArn },
      { action: 'iam:DeletePolicy', resource: boundaryArn },
    ];
    for (const request of refused) {
      expect({ ...request, allowed: roleWithinBoundaryMay(administrator, request) }).toEqual({ ...request, allowed: false });
    }
    // What the management stacks need still passes: roles created within the boundary, and the services' own calls.
    expect(roleWithinBoundaryMay(administrator, { action: 'iam:CreateRole', resource: `arn:aws:iam::${account}:role/x`, context: withBoundary })).toBe(true);
    expect(roleWithinBoundaryMay(administrator, { action: 's3:CreateBucket', resource: 'arn:aws:s3:::groundwork-statements' })).toBe(true);
    // A role created within it by an administrator role (AdministratorAccess and the boundary) gets no more: the same
    // refusals hold for it, so the chain of roles never climbs above the boundary.
    const minted = administrator;
    expect(roleWithinBoundaryMay(minted, { action: 'iam:CreateRole', resource: `arn:aws:iam::${account}:role/y` })).toBe(false);
    expect(roleWithinBoundaryMay(minted, { action: 'iam:DeleteRolePermissionsBoundary', resource: `arn:aws:iam::${account}:role/minted` })).toBe(false);
    // The boundary grants nothing itself: a role whose own policies allow little keeps little.
    const reader: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    expect(roleWithinBoundaryMay(reader, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toBe(false);
  });
});

describe('creating the boundary before the bootstrap (emulator)', () => {
  const test = useTestEmulator();
  const iamClient = () => test.emulator.clients().create(IAMClient);
  const documentOf = async (iam: IAMClient) => {
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: boundaryArn }));
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: boundaryArn, VersionId: policy.Policy?.DefaultVersionId }));
    return JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? '{}'));
  };

  it('creates it, leaves it as it is, and brings a loosened one back to its document', async () => {
    const iam = iamClient();
    expect(await ensureCdkBoundary(iam, account, 'us-east-1')).toBe('created');
    expect(await documentOf(iam)).toEqual(cdkBoundaryDocument('aws', account));
    expect(await ensureCdkBoundary(iam, account, 'us-east-1')).toBe('unchanged');
    const loosened = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: boundaryArn, PolicyDocument: JSON.stringify(loosened), SetAsDefault: true }));
    expect(await ensureCdkBoundary(iam, account, 'us-east-1')).toBe('updated');
    expect(await documentOf(iam)).toEqual(cdkBoundaryDocument('aws', account));
  });

  it("says how to apply a changed boundary when the caller may not change it (the foundation deploy role's AccessDenied)", async () => {
    const iam = iamClient();
    await ensureCdkBoundary(iam, account, 'us-east-1');
    const loosened = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: boundaryArn, PolicyDocument: JSON.stringify(loosened), SetAsDefault: true }));
    // moto ignores IAM policies, so the refusal IAM gives the deploy role (KeepTheCdkBoundary) is made here, shaped as the SDK's.
    iam.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CreatePolicyVersionCommand') {
          throw Object.assign(
            new Error(`User: arn:aws:sts::${account}:assumed-role/groundwork-foundation-deploy/x is not authorized to perform: iam:CreatePolicyVersion`),
            {
              name: 'AccessDenied',
            },
          );
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    await expect(ensureCdkBoundary(iam, account, 'us-east-1')).rejects.toMatchObject({
      code: 'DEPLOY_FAILED',
      message: expect.stringMatching(/groundwork-cdk-permissions-boundary differs from Groundwork's and could not be changed: .*iam:CreatePolicyVersion/),
      hint: expect.stringMatching(/administrator session/),
    });
  });
});
