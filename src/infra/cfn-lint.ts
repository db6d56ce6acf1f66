import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GroundworkError } from '../errors.js';
import { type EmulatorPaths, venvBin } from '../sandbox/emulator.js';

/** One cfn-lint finding. */
export interface LintFinding {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

/** Runs the pinned cfn-lint from the emulator's venv over templates; returns every finding (errors, warnings, informational). */
export function lintTemplates(paths: EmulatorPaths, templateFiles: readonly string[]): Promise<LintFinding[]> {
  const bin = venvBin(paths, 'cfn-lint');
  if (!existsSync(bin)) {
    return Promise.reject(
      new GroundworkError('CFN_LINT_MISSING', `cfn-lint is not installed at ${bin}`, { hint: 'run `npx groundwork emulator start` once to install it' }),
    );
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, ['--format', 'json', '--', ...templateFiles], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const raw = JSON.parse(stdout || '[]') as {
          Rule: { Id: string };
          Level: string;
          Message: string;
          Filename: string;
          Location: { Start: { LineNumber: number } };
        }[];
        resolvePromise(raw.map((f) => ({ rule: f.Rule.Id, level: f.Level, message: f.Message, file: f.Filename, line: f.Location.Start.LineNumber })));
      } catch {
        reject(new GroundworkError('SYNTH_FAILED', `cfn-lint did not return JSON: ${(stderr || stdout).slice(0, 500)}`));
      }
    });
  });
}
