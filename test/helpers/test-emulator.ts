import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { ClientFactory } from '../../src/aws/client-factory.js';
import { type EmulatorPaths, findFreePort, startEmulator, stopEmulator } from '../../src/sandbox/emulator.js';
import { SHARED_PATHS } from './paths.js';

/** A private emulator for one test file: its own port and state folder, the shared venv. */
export interface TestEmulator {
  readonly endpoint: string;
  readonly paths: EmulatorPaths;
  /** A client factory pointed at this emulator. */
  clients(region?: string): ClientFactory;
  /** Starts afresh with no state, on the same port (a restart: moto's reset API re-creates every account it has seen, which grows with each test). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an emulator on a free port; call stop() in afterAll. */
export async function startTestEmulator(options: { awsManagedPolicies?: boolean } = {}): Promise<TestEmulator> {
  // Most tests need no AWS managed policies in IAM; loading them costs about a second per apply.
  const awsManagedPolicies = options.awsManagedPolicies ?? false;
  const stateDir = mkdtempSync(join(tmpdir(), 'groundwork-test-'));
  const paths = { venvDir: SHARED_PATHS.venv, stateDir };
  const port = await findFreePort(0);
  // A fork of the suite's fork server: a fresh process with no state, without importing moto again.
  const forkServer = inject('emulatorForkServer');
  const { state } = await startEmulator(paths, { port, awsManagedPolicies, forkServer });
  return {
    endpoint: state.endpoint,
    paths,
    clients: (region = 'us-east-1') => new ClientFactory({ target: 'sandbox', region, endpoint: state.endpoint }),
    reset: async () => {
      await stopEmulator(paths);
      const restarted = await startEmulator(paths, { port, awsManagedPolicies, forkServer });
      if (restarted.state.port !== port) throw new Error(`the test emulator could not restart on port ${port}`);
    },
    stop: async () => {
      await stopEmulator(paths);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A test file's emulator, started before its tests and stopped after; `at` is the CLI's `--endpoint` flag for it. */
export function useTestEmulator(options: { awsManagedPolicies?: boolean } = {}): { readonly emulator: TestEmulator; readonly at: string[] } {
  let emulator: TestEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator(options);
  });
  afterAll(() => emulator?.stop());
  return {
    get emulator() {
      if (!emulator) throw new Error('the test emulator is not started yet; use it inside a test or hook');
      return emulator;
    },
    get at() {
      return ['--endpoint', this.emulator.endpoint];
    },
  };
}
