import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../../test/helpers/paths.js';
import { loadConfig } from '../config/load-config.js';
import { placeholderAccountId, placeholderDirectory } from './account-directory.js';
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
    ]);
    for (const stack of result.stacks) {
      const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as { Resources: Record<string, { Properties?: { Tags?: unknown } }> };
      const tagged = Object.values(template.Resources).filter((r) => Array.isArray(r.Properties?.Tags));
      expect(tagged.length).toBeGreaterThan(0);
      for (const resource of tagged) expect(resource.Properties?.Tags).toContainEqual({ Key: 'groundwork:managed', Value: 'true' });
    }
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
