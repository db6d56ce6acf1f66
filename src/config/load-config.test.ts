import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GroundworkError } from '../errors.js';
import { formatIssue } from './config-issue.js';
import { checkConfigText, loadConfig } from './load-config.js';

const shipped = readFileSync(new URL('../../groundwork.yaml', import.meta.url), 'utf8');
const FILE = '/tmp/groundwork.yaml';

/** The formatted issues of a config text. */
function errorsOf(text: string): string[] {
  const result = checkConfigText(text, FILE);
  expect(result.config).toBeUndefined();
  return result.issues.map((issue) => formatIssue('groundwork.yaml', issue));
}

const minimal = (accounts: string, extra = '') => `organization:
  organizationalUnits:
    - name: Stage
  accounts:
${accounts}
${extra}`;

describe('loading the shipped config', () => {
  it('accepts groundwork.yaml and fills computed defaults', () => {
    const { config, issues } = checkConfigText(shipped, FILE);
    expect(issues).toEqual([]);
    expect(config?.organization.accounts.map((a) => [a.name, a.organizationalUnit, a.email])).toEqual([
      ['prod', 'Stage', 'aws+prod@example.com'],
      ['staging', 'Stage', 'aws+staging@example.com'],
      ['dev', 'Playground', 'aws+dev@example.com'],
      ['cicd', 'CICD', 'aws+cicd@example.com'],
      ['log-archive', 'Security', 'aws+log-archive@example.com'],
      ['security', 'Security', 'aws+security@example.com'],
    ]);
    expect(config?.identityCenter.permissionSets.map((p) => [p.name, p.sessionDurationHours])).toEqual([
      ['PlatformAdmin', 4],
      ['Developer', 8],
      ['ReadOnly', 8],
      ['Billing', 4],
    ]);
  });

  it('reads each guardrail policy and minifies it', () => {
    const { config } = checkConfigText(shipped, FILE);
    const leave = config?.serviceControlPolicies.find((p) => p.name === 'groundwork-deny-leave-organization');
    expect(JSON.parse(leave?.content ?? '{}').Statement[0].Action).toBe('organizations:LeaveOrganization');
    expect(leave?.content).not.toMatch(/\n/);
  });

  it('fills the region allow-list with the governed regions', () => {
    const { config } = checkConfigText(shipped, FILE);
    const regions = config?.serviceControlPolicies.find((p) => p.name === 'groundwork-region-allow-list');
    expect(JSON.parse(regions?.content ?? '{}').Statement[0].Condition.StringNotEquals['aws:RequestedRegion']).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('accepts a file that starts with a UTF-8 byte order mark', () => {
    expect(checkConfigText(`\uFEFF${shipped}`, FILE).issues).toEqual([]);
  });
});

describe('rejecting broken YAML', () => {
  it('reports a syntax error with its position', () => {
    expect(errorsOf('organization:\n  accounts: [a, b\n')).toEqual([
      expect.stringMatching(/^groundwork\.yaml:3:1 \(root\): YAML syntax error: .*\(check indentation/),
    ]);
  });

  it('reports a tab used for indentation', () => {
    expect(errorsOf('organization:\n\thomeRegion: us-east-1\n')[0]).toMatch(
      /^groundwork\.yaml:2:1 \(root\): tab used for indentation \(YAML indents with spaces only/,
    );
  });

  it('reports a duplicate key', () => {
    expect(errorsOf('organization:\n  homeRegion: us-east-1\n  homeRegion: eu-west-1\n')).toEqual([
      'groundwork.yaml:3:3 (root): duplicate key: this key appears twice in the same mapping (remove or merge one of the two)',
    ]);
  });

  it('reports an empty file', () => {
    expect(errorsOf('')).toEqual(['groundwork.yaml:1:1 (root): the file is empty (start from the groundwork.yaml shipped with Groundwork)']);
    expect(errorsOf('# just a comment\n')).toHaveLength(1);
  });

  it('reports a file that is not a mapping', () => {
    expect(errorsOf('- a\n- b\n')[0]).toMatch(/^groundwork\.yaml:1:1 \(root\): expected object, got a list/);
    // A config input pointing at another file (one long scalar) names its start and length, never the whole file.
    const other = `root:x:0:0:root:/root:/bin/bash ${'secret-looking-line '.repeat(20)}`;
    const error = errorsOf(other)[0] ?? '';
    expect(error).toMatch(/^groundwork\.yaml:1:1 \(root\): expected object, got string "root:x:0:0:root:\/root:\/bin\/bash secret-…" \(\d+ characters\)/);
    expect(error).not.toContain('secret-looking-line secret-looking-line');
  });

  it('reports an unresolved alias', () => {
    expect(errorsOf('organization: *nothing\n')[0]).toMatch(/groundwork\.yaml:1:\d+ /);
  });
});

describe('rejecting bad structure', () => {
  it('reports unknown keys at the key, with a did-you-mean hint', () => {
    const errors = errorsOf('organization:\n  homeRegon: us-east-1\n  accounts:\n    - name: a\n      ou: Stage\n');
    expect(errors).toContain('groundwork.yaml:2:3 organization.homeRegon: unknown key "homeRegon" (did you mean "homeRegion"?)');
    expect(errors).toContain('groundwork.yaml:5:7 organization.accounts[0].ou: unknown key "ou" (did you mean "organizationalUnit"?)');
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(errorsOf('zebra: 1\n')[0]).toMatch(/^groundwork\.yaml:1:1 zebra: unknown key "zebra" \(allowed: "organization", /);
  });

  it('reports wrong types with the value received', () => {
    const errors = errorsOf('organization:\n  homeRegion: 42\n  accounts:\n    - name: [x]\n      organizationalUnit: Stage\n');
    expect(errors).toContain('groundwork.yaml:2:15 organization.homeRegion: expected string, got number 42 (write a string)');
    expect(errors).toContain('groundwork.yaml:4:13 organization.accounts[0].name: expected string, got a list (write a string)');
  });

  it('reports a missing required field at its parent', () => {
    expect(errorsOf('organization:\n  accounts:\n    - name: a\n')).toEqual([
      'groundwork.yaml:3:7 organization.accounts[0].organizationalUnit: is required (expected string) (add the field)',
    ]);
  });

  it('collects every structural error at once', () => {
    expect(errorsOf('organization:\n  homeRegion: 1\n  governedRegions: 2\nidentityCenter: 3\n')).toHaveLength(3);
  });
});

describe('rejecting cross-field problems', () => {
  it('rejects an account name used twice', () => {
    const errors = errorsOf(
      minimal('    - { name: prod, organizationalUnit: Stage }\n    - { name: Prod, organizationalUnit: Stage, email: other@example.com, environment: prod2 }'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^groundwork\.yaml:6:\d+ organization\.accounts\[1\]\.name: account name "Prod" is already used by organization\.accounts\[0\]/),
    ]);
  });

  it('rejects an account e-mail used twice', () => {
    const errors = errorsOf(
      minimal('    - { name: a, organizationalUnit: Stage, email: same@example.com }\n    - { name: b, organizationalUnit: Stage, email: same@example.com }'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/organization\.accounts\[1\]\.email: e-mail "same@example.com" is already used by organization\.accounts\[0\]/),
    ]);
  });

  it('rejects a renamedFrom that is a current name, claimed twice, or combined with createNew', () => {
    const errors = errorsOf(
      minimal(
        [
          '    - { name: a, organizationalUnit: Stage, renamedFrom: b }',
          '    - { name: b, organizationalUnit: Stage, renamedFrom: b }',
          '    - { name: c, organizationalUnit: Stage, renamedFrom: old, createNew: true }',
          '    - { name: d, organizationalUnit: Stage, renamedFrom: old }',
        ].join('\n'),
      ),
    );
    expect(errors).toEqual([
      expect.stringMatching(/accounts\[0\]\.renamedFrom: renamedFrom "b" is the name of another account in the config/),
      expect.stringMatching(/accounts\[1\]\.renamedFrom: renamedFrom "b" is the account's own name \(remove renamedFrom\)/),
      expect.stringMatching(/accounts\[2\]\.createNew: createNew and renamedFrom contradict each other/),
      expect.stringMatching(/accounts\[3\]\.renamedFrom: renamedFrom "old" is claimed by another account too/),
    ]);
  });

  it('rejects a backend service with a bad repository, Fargate size, health path or task count', () => {
    const errors = errorsOf(
      `${shipped}`
        .replace('repository: example-org/backend-service', 'repository: backend-service')
        .replace('memoryMiB: 512', 'memoryMiB: 4096')
        .replace('healthCheckPath: /health', 'healthCheckPath: health')
        .replace('desiredCount: 2', 'desiredCount: 0'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/workloads\.backendService\.repository: "backend-service" is not a GitHub repository \(write it as OWNER\/NAME/),
      expect.stringMatching(/workloads\.backendService\.healthCheckPath: "health" is not a path/),
      expect.stringMatching(/workloads\.backendService\.memoryMiB: 4096 MiB is not allowed with 256 CPU units on Fargate \(use one of 512, 1024, 2048 MiB\)/),
      expect.stringMatching(/workloads\.backendService\.desiredCount: 0 tasks is out of range/),
    ]);
    expect(errorsOf(`${shipped}`.replace('cpu: 256', 'cpu: 300'))).toEqual([
      expect.stringMatching(/backendService\.cpu: 300 is not a Fargate CPU size \(use one of 256, 512, 1024/),
    ]);
  });

  it('rejects release settings outside what CodeDeploy and the load balancer accept, each with its position', () => {
    const errors = errorsOf(
      `${shipped}`
        .replace('tagPattern: v*', "tagPattern: '*'")
        .replace('deploymentConfig: CodeDeployDefault.ECSCanary10Percent5Minutes', 'deploymentConfig: CodeDeployDefault.AllAtOnce')
        .replace('bakeMinutes: 10', 'bakeMinutes: 3000')
        .replace('testListenerPort: 9000', 'testListenerPort: 443')
        .replace('testTrafficCidr: 10.0.0.0/16', 'testTrafficCidr: 0.0.0.0/0')
        .replace('extraAlarmArns: []', 'extraAlarmArns: [backend-errors]'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/workloads\.backendService\.release\.tagPattern: "\*" matches every tag/),
      expect.stringMatching(
        /release\.deploymentConfig: "CodeDeployDefault\.AllAtOnce" is not a predefined ECS deployment configuration \(use one of CodeDeployDefault\.ECSCanary10Percent5Minutes/,
      ),
      expect.stringMatching(
        /release\.bakeMinutes: 3000 minutes is out of range \(use 0 to 1440 minutes \(24 hours: the longest bake ECS's own blue\/green allows/,
      ),
      expect.stringMatching(/release\.testListenerPort: 443 cannot be the test listener's port/),
      expect.stringMatching(/release\.testTrafficCidr: "0\.0\.0\.0\/0" opens the test listener to the world/),
      expect.stringMatching(/release\.extraAlarmArns\[0\]: "backend-errors" is not a CloudWatch alarm ARN/),
    ]);
  });

  it('takes ECS blue/green as the release strategy unless codedeploy is asked for', () => {
    const ecs = checkConfigText(shipped.replace('      strategy: ecs\n', ''), FILE);
    expect(ecs.issues).toEqual([]);
    expect(ecs.config?.workloads.backendService?.release.strategy).toBe('ecs');
    const codedeploy = checkConfigText(shipped.replace('strategy: ecs', 'strategy: codedeploy').replace('bakeMinutes: 10', 'bakeMinutes: 1440'), FILE);
    expect(codedeploy.issues).toEqual([]);
    expect(codedeploy.config?.workloads.backendService?.release.strategy).toBe('codedeploy');
  });

  it('rejects an unknown release strategy, and a bake longer than ECS allows under either strategy, all at once, with the value, the range and the fix', () => {
    const errors = errorsOf(shipped.replace('strategy: ecs', 'strategy: lambda'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:\d+:\d+ workloads\.backendService\.release\.strategy: "lambda" is not a release strategy \(use ecs for ECS's own blue\/green, or codedeploy/,
      ),
    ]);
    for (const strategy of ['ecs', 'codedeploy']) {
      const both = errorsOf(
        shipped
          .replace('strategy: ecs', `strategy: ${strategy}`)
          .replace('bakeMinutes: 10', 'bakeMinutes: 2000')
          .replace('testListenerPort: 9000', 'testListenerPort: 80'),
      );
      expect(both).toEqual([
        expect.stringMatching(
          /release\.bakeMinutes: 2000 minutes is out of range \(use 0 to 1440 minutes \(24 hours: the longest bake ECS's own blue\/green allows/,
        ),
        expect.stringMatching(/release\.testListenerPort: 80 cannot be the test listener's port/),
      ]);
    }
  });

  it("rejects auth values outside Cognito's ranges, each with the range and unit and its position", () => {
    const errors = errorsOf(
      `${shipped}`
        .replace(
          '      accessTokenValidity: 12h\n      refreshTokenValidity: 30d\n      invitationDays: 7',
          '      accessTokenValidity: 2d\n      refreshTokenValidity: 30m\n      invitationDays: 400',
        )
        .replace(
          '      accessTokenValidity: 1h\n      refreshTokenValidity: 30d\n      signInCodeValidity: 12h',
          '      accessTokenValidity: 2h\n      refreshTokenValidity: 90m\n      signInCodeValidity: 8d',
        )
        .replace('callbackUrls: [https://app.example.com/callback]', 'callbackUrls: [http://app.example.com/callback]'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/auth\.environments\.staging\.accessTokenValidity: 2d is outside the access token's range in Cognito \(use 5 minutes – 24 hours\)/),
      expect.stringMatching(
        /auth\.environments\.staging\.refreshTokenValidity: 30m is outside the refresh token's range in Cognito \(use 60 minutes – 10 years/,
      ),
      expect.stringMatching(/auth\.environments\.staging\.invitationDays: 400 days is outside the invitation code's range in Cognito \(use 1 to 365 days\)/),
      expect.stringMatching(
        /auth\.environments\.prod\.refreshTokenValidity: the refresh token \(90 minutes\) would expire before the ID token \(12 hours\) \(make refreshTokenValidity at least 12 hours, or shorten idTokenValidity\)/,
      ),
      expect.stringMatching(/auth\.environments\.prod\.signInCodeValidity: 8d is longer than 7 days/),
      expect.stringMatching(/auth\.environments\.prod\.callbackUrls\[0\]: "http:\/\/app\.example\.com\/callback" is not an https URL/),
    ]);
    expect(errorsOf(`${shipped}`.replace('    staging:\n      accessTokenValidity', '    stagin:\n      accessTokenValidity'))).toEqual([
      expect.stringMatching(/auth\.environments\.stagin: no account has the environment "stagin" \(did you mean "staging"\?\)/),
    ]);
    expect(
      errorsOf(
        `${shipped}`.replace('signInCodeValidity: 12h\n      callbackUrls: [https://staging', 'signInCodeValidity: soon\n      callbackUrls: [https://staging'),
      ),
    ).toEqual([expect.stringMatching(/auth\.environments\.staging\.signInCodeValidity: "soon" is not a duration \(write a number with m, h or d/)]);
  });

  it('rejects a malformed e-mail', () => {
    expect(errorsOf(minimal('    - { name: a, organizationalUnit: Stage, email: not-an-email }'))[0]).toMatch(
      /organization\.accounts\[0\]\.email: "not-an-email" is not a valid account e-mail/,
    );
  });

  it('rejects an e-mail template without {account}', () => {
    const errors = errorsOf(
      `organization:\n  accountEmailTemplate: aws@example.com\n  organizationalUnits: [{ name: Stage }]\n  accounts:\n    - { name: a, organizationalUnit: Stage }\n    - { name: b, organizationalUnit: Stage }\n`,
    );
    expect(errors[0]).toMatch(/^groundwork\.yaml:2:25 organization\.accountEmailTemplate: "aws@example\.com" does not contain \{account\}/);
  });

  it('rejects an unknown OU with a suggestion', () => {
    expect(errorsOf(minimal('    - { name: a, organizationalUnit: Stag }'))).toEqual([
      expect.stringMatching(/^groundwork\.yaml:5:\d+ organization\.accounts\[0\]\.organizationalUnit: unknown OU "Stag" \(did you mean "Stage"\?\)/),
    ]);
  });

  it('rejects an account name longer than 50 characters', () => {
    const name = 'a'.repeat(51);
    expect(errorsOf(minimal(`    - { name: ${name}, organizationalUnit: Stage, email: x@example.com }`))[0]).toMatch(/has 51 characters; AWS allows 1-50/);
  });

  it('rejects an unknown region with a suggestion', () => {
    expect(errorsOf('organization:\n  homeRegion: us-east-9\n  governedRegions: [us-east-9]\n')).toContain(
      'groundwork.yaml:2:15 organization.homeRegion: "us-east-9" is not an AWS region (did you mean "us-east-1"?)',
    );
  });

  it('rejects more than five SCPs on one target, counting FullAWSAccess', () => {
    const policies = [1, 2, 3, 4, 5].map((i) => `  - { name: p${i}, guardrail: deny-root-user, targets: { root: true } }`).join('\n');
    const errors = errorsOf(`serviceControlPolicies:\n${policies}\n`);
    expect(errors).toEqual([
      expect.stringMatching(/serviceControlPolicies\[4\]\.targets\.root: the organization root would carry 6 SCPs \(FullAWSAccess included\); AWS allows 5/),
    ]);
  });

  it('rejects a policy larger than 5,120 characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-'));
    const statement = { Effect: 'Deny', Action: Array.from({ length: 400 }, (_, i) => `ec2:Action${i}`), Resource: '*' };
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));
    writeFileSync(join(dir, 'groundwork.yaml'), 'serviceControlPolicies:\n  - { name: big, file: big.json, targets: { root: true } }\n');
    expect(() => loadConfig(join(dir, 'groundwork.yaml'))).toThrow(/has 1 error/);
    const check = checkConfigText(readFileSync(join(dir, 'groundwork.yaml'), 'utf8'), join(dir, 'groundwork.yaml'));
    expect(check.issues[0]?.message).toMatch(/characters after minifying; AWS allows 5120/);
  });

  it('rejects session durations outside 1-12 hours', () => {
    const errors = errorsOf('identityCenter:\n  permissionSets:\n    - { name: A, sessionDurationHours: 0 }\n    - { name: B, sessionDurationHours: 13 }\n');
    expect(errors).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:3:\d+ identityCenter\.permissionSets\[0\]\.sessionDurationHours: session duration 0 h is out of range \(use 1 to 12 hours\)/,
      ),
      expect.stringMatching(/^groundwork\.yaml:4:\d+ identityCenter\.permissionSets\[1\]\.sessionDurationHours: session duration 13 h/),
    ]);
  });

  it('rejects zero and negative budgets', () => {
    const errors = errorsOf(
      minimal('    - { name: a, organizationalUnit: Stage, monthlyBudgetUsd: 0 }\n    - { name: b, organizationalUnit: Stage, monthlyBudgetUsd: -5 }'),
    );
    expect(errors).toEqual([expect.stringMatching(/budget must be more than 0 USD, got 0/), expect.stringMatching(/budget must be more than 0 USD, got -5/)]);
  });

  it('rejects a Playground guard on the management account, an unknown account, or with a threshold of 0', () => {
    const guard = (account: string, threshold: number) =>
      errorsOf(
        minimal('    - { name: dev, organizationalUnit: Stage }', `cost:\n  playgroundGuard: { account: ${account}, thresholdPercent: ${threshold} }\n`),
      );
    expect(guard('management', 100)).toEqual([expect.stringMatching(/cost.playgroundGuard.account: SCPs never apply to the management account/)]);
    expect(guard('deve', 0).map((e) => e.replace(/^\S+ /, ''))).toEqual([
      'cost.playgroundGuard.account: unknown account "deve" (did you mean "dev"?)',
      'cost.playgroundGuard.thresholdPercent: threshold must be more than 0 and at most 1000 percent, got 0 (use 100 to act when the budget is spent)',
    ]);
  });

  it('rejects a second declaration of the guard policy', () => {
    const errors = errorsOf(
      minimal(
        '    - { name: dev, organizationalUnit: Stage }',
        'serviceControlPolicies:\n  - { name: groundwork-deny-new-spend, guardrail: deny-root-user, targets: { root: true } }\ncost:\n  playgroundGuard: { account: dev }\n',
      ),
    );
    expect(errors).toEqual([expect.stringMatching(/cost.playgroundGuard: the Playground guard's policy "groundwork-deny-new-spend" is also declared/)]);
  });

  it('rejects references to unknown groups, permission sets and accounts', () => {
    const errors = errorsOf(
      'identityCenter:\n  permissionSets: [{ name: Dev }]\n  groups: [{ name: Ops }]\n  assignments:\n    - { group: Opps, permissionSet: Devv, accounts: [nowhere] }\n',
    );
    expect(errors.map((e) => e.replace(/^\S+ /, ''))).toEqual([
      'identityCenter.assignments[0].group: unknown group "Opps" (did you mean "Ops"?)',
      'identityCenter.assignments[0].permissionSet: unknown permission set "Devv" (did you mean "Dev"?)',
      'identityCenter.assignments[0].accounts[0]: unknown account "nowhere" (allowed: "management")',
    ]);
  });

  it('rejects an unknown guardrail', () => {
    expect(errorsOf('serviceControlPolicies:\n  - { name: x, guardrail: deny-root, targets: { root: true } }\n')[0]).toMatch(
      /serviceControlPolicies\[0\]\.guardrail: unknown guardrail "deny-root" \(did you mean "deny-root-user"\?\)/,
    );
  });

  it('rejects an OU cycle', () => {
    expect(errorsOf('organization:\n  organizationalUnits:\n    - { name: A, parent: B }\n    - { name: B, parent: A }\n')[0]).toMatch(/is its own ancestor/);
  });
});

describe('loadConfig', () => {
  it('throws CONFIG_NOT_FOUND for a file that does not exist', () => {
    try {
      loadConfig('/nonexistent/groundwork.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GroundworkError);
      expect((error as GroundworkError).code).toBe('CONFIG_NOT_FOUND');
      expect((error as GroundworkError).hint).toMatch(/--config FILE/);
    }
  });

  it('throws CONFIG_INVALID listing every issue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-'));
    const file = join(dir, 'groundwork.yaml');
    writeFileSync(file, 'organization:\n  homeRegon: x\n  acounts: []\n');
    try {
      loadConfig(file);
      expect.unreachable();
    } catch (error) {
      expect((error as GroundworkError).code).toBe('CONFIG_INVALID');
      expect((error as GroundworkError).details).toHaveLength(2);
    }
  });
});
