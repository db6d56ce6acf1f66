import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluatePolicy, type PolicyDocument } from '../policy-evaluation.js';
import { ROLE_MANAGER_PATTERNS, roleArnPattern, STAGING_RECORD_WRITER_ROLE_PATTERN } from './protected-roles.js';

interface Statement {
  Sid: string;
  Condition: { ArnNotLike: { 'aws:PrincipalArn': string[] } };
}

const text = readFileSync(new URL('./protect-delivery-repository/policy.json', import.meta.url), 'utf8');
const policy = JSON.parse(text) as { Statement: Statement[] };

/** Whether the guardrail denies a principal an action on a resource, as AWS evaluates an SCP; `context` holds the call's condition keys. */
function denied(principalArn: string, action: string, resource: string, context: Record<string, string> = {}): boolean {
  return evaluatePolicy(JSON.parse(text) as PolicyDocument, { principal: principalArn, action, resource, context }) === 'deny';
}

const REPOSITORY = 'arn:aws:ecr:eu-west-1:111111111111:repository/backend-service';
const TAMPERING = ['ecr:BatchDeleteImage', 'ecr:PutImageTagMutability', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepository', 'ecr:PutLifecyclePolicy'];
const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;

describe('protect-delivery-repository', () => {
  it('denies the delivery roles and every person in the pipeline account what would free or move a tag (the SHA tags, the version tags)', () => {
    for (const principal of [
      role('groundwork-image'),
      role('groundwork-delivery'),
      role('groundwork-release'),
      role('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef'),
      'arn:aws:iam::111111111111:user/someone',
    ]) {
      for (const action of TAMPERING) expect({ principal, action, denied: denied(principal, action, REPOSITORY) }).toEqual({ principal, action, denied: true });
    }
  });

  it("leaves pushing, pulling and reading to the roles' own policies: a push cannot overwrite an immutable tag", () => {
    for (const action of ['ecr:PutImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload'])
      expect(denied(role('groundwork-image'), action, REPOSITORY)).toBe(false);
  });

  it('exempts only the deploy path: the engine, the CDK execution role and the StackSet execution role that deploys the repository template', () => {
    const exempt = policy.Statement[0]?.Condition.ArnNotLike['aws:PrincipalArn'];
    expect(exempt).toEqual([...ROLE_MANAGER_PATTERNS, 'stacksets-exec-*'].map(roleArnPattern));
    for (const principal of [role('OrganizationAccountAccessRole'), role('cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1'), role('stacksets-exec-0a1b2c')])
      expect(denied(principal, 'ecr:SetRepositoryPolicy', REPOSITORY)).toBe(false);
    // A look-alike name does not pass: the pattern is exact up to its wildcard.
    expect(denied(role('groundwork-OrganizationAccountAccessRole'), 'ecr:BatchDeleteImage', REPOSITORY)).toBe(true);
  });

  const RECORD = `arn:aws:ssm:eu-west-1:111111111111:parameter/groundwork/staging-records/backend-service/${'a'.repeat(40)}`;
  const OVERWRITE = { 'ssm:Overwrite': 'true' };
  const PEOPLE_AND_PIPELINE_ROLES = [
    role('groundwork-image'),
    role('groundwork-delivery'),
    role('groundwork-release'),
    role('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef'),
    'arn:aws:iam::111111111111:user/someone',
  ];

  it('attack: no one but the deploy path deletes, relabels or overwrites a staging record (the delivery role included)', () => {
    for (const principal of PEOPLE_AND_PIPELINE_ROLES) {
      for (const action of ['ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion', 'ssm:UnlabelParameterVersion'])
        expect({ principal, action, denied: denied(principal, action, RECORD) }).toEqual({ principal, action, denied: true });
      expect({ principal, overwrite: denied(principal, 'ssm:PutParameter', RECORD, OVERWRITE) }).toEqual({ principal, overwrite: true });
    }
  });

  it('attack: only the delivery role creates a staging record, so a person or another pipeline role cannot write one before staging does', () => {
    for (const principal of PEOPLE_AND_PIPELINE_ROLES.filter((p) => p !== role('groundwork-delivery')))
      expect({ principal, denied: denied(principal, 'ssm:PutParameter', RECORD) }).toEqual({ principal, denied: true });
    // The delivery role's first write (PutParameter without Overwrite, or with it false) is not blocked.
    expect(denied(role(STAGING_RECORD_WRITER_ROLE_PATTERN), 'ssm:PutParameter', RECORD)).toBe(false);
    expect(denied(role('groundwork-delivery'), 'ssm:PutParameter', RECORD, { 'ssm:Overwrite': 'false' })).toBe(false);
    expect(denied(role('groundwork-delivery-x'), 'ssm:PutParameter', RECORD)).toBe(true);
  });

  it('leaves reading records, and parameters outside the records, to the roles own policies; the deploy path may still remove a record', () => {
    expect(denied(role('groundwork-release'), 'ssm:GetParameter', RECORD)).toBe(false);
    const elsewhere = 'arn:aws:ssm:eu-west-1:111111111111:parameter/app/settings';
    for (const action of ['ssm:PutParameter', 'ssm:DeleteParameter'])
      expect(denied(role('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0123456789abcdef'), action, elsewhere, OVERWRITE)).toBe(false);
    for (const principal of [role('OrganizationAccountAccessRole'), role('stacksets-exec-0a1b2c')]) {
      expect(denied(principal, 'ssm:DeleteParameter', RECORD)).toBe(false);
      expect(denied(principal, 'ssm:PutParameter', RECORD, OVERWRITE)).toBe(false);
    }
  });

  it('is attached to the CICD OU, where the default organization keeps the pipeline account and its image repository', () => {
    const config = parse(readFileSync(new URL('../../../groundwork.yaml', import.meta.url), 'utf8')) as {
      organization: { accounts: { name: string; organizationalUnit: string }[] };
      serviceControlPolicies: { guardrail: string; targets: unknown }[];
      workloads: { backendService: { pipelineAccount: string } };
    };
    expect(config.serviceControlPolicies.find((p) => p.guardrail === 'protect-delivery-repository')?.targets).toEqual({ organizationalUnits: ['CICD'] });
    const pipeline = config.workloads.backendService.pipelineAccount;
    expect(config.organization.accounts.find((a) => a.name === pipeline)?.organizationalUnit).toBe('CICD');
  });
});
