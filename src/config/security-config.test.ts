import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type PolicyDocument } from '../org/policy-evaluation.js';
import { formatIssue } from './config-issue.js';
import { checkConfigText } from './load-config.js';
import {
  DATA_PERIMETER_POLICY,
  dataPerimeterPolicy,
  LONGEST_ORGANIZATION_ID,
  ORGANIZATION_ID_PLACEHOLDER,
  securityHubStandardArn,
} from './security-catalog.js';

const FILE = '/tmp/groundwork.yaml';

const config = (
  security: string,
  accounts = '    - { name: security, organizationalUnit: Security }\n    - { name: prod, organizationalUnit: Stage }',
) => `organization:
  organizationalUnits:
    - name: Stage
    - name: Security
  accounts:
${accounts}
${security}`;

function errorsOf(text: string, file = FILE): string[] {
  const result = checkConfigText(text, file);
  expect(result.config).toBeUndefined();
  return result.issues.map((issue) => formatIssue('groundwork.yaml', issue));
}

describe('the security block', () => {
  it('defaults every service as the issue asks: root access, external analyzer, GuardDuty and Security Hub (FSBP) on; unused access, Config and RCPs off', () => {
    const { config: loaded, issues } = checkConfigText(config(''), FILE);
    expect(issues).toEqual([]);
    const s = loaded?.security;
    expect(s?.administratorAccount).toBe('security');
    expect(s?.rootAccess.enabled).toBe(true);
    expect(s?.accessAnalyzer).toEqual({ external: true, unused: false, unusedAccessAgeDays: 90 });
    expect(s?.guardDuty).toEqual({ enabled: true, protectionPlans: [] });
    expect(s?.securityHub).toEqual({ enabled: true, standards: ['FSBP'] });
    expect(s?.config).toEqual({ enabled: false, recordingFrequency: 'CONTINUOUS' });
    expect(s?.resourceControlPolicies.dataPerimeter).toBe(false);
    expect(s?.resourceControlPolicyDocuments).toEqual([]);
    expect(s?.findings.minimumSeverity).toBe('HIGH');
  });

  it('leaves the administrator unset when no account is named security: the management account administers the services', () => {
    const { config: loaded } = checkConfigText(config('', '    - { name: prod, organizationalUnit: Stage }'), FILE);
    expect(loaded?.security.administratorAccount).toBeUndefined();
  });

  it('builds the data-perimeter RCP, attached to the root, with the trusted accounts as exceptions', () => {
    const { config: loaded, issues } = checkConfigText(
      config('security:\n  resourceControlPolicies: { dataPerimeter: true, trustedAccounts: ["111122223333"] }'),
      FILE,
    );
    expect(issues).toEqual([]);
    const [policy] = loaded?.security.resourceControlPolicyDocuments ?? [];
    expect(policy?.name).toBe(DATA_PERIMETER_POLICY);
    expect(policy?.targets).toEqual({ root: true, organizationalUnits: [], accounts: [] });
    const document = JSON.parse(policy?.content ?? '{}');
    const [identity, deputy] = document.Statement;
    expect(identity.Condition.StringNotEqualsIfExists['aws:PrincipalOrgID']).toBe(ORGANIZATION_ID_PLACEHOLDER);
    expect(identity.Condition.StringNotEqualsIfExists['aws:PrincipalAccount']).toEqual(['111122223333']);
    expect(identity.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
    // Federated sign-ins (GitHub's OIDC tokens) belong to no organization: the identity statement must not cover them.
    expect(identity.Action).not.toContain('sts:AssumeRoleWithWebIdentity');
    expect(identity.Action).toEqual(expect.arrayContaining(['s3:*', 'kms:*', 'secretsmanager:*', 'sts:AssumeRole']));
    expect(deputy.Condition.StringNotEqualsIfExists['aws:SourceOrgID']).toBe(ORGANIZATION_ID_PLACEHOLDER);
    expect(deputy.Condition.Bool).toEqual({ 'aws:PrincipalIsAWSService': 'true' });
    expect(policy?.content.replaceAll(ORGANIZATION_ID_PLACEHOLDER, LONGEST_ORGANIZATION_ID).length).toBeLessThanOrEqual(5120);
  });

  it('collects every security error at once, each at its field', () => {
    const errors = errorsOf(
      config(`security:
  administratorAccount: management
  accessAnalyzer: { unusedAccessAgeDays: 400 }
  guardDuty: { enabled: false, protectionPlans: [S3_DATA_EVENTS, S3_DATA_EVENTS] }
  securityHub: { standards: [] }
  resourceControlPolicies:
    dataPerimeter: true
    trustedAccounts: ["12345", "111122223333", "111122223333"]
    targets: { organizationalUnits: [Stge], accounts: [management] }`),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^groundwork\.yaml:9:25 security\.administratorAccount: the management account cannot be a delegated administrator/),
      expect.stringMatching(/security\.accessAnalyzer\.unusedAccessAgeDays: 400 days is out of range \(use 1 to 365 days/),
      expect.stringMatching(/security\.guardDuty\.protectionPlans: protection plans need GuardDuty/),
      expect.stringMatching(/security\.guardDuty\.protectionPlans\[1\]: protection plan S3_DATA_EVENTS is listed twice/),
      expect.stringMatching(/security\.securityHub\.standards: Security Hub is enabled with no standard/),
      expect.stringMatching(/security\.resourceControlPolicies\.trustedAccounts\[0\]: "12345" is not an AWS account ID/),
      expect.stringMatching(/security\.resourceControlPolicies\.trustedAccounts\[2\]: account 111122223333 is listed twice/),
      expect.stringMatching(/security\.resourceControlPolicies\.targets\.organizationalUnits\[0\]: unknown OU "Stge" \(did you mean "Stage"\?\)/),
      expect.stringMatching(/security\.resourceControlPolicies\.targets\.accounts\[0\]: RCPs never apply to the management account/),
    ]);
  });

  it('rejects an unknown protection plan or standard in the structure step, naming the field', () => {
    const errors = errorsOf(config('security:\n  guardDuty: { protectionPlans: [MALWARE] }\n  securityHub: { standards: [CIS] }'));
    expect(errors).toEqual([
      expect.stringMatching(/security\.guardDuty\.protectionPlans\[0\]: .*S3_DATA_EVENTS/),
      expect.stringMatching(/security\.securityHub\.standards\[0\]: .*FSBP/),
    ]);
  });

  it('rejects an RCP with an Allow statement, which AWS takes only in its own RCPFullAWSAccess', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-rcp-'));
    writeFileSync(
      join(dir, 'allow.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' },
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        ],
      }),
    );
    const errors = errorsOf(
      config('security:\n  resourceControlPolicies:\n    policies:\n      - { name: open, file: allow.json, targets: { accounts: [prod] } }'),
      join(dir, 'groundwork.yaml'),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /security\.resourceControlPolicies\.policies\[0\]\.file: resource control policy "open": statement 1 has Effect "Allow"; an RCP may only deny/,
      ),
    ]);
  });

  it('rejects an RCP of 5,121 characters and a target with more than 5 RCPs, as for SCPs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-rcp-'));
    const statement = (sid: string, pad: number) => ({
      Sid: sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/x': 'y'.repeat(pad) } },
    });
    const small = JSON.stringify({ Version: '2012-10-17', Statement: [statement('A', 1)] });
    const base = JSON.stringify({ Version: '2012-10-17', Statement: [statement('A', 0)] }).length;
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ Version: '2012-10-17', Statement: [statement('A', 5121 - base)] }));
    writeFileSync(join(dir, 'small.json'), small);
    const own = ['big', 'one', 'two', 'three', 'four']
      .map((name) => `      - { name: ${name}, file: ${name === 'big' ? 'big' : 'small'}.json, targets: { accounts: [prod] } }`)
      .join('\n');
    const errors = errorsOf(config(`security:\n  resourceControlPolicies:\n    policies:\n${own}`), join(dir, 'groundwork.yaml'));
    expect(errors).toEqual([
      expect.stringMatching(
        /security\.resourceControlPolicies\.policies\[0\]: resource control policy "big" has 5121 characters after minifying; AWS allows 5120/,
      ),
      expect.stringMatching(
        /security\.resourceControlPolicies\.policies\[4\]\.targets\.accounts\[0\]: account "prod" would carry 6 RCPs \(RCPFullAWSAccess included\); AWS allows 5/,
      ),
    ]);
  });

  it('names each Security Hub standard by its ARN in the region', () => {
    expect(securityHubStandardArn('FSBP', 'eu-west-1')).toBe('arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0');
  });
});

describe('the data-perimeter RCP, evaluated', () => {
  const ORG = 'o-abcdefghij';
  const OTHER_ORG = 'o-zzzzzzzzzz';
  const MEMBER = '222222222222';
  const OUTSIDER = '999999999999';
  const TRUSTED = '111122223333';
  const rcp = JSON.parse(JSON.stringify(dataPerimeterPolicy([TRUSTED])).replaceAll(ORGANIZATION_ID_PLACEHOLDER, ORG)) as PolicyDocument;
  const BUCKET = `arn:aws:s3:::artifacts-${MEMBER}/x`;
  const ROLE = `arn:aws:iam::${MEMBER}:role/groundwork-deploy`;
  const iam = (account: string, org: string | undefined) => ({
    principal: `arn:aws:iam::${account}:role/someone`,
    context: { 'aws:PrincipalIsAWSService': 'false', ...(org ? { 'aws:PrincipalOrgID': org } : {}) },
  });

  it("lets the organization's own principals, trusted accounts and GitHub's OIDC tokens in, and keeps others out", () => {
    expect(evaluatePolicy(rcp, { ...iam(MEMBER, ORG), action: 's3:GetObject', resource: BUCKET })).toBe('none');
    expect(evaluatePolicy(rcp, { ...iam(MEMBER, ORG), action: 'sts:AssumeRole', resource: ROLE })).toBe('none');
    expect(evaluatePolicy(rcp, { ...iam(TRUSTED, undefined), action: 's3:GetObject', resource: BUCKET })).toBe('none');
    expect(evaluatePolicy(rcp, { ...iam(OUTSIDER, OTHER_ORG), action: 's3:GetObject', resource: BUCKET })).toBe('deny');
    expect(evaluatePolicy(rcp, { ...iam(OUTSIDER, undefined), action: 'sts:AssumeRole', resource: ROLE })).toBe('deny');
    expect(evaluatePolicy(rcp, { ...iam(OUTSIDER, undefined), action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${MEMBER}:key/k` })).toBe('deny');
    // GitHub's OIDC token: a federated caller with no account, organization or service flag in its context.
    const github = { principal: 'token.actions.githubusercontent.com', action: 'sts:AssumeRoleWithWebIdentity', resource: ROLE };
    expect(evaluatePolicy(rcp, github)).toBe('none');
    // An excluded resource (dp:exclude:identity=true) takes anyone the resource's own policy lets in.
    expect(
      evaluatePolicy(rcp, {
        ...iam(OUTSIDER, undefined),
        action: 's3:GetObject',
        resource: BUCKET,
        context: { 'aws:PrincipalIsAWSService': 'false', 'aws:ResourceTag/dp:exclude:identity': 'true' },
      }),
    ).toBe('none');
  });

  it('lets AWS services act for the organization (and a trusted account) but not for someone outside it (confused deputy)', () => {
    const service = (context: Record<string, string>) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: BUCKET,
      context: { 'aws:PrincipalIsAWSService': 'true', ...context },
    });
    expect(evaluatePolicy(rcp, service({ 'aws:SourceAccount': MEMBER, 'aws:SourceOrgID': ORG }))).toBe('none');
    expect(evaluatePolicy(rcp, service({ 'aws:SourceAccount': TRUSTED }))).toBe('none');
    // A service call made for no particular account (no aws:SourceAccount) is not the confused-deputy case.
    expect(evaluatePolicy(rcp, service({}))).toBe('none');
    expect(evaluatePolicy(rcp, service({ 'aws:SourceAccount': OUTSIDER, 'aws:SourceOrgID': OTHER_ORG }))).toBe('deny');
    expect(
      evaluatePolicy(rcp, { ...service({ 'aws:SourceAccount': OUTSIDER }), principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE }),
    ).toBe('deny');
  });
});
