import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templatesDir } from '../src/deploy/baselines.js';
import { checkCommittedTemplates } from '../src/infra/check-templates.js';
import { cli } from './helpers/run-cli.js';

describe('groundwork synth --check (the pull-request check of the templates)', () => {
  it('passes when cloudformation/ is what its code synthesizes and cfn-lint finds no error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gw-synth-'));
    const run = await cli(['synth', '--check', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/✓ 6 committed template\(s\) current; cfn-lint: no errors/);
  });

  it('names a committed template that no longer matches its code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cloudformation-'));
    cpSync(templatesDir(), dir, { recursive: true });
    const file = join(dir, 'ecr-repository.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    template.Description = 'edited by hand';
    writeFileSync(file, JSON.stringify(template, null, 2));
    const result = checkCommittedTemplates(dir);
    expect(result.filter((t) => !t.current).map((t) => t.file)).toEqual(['ecr-repository.json']);
    expect(result).toHaveLength(6);
  });
});
