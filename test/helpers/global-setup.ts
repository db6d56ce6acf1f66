import { defaultEmulatorPaths, ensureEmulatorInstalled } from '../../src/sandbox/emulator.js';
import { node24 } from './node24.js';
import { SHARED_PATHS } from './paths.js';

/** Installs the pinned emulator and cfn-lint once, before any test file starts its own emulator. */
export default async function setup(): Promise<void> {
  await ensureEmulatorInstalled(defaultEmulatorPaths(SHARED_PATHS.home), (m) => process.stderr.write(`[setup] ${m}\n`));
  // Bundled actions run on the Node major GitHub runs them with, installed once before the test files run in parallel.
  node24();
}
