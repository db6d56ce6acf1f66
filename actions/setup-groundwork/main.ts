import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { actionError, booleanInput } from '../../src/delivery/action-io.js';
import { GroundworkError } from '../../src/errors.js';

/** Runs a command with its output streamed to the log; fails with its last lines. */
function exec(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const log = (chunk: Buffer) => {
      const text = String(chunk);
      tail = (tail + text).slice(-2000);
      process.stdout.write(text);
    };
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new GroundworkError('USAGE', `${command} ${args.join(' ')} exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' / ')}`)),
    );
  });
}

/**
 * The library's root: this bundle is actions/setup-groundwork/dist/index.js inside the repository the runner
 * downloaded at the pinned commit, so the root is three folders up (checked by its package.json).
 */
function libraryRoot(): { root: string; version: string } {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const manifest = join(root, 'package.json');
  const pkg = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string }) : {};
  if (pkg.name !== 'groundwork' || !existsSync(join(root, 'bin', 'groundwork.js'))) {
    throw new GroundworkError('USAGE', `setup-groundwork runs from ${root}, which is not the Groundwork library`, {
      hint: 'use it as uses: OWNER/groundwork/actions/setup-groundwork@SHA (or $/actions/setup-groundwork in this library’s reusable workflows)',
    });
  }
  return { root, version: pkg.version ?? '0.0.0' };
}

/** Node.js 22.12 is the oldest Groundwork runs on (package.json engines). */
export function supportsGroundwork(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

/** The version of the `node` later steps find on PATH, or undefined when there is none. */
function nodeOnPath(): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    execFile('node', ['--version'], (error, stdout) => resolvePromise(error ? undefined : stdout.trim()));
  });
}

/**
 * `groundwork` in bin/: a link to the entry point when the job's own `node` can run it (the workflow chose that Node),
 * otherwise a shell script that runs it on the Node this action runs on (the runner's Node 24), so that a runner whose
 * default Node is older still gets a working CLI.
 */
async function linkCli(bin: string, root: string): Promise<string> {
  const entry = join(root, 'bin', 'groundwork.js');
  const target = join(bin, 'groundwork');
  rmSync(target, { force: true });
  const onPath = await nodeOnPath();
  if (onPath !== undefined && supportsGroundwork(onPath)) {
    symlinkSync(entry, target);
    return `node ${onPath} from PATH`;
  }
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  writeFileSync(target, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(entry)} "$@"\n`);
  chmodSync(target, 0o755);
  core.warning(
    `The node on PATH is ${onPath ?? 'missing'}, older than Groundwork's 22.12: groundwork runs on the runner's Node ${process.version} instead (set one up with actions/setup-node, node-version: 24, to choose it).`,
  );
  return `the runner's node ${process.version}`;
}

/** The action: dependencies where the library is, bin/ on PATH, and the Python tools when asked. */
export async function run(): Promise<void> {
  try {
    const python = booleanInput('install-python-tools', core.getInput('install-python-tools') || 'true');
    const { root, version } = libraryRoot();
    if (existsSync(join(root, 'node_modules', '.package-lock.json'))) {
      core.info(`Dependencies are installed in ${root} already`);
    } else {
      await core.group('npm ci (production dependencies)', () =>
        exec('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root }),
      );
    }
    const home = join(process.env.RUNNER_TEMP || root, 'groundwork');
    core.exportVariable('GROUNDWORK_HOME', home);
    if (python) {
      await core.group('cfn-lint and moto (pinned, hash-checked)', () =>
        exec(process.execPath, [join(root, 'bin', 'groundwork.js'), 'emulator', 'install'], { cwd: root, env: { ...process.env, GROUNDWORK_HOME: home } }),
      );
    }
    // `groundwork` on PATH, as npm would link it: the entry point keeps resolving its sources from the library.
    const bin = join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    const runsOn = await linkCli(bin, root);
    core.info(`groundwork runs on ${runsOn}`);
    core.addPath(bin);
    core.setOutput('version', version);
    core.setOutput('path', root);
    await core.summary.addRaw(`Groundwork ${version} set up from \`${root}\`${python ? ', with cfn-lint' : ''}.\n`, true).write();
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
