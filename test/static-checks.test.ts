import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { venvBin } from '../src/sandbox/emulator.js';
import { SHARED_PATHS } from './helpers/paths.js';

const run = promisify(execFile);
const root = SHARED_PATHS.root;
const paths = { venvDir: SHARED_PATHS.venv, stateDir: SHARED_PATHS.home };
const yamlIn = (dir: string) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f))
    : [];
const workflows = [...yamlIn('.github/workflows'), ...yamlIn('workflows-templates')];
const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

/** A venv program the static checks need; check-jsonschema and zizmor need Python 3.11+, which the lock says. */
function tool(name: string): string {
  const bin = venvBin(paths, name);
  if (!existsSync(bin)) {
    throw new Error(
      `${name} is not in ${SHARED_PATHS.venv}: the workflow checks need Python 3.11 or newer for the emulator venv (delete the venv to reinstall)`,
    );
  }
  return bin;
}

/** Runs a checker; returns its exit code and output instead of throwing. */
async function check(bin: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe("GitHub's schemas (check-jsonschema)", () => {
  it('accept every workflow', async () => {
    expect(workflows.length).toBeGreaterThan(0);
    const result = await check(tool('check-jsonschema'), ['--builtin-schema', 'vendor.github-workflows', ...workflows]);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('ok -- validation done') });
  });

  it('accept every action.yml', async () => {
    const result = await check(tool('check-jsonschema'), [
      '--builtin-schema',
      'vendor.github-actions',
      ...actions.map((a) => join('actions', a, 'action.yml')),
    ]);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('ok -- validation done') });
  });

  it('accept the Dependabot config', async () => {
    const result = await check(tool('check-jsonschema'), ['--builtin-schema', 'vendor.dependabot', '.github/dependabot.yml']);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('ok -- validation done') });
  });
});

describe('zizmor', () => {
  it('finds nothing in the workflows and the Dependabot config (offline audits)', async () => {
    // A folder other than .github/workflows is not collected by zizmor: the caller templates are named one by one.
    const targets = ['.github/workflows', '.github/dependabot.yml', ...yamlIn('workflows-templates')];
    const result = await check(tool('zizmor'), ['--offline', '--no-progress', '--format', 'plain', ...targets]);
    expect(result.output).toMatch(/No findings to report/);
    for (const file of [...yamlIn('workflows-templates'), '.github/dependabot.yml']) expect(result.output).toContain(`completed ${file}`);
    // zizmor skips a file it cannot parse with only a warning: that must fail here.
    expect(result.output).not.toMatch(/failed to parse/);
    expect(result.code).toBe(0);
  });
});

describe('every action', () => {
  for (const name of actions) {
    const dir = join(root, 'actions', name);
    const spec = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string; post?: string; 'post-if'?: string };
      inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
      outputs?: Record<string, { description?: string }>;
    };
    const source = readFileSync(join(dir, 'main.ts'), 'utf8');

    it(`${name}: runs on node24 from a committed bundle`, () => {
      // A post step (cleanup after a cancelled job) runs the same bundle, always.
      const post = spec.runs.post === undefined ? {} : { post: 'dist/index.js', 'post-if': 'always()' };
      expect(spec.runs).toEqual({ using: 'node24', main: 'dist/index.js', ...post });
      expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
    });

    it(`${name}: describes every input and output, and states the default of every optional input`, () => {
      for (const [input, value] of Object.entries(spec.inputs ?? {})) {
        expect({ input, described: !!value.description }).toEqual({ input, described: true });
        if (!value.required) expect({ input, hasDefault: value.default !== undefined }).toEqual({ input, hasDefault: true });
      }
      for (const [output, value] of Object.entries(spec.outputs ?? {})) expect({ output, described: !!value.description }).toEqual({ output, described: true });
    });

    it(`${name}: reads exactly the inputs it declares, and sets exactly the outputs it declares`, () => {
      const read = new Set([...source.matchAll(/getInput\('([a-z0-9-]+)'/g)].map((m) => m[1]));
      const set = new Set([...source.matchAll(/setOutput\('([a-z0-9-]+)'/g)].map((m) => m[1]));
      expect([...read].sort()).toEqual(Object.keys(spec.inputs ?? {}).sort());
      expect([...set].sort()).toEqual(Object.keys(spec.outputs ?? {}).sort());
    });
  }
});
