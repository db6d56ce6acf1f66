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
});
