import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configWith } from '../../../test/helpers/org.js';
import { SHARED_PATHS } from '../../../test/helpers/paths.js';
import { desiredBaselines } from '../../deploy/baselines.js';
import { placeholderDirectory } from '../account-directory.js';
import { lintTemplates } from '../cfn-lint.js';
import { synthesize } from '../synthesize.js';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>; Conditions?: Record<string, unknown> };

describe('AWS Config recording (security.config.enabled)', () => {
  const config = configWith((raw) => {
    raw.security.config = { enabled: true, recordingFrequency: 'DAILY' };
  });
  const outdir = mkdtempSync(join(tmpdir(), 'gw-config-rec-'));
  const synth = synthesize({ config, accounts: placeholderDirectory(config), outdir });
  const recording = synth.stacks.filter((s) => s.stackName === 'groundwork-config-recording');
  const template = (i: number) => JSON.parse(readFileSync(recording[i]?.templateFile as string, 'utf8')) as Template;
  const ofType = (t: Template, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

  it("is synthesized for the management account and as the member accounts' StackSet template, cdk-nag clean", () => {
    expect(recording).toHaveLength(2);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: unknown[] }[] };
    expect(report.pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });

  it('passes cfn-lint with no errors', async () => {
    const findings = await lintTemplates(
      { venvDir: SHARED_PATHS.venv, stateDir: SHARED_PATHS.home },
      recording.map((s) => s.templateFile),
    );
    expect(findings.filter((f) => f.level === 'Error')).toEqual([]);
  });

  it('records every supported type at the configured frequency, global types in the home region only', () => {
    const t = template(1);
    const [recorder] = ofType(t, 'AWS::Config::ConfigurationRecorder');
    expect(recorder?.Properties).toMatchObject({
      Name: 'groundwork',
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: { 'Fn::If': ['InHomeRegion', true, false] } },
      RecordingMode: { RecordingFrequency: 'DAILY' },
    });
    expect(t.Conditions?.InHomeRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(ofType(t, 'AWS::Config::DeliveryChannel')).toHaveLength(1);
  });

  it("delivers to the account's own bucket, which lets in only AWS Config acting for this account", () => {
    const [policy] = ofType(template(1), 'AWS::S3::BucketPolicy');
    if (!policy) throw new Error('no AWS::S3::BucketPolicy in the template');
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Sid?: string; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> }[] }
    ).Statement;
    const delivery = statements.find((s) => s.Sid === 'AWSConfigBucketDelivery');
    expect(delivery?.Principal).toEqual({ Service: 'config.amazonaws.com' });
    expect(delivery?.Condition?.StringEquals).toMatchObject({ 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('is a StackSet for every member account in every governed region, and absent when Config is off', () => {
    const ids = placeholderDirectory(config);
    const ouIds = new Map(config.organization.organizationalUnits.map((ou) => [ou.name, `ou-${ou.name}`]));
    const { specs } = desiredBaselines(config, { accountIds: ids.ids, ouIds }, { configRecordingTemplate: '{}', readTemplate: () => '{}' });
    const spec = specs.find((s) => s.name === 'groundwork-config-recording');
    expect(spec?.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(spec?.accountIds).toHaveLength(config.organization.accounts.length);
    const off = configWith();
    expect(
      desiredBaselines(off, { accountIds: ids.ids, ouIds }, { configRecordingTemplate: '{}', readTemplate: () => '{}' }).specs.map((s) => s.name),
    ).not.toContain('groundwork-config-recording');
  });
});
