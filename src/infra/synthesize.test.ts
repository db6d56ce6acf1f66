import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CustomResourceProvider, CustomResourceProviderRuntime, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../../test/helpers/paths.js';
import { loadConfig } from '../config/load-config.js';
import { resolveValue } from '../delivery/trust-policy.js';
import { placeholderAccountId, placeholderDirectory } from './account-directory.js';
import { boundManagementRoles } from './build-app.js';
import { CDK_BOUNDARY_POLICY } from './cdk-boundary.js';
import { lintTemplates } from './cfn-lint.js';
import { synthesize } from './synthesize.js';

const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));

describe('synthesizing the default organization', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gw-synth-'));
  const result = synthesize({ config, accounts: placeholderDirectory(config), outdir });

  it('writes every stack into the management account of the home region', () => {
    expect(result.stacks.map((s) => s.stackName)).toContain('groundwork-operator-notifications');
    const stack = result.stacks.find((s) => s.stackName === 'groundwork-operator-notifications');
    expect(stack).toMatchObject({ account: placeholderAccountId('management'), region: 'us-east-1' });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged findings', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: unknown[] }[] };
    expect(report.pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });

  it('gives templates that cfn-lint accepts with zero errors', async () => {
    const findings = await lintTemplates(
      { venvDir: SHARED_PATHS.venv, stateDir: SHARED_PATHS.home },
      result.stacks.map((s) => s.templateFile),
    );
    expect(findings.filter((f) => f.level === 'Error')).toEqual([]);
  });

  it('tags the resources of every stack as managed by Groundwork', () => {
    expect(result.stacks.map((s) => s.stackName).sort()).toEqual([
      'groundwork-audit-trail',
      'groundwork-cost-controls',
      'groundwork-cost-statements',
      'groundwork-log-archive',
      'groundwork-operator-notifications',
      'groundwork-security-findings',
      'groundwork-security-findings-forwarder',
    ]);
    for (const stack of result.stacks) {
      const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as { Resources: Record<string, { Properties?: { Tags?: unknown } }> };
      const tagged = Object.values(template.Resources).filter((r) => Array.isArray(r.Properties?.Tags));
      expect(tagged.length).toBeGreaterThan(0);
      for (const resource of tagged) expect(resource.Properties?.Tags).toContainEqual({ Key: 'groundwork:managed', Value: 'true' });
    }
  });

  it("gives every role and user of the management account's stacks the CDK deploy path's permissions boundary, custom resource roles included", () => {
    const management = placeholderAccountId('management');
    const bounded = result.stacks.filter((s) => s.account === management);
    expect(bounded.map((s) => s.stackName).sort()).toEqual([
      'groundwork-audit-trail',
      'groundwork-cost-controls',
      'groundwork-cost-statements',
      'groundwork-operator-notifications',
      'groundwork-security-findings',
    ]);
    const principals = bounded.flatMap((stack) => {
      const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as {
        Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      };
      return Object.entries(template.Resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User')
        .map(([id, r]) => ({
          role: `${stack.stackName}/${id}`,
          boundary: resolveValue(r.Properties?.PermissionsBoundary, { parameters: {}, accountId: management, region: stack.region }),
        }));
    });
    expect(principals.length).toBeGreaterThan(3);
    for (const p of principals) expect(p).toEqual({ role: p.role, boundary: `arn:aws:iam::${management}:policy/${CDK_BOUNDARY_POLICY}` });
  });

  it('every alarm notifies a topic whose key lets CloudWatch publish, for this account only', () => {
    type Template = {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
    };
    const templates = result.stacks.map((s) => JSON.parse(readFileSync(s.templateFile, 'utf8')) as Template);
    /** The template and logical ID a topic reference points at, across stacks through exports. */
    const resolve = (ref: unknown, home: Template): { template: Template; id: string } => {
      const r = ref as { Ref?: string; 'Fn::ImportValue'?: string };
      if (r.Ref) return { template: home, id: r.Ref };
      const name = r['Fn::ImportValue'] as string;
      for (const t of templates) {
        for (const output of Object.values(t.Outputs ?? {})) if (output.Export?.Name === name) return resolve(output.Value, t);
      }
      throw new Error(`no export ${JSON.stringify(ref)}`);
    };
    const alarms = templates.flatMap((t) =>
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((alarm) => ({ t, alarm })),
    );
    expect(alarms.length).toBeGreaterThan(0);
    for (const { t, alarm } of alarms) {
      const actions = alarm.Properties.AlarmActions as unknown[];
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        const topic = resolve(action, t);
        const topicResource = topic.template.Resources[topic.id];
        if (!topicResource) throw new Error(`alarm action ${topic.id} is not a resource`);
        expect(topicResource.Type).toBe('AWS::SNS::Topic');
        const keyId = (topicResource.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
        const key = topic.template.Resources[keyId];
        if (!key) throw new Error(`the topic's key ${keyId} is not in its stack`);
        const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
        const cloudwatch = statements.find((st) => (st.Principal as { Service?: string })?.Service === 'cloudwatch.amazonaws.com');
        expect(cloudwatch?.Effect).toBe('Allow');
        expect([...((cloudwatch?.Action as string[] | undefined) ?? [])].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
        expect(JSON.stringify(cloudwatch?.Condition)).toContain('aws:SourceAccount');
        expect(JSON.stringify(cloudwatch?.Condition)).toContain(':alarm:*');
      }
    }
  });
});

describe('the permissions boundary of the management stacks', () => {
  it("reaches roles written as plain CfnResources (a custom resource provider's), in the management account only", () => {
    const app = new App();
    const management = new Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
    const code = mkdtempSync(join(tmpdir(), 'gw-provider-'));
    writeFileSync(join(code, 'index.js'), 'exports.handler = async () => ({});\n');
    CustomResourceProvider.getOrCreateProvider(management, 'Custom::Probe', {
      codeDirectory: code,
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
    });
    new iam.Role(management, 'FunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const elsewhere = new Stack(app, 'LogArchive', { env: { account: '222222222222', region: 'us-east-1' } });
    new iam.Role(elsewhere, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    boundManagementRoles(app, '111111111111');
    const assembly = app.synth();
    const boundaries = (stack: string) =>
      Object.values(assembly.getStackByName(stack).template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
        .filter((r) => r.Type === 'AWS::IAM::Role')
        .map((r) => resolveValue(r.Properties.PermissionsBoundary, { parameters: {}, accountId: '111111111111' }));
    expect(boundaries('Management')).toEqual([
      `arn:aws:iam::111111111111:policy/${CDK_BOUNDARY_POLICY}`,
      `arn:aws:iam::111111111111:policy/${CDK_BOUNDARY_POLICY}`,
    ]);
    expect(boundaries('LogArchive')).toEqual([undefined]);
  });
});

describe('placeholder account IDs', () => {
  it('are 12 digits and the same for the same name', () => {
    expect(placeholderAccountId('prod')).toMatch(/^\d{12}$/);
    expect(placeholderAccountId('prod')).toBe(placeholderAccountId('prod'));
    expect(placeholderAccountId('prod')).not.toBe(placeholderAccountId('staging'));
  });
});

describe('the cdk-nag gate', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gw-nag-')) });
    new s3.Bucket(new Stack(app, 'Bad'), 'Bucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const error = console.error;
    console.error = () => {};
    try {
      expect(() => app.synth()).toThrow(/Validation failed|server access logs disabled/);
    } finally {
      console.error = error;
    }
  });
});
