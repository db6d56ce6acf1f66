import { execFile } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NODE24_VERSION, node24 } from '../helpers/node24.js';
import { SHARED_PATHS } from '../helpers/paths.js';
import { runAction } from '../helpers/run-action.js';

const exec = promisify(execFile);
const root = resolve(SHARED_PATHS.root);
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** `groundwork validate` as a later step runs it: the PATH the action added, in a workspace holding only the config. */
async function validateWith(path: readonly string[], env: Record<string, string>): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'gw-infra-'));
  writeFileSync(join(workspace, 'groundwork.yaml'), readFileSync(join(root, 'groundwork.yaml')));
  const { stdout } = await exec('groundwork', ['validate'], { cwd: workspace, env: { ...process.env, ...env, PATH: [...path, process.env.PATH].join(':') } });
  return stdout;
}

describe('setup-groundwork, bundled and run as the runner runs it', () => {
  it('finds the library it was downloaded with, puts its bin/ on PATH, and the CLI runs from there', async () => {
    const run = await runAction('setup-groundwork', { 'install-python-tools': 'false' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`Dependencies are installed in ${root} already`);
    expect(run.outputs).toEqual({ version, path: root });
    expect(run.exported.GROUNDWORK_HOME).toMatch(/groundwork$/);
    expect(run.path).toEqual([join(run.exported.GROUNDWORK_HOME ?? '', 'bin')]);
    expect(await validateWith(run.path, run.exported)).toMatch(/^groundwork\.yaml is valid: 4 OUs, 6 accounts/);
  });

  it('links the CLI for the node on PATH when that node runs Groundwork (22.12 or newer)', async () => {
    const node24Dir = dirname(node24());
    const run = await runAction('setup-groundwork', { 'install-python-tools': 'false' }, { PATH: [node24Dir, process.env.PATH].join(':') });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`groundwork runs on node v${NODE24_VERSION} from PATH`);
    expect(lstatSync(join(run.path[0] ?? '', 'groundwork')).isSymbolicLink()).toBe(true);
  });

  it("when the job's node is older than 22.12, groundwork runs on the runner's Node 24 instead, and says so", async () => {
    // A job's node that GitHub's runner image could still have (Node 20): it answers --version and runs nothing else.
    const oldNode = mkdtempSync(join(tmpdir(), 'gw-old-node-'));
    writeFileSync(join(oldNode, 'node'), '#!/bin/sh\nif [ "$1" = --version ]; then echo v20.19.0; exit 0; fi\necho "this is Node 20" >&2; exit 1\n', {
      mode: 0o755,
    });
    const path = [oldNode, process.env.PATH].join(':');
    const run = await runAction('setup-groundwork', { 'install-python-tools': 'false' }, { PATH: path });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("::warning::The node on PATH is v20.19.0, older than Groundwork's 22.12: groundwork runs on the runner's Node v24.");
    const cli = join(run.path[0] ?? '', 'groundwork');
    expect(lstatSync(cli).isSymbolicLink()).toBe(false);
    // The old node stays first on PATH for the later step, and the CLI still runs.
    expect(await validateWith([...run.path, oldNode], run.exported)).toMatch(/^groundwork\.yaml is valid: 4 OUs, 6 accounts/);
  });

  it('in a fresh download, installs only the production dependencies (no install scripts) and the pinned Python tools', async () => {
    // The library as the runner downloads it: the repository's files, no node_modules.
    const library = join(mkdtempSync(join(tmpdir(), 'gw-library-')), 'groundwork');
    const skip = new Set(['node_modules', '.git', '.groundwork', 'cdk.out', 'test-results', 'coverage', 'statements', 'scratch']);
    cpSync(root, library, {
      recursive: true,
      filter: (source) =>
        !relative(root, source)
          .split('/')
          .some((part) => skip.has(part)),
    });
    expect(existsSync(join(library, 'node_modules'))).toBe(false);
    // The shared test venv stands in for the runner's: the action installs into it only if its pins differ.
    const run = await runAction('setup-groundwork', {}, { GROUNDWORK_EMULATOR_VENV: SHARED_PATHS.venv }, { library });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('npm ci (production dependencies)');
    expect(existsSync(join(library, 'node_modules', 'aws-cdk-lib'))).toBe(true);
    expect(existsSync(join(library, 'node_modules', 'vitest'))).toBe(false);
    // --ignore-scripts: the postinstall that installs the example service's dependencies did not run.
    expect(existsSync(join(library, 'examples', 'backend-service', 'node_modules'))).toBe(false);
    expect(run.stdout).toContain('cfn-lint and moto (pinned, hash-checked)');
    expect(run.outputs.path).toBe(library);
    expect(await validateWith(run.path, { ...run.exported, GROUNDWORK_EMULATOR_VENV: SHARED_PATHS.venv })).toMatch(/^groundwork\.yaml is valid/);
  }, 300_000);
});
