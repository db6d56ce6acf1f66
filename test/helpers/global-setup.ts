import type { TestProject } from 'vitest/node';
import { ensureEmulatorInstalled } from '../../src/sandbox/emulator.js';
import { startForkServer } from './fork-server.js';
import { node24 } from './node24.js';
import { SHARED_PATHS } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Unix socket of the emulator fork server the test files start their emulators from. */
    emulatorForkServer: string;
  }
}

/** Installs the pinned emulator and cfn-lint once, and starts the fork server every test file's emulator comes from. */
export default async function setup(project: TestProject): Promise<() => void> {
  await ensureEmulatorInstalled({ venvDir: SHARED_PATHS.venv, stateDir: SHARED_PATHS.home }, (m) => process.stderr.write(`[setup] ${m}\n`));
  // Bundled actions run on the Node major GitHub runs them with, installed once before the test files run in parallel.
  node24();
  const forkServer = await startForkServer({ venvDir: SHARED_PATHS.venv });
  project.provide('emulatorForkServer', forkServer.socket);
  return () => forkServer.stop();
}
