import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

async function validate(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', ...args], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }, env);
  return { code, stdout, stderr };
}

describe('groundwork validate --annotations (the PR check)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-annotations-'));
  const file = join(dir, 'infra', 'groundwork.yaml');
  // Two errors: an unknown key on line 3 (column 3) and a budget that is not a number on line 7 (column 25).
  const text = [
    'organization:',
    '  homeRegion: us-east-1',
    '  homeRegoin: eu-west-1',
    '  accounts:',
    '    - name: prod',
    '      organizationalUnit: Stage',
    '      monthlyBudgetUsd: lots',
    '  organizationalUnits:',
    '    - name: Stage',
    '',
  ].join('\n');

  it('prints one error annotation per error at its line and column, relative to the workspace, and fails', async () => {
    mkdirSync(join(dir, 'infra'), { recursive: true });
    writeFileSync(file, text);
    const run = await validate(['--config', file], { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
    expect(run.code).toBe(1);
    const annotations = run.stdout.trim().split('\n');
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatch(
      /^::error file=infra\/groundwork\.yaml,line=3,col=3,title=organization\.homeRegoin::organization\.homeRegoin: unknown key "homeRegoin"/,
    );
    expect(annotations[1]).toMatch(/^::error file=infra\/groundwork\.yaml,line=7,col=25,title=organization\.accounts\[0\]\.monthlyBudgetUsd::/);
    // The human error is there too, on stderr, with the same two issues.
    expect(run.stderr).toMatch(/has 2 errors/);
  });

  it('prints no annotation outside GitHub Actions unless asked, and none for a valid config', async () => {
    const plain = await validate(['--config', file], { ...process.env, GITHUB_ACTIONS: '' });
    expect(plain.stdout).toBe('');
    const asked = await validate(['--config', file, '--annotations'], { ...process.env, GITHUB_ACTIONS: '' });
    expect(asked.stdout.trim().split('\n')).toHaveLength(2);
    const valid = await validate(['--config', 'groundwork.yaml', '--annotations'], { ...process.env });
    expect(valid.code).toBe(0);
    expect(valid.stdout).not.toMatch(/::error/);
  });

  it('--people checks the people file offline: each row an import would reject annotated at its line, a name given twice too', async () => {
    const people = join(dir, 'infra', 'people.csv');
    writeFileSync(
      people,
      [
        'username,email,given_name,family_name,display_name,groups',
        'ann,ann@example.com,Ann,Ops,,Operators',
        'bad,not-an-email,B,Ad,,Developers',
        'cy,cy@example.com,Cy,Dev,,Developers;Designers',
        'ann,ann2@example.com,Ann,Other,,Developers',
        '',
      ].join('\n'),
    );
    const run = await validate(['--config', 'groundwork.yaml', '--people', people], { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      '::error file=infra/people.csv,line=3,col=1,title=infra/people.csv line 3::email "not-an-email" is not a valid e-mail address',
      '::error file=infra/people.csv,line=4,col=1,title=infra/people.csv line 4::group "Designers" is not declared in the config (identityCenter.groups)',
      '::error file=infra/people.csv,line=5,col=1,title=infra/people.csv line 5::username "ann" is also on line 2',
    ]);
    expect(run.stderr).toMatch(/people\.csv: 3 of 4 row\(s\) would be rejected by the import/);
    const valid = await validate(['--config', 'groundwork.yaml', '--people', 'examples/users.csv'], { ...process.env, GITHUB_ACTIONS: '' });
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^examples\/users\.csv is valid: 25 people$/m);
  });
});
