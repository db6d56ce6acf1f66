import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROLE_MANAGER_PATTERNS, roleArnPattern } from './protected-roles.js';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: string;
  Condition: { ArnNotLike: { 'aws:PrincipalArn': string[] } };
}

const policy = JSON.parse(readFileSync(new URL('./protect-delivery-repository/policy.json', import.meta.url), 'utf8')) as { Statement: Statement[] };
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** Whether the guardrail denies a principal an action on a resource (an SCP's Deny with ArnNotLike, as AWS evaluates it). */
function denied(principalArn: string, action: string, resource: string): boolean {
  return policy.Statement.some(
    (s) =>
      s.Effect === 'Deny' &&
      s.Action.includes(action) &&
      glob(s.Resource).test(resource) &&
      !s.Condition.ArnNotLike['aws:PrincipalArn'].some((exempt) => glob(exempt).test(principalArn)),
  );
}

const REPOSITORY = 'arn:aws:ecr:eu-west-1:111111111111:repository/backend-service';
const TAMPERING = ['ecr:BatchDeleteImage', 'ecr:PutImageTagMutability', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepository', 'ecr:PutLifecyclePolicy'];
const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;

describe('protect-delivery-repository', () => {
  it('denies the delivery roles and every person in the pipeline account what would free or move a tag (the staging record, the SHA tags)', () => {
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
