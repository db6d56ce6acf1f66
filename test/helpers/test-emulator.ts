import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientFactory } from '../../src/aws/client-factory.js';
import { type EmulatorPaths, findFreePort, startEmulator, stopEmulator } from '../../src/sandbox/emulator.js';
import { SHARED_PATHS } from './paths.js';

/** A private emulator for one test file: its own port and state folder, the shared venv. */
export interface TestEmulator {
  readonly endpoint: string;
  readonly paths: EmulatorPaths;
  /** A client factory pointed at this emulator. */
  clients(region?: string): ClientFactory;
  /** Wipes all emulated state (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an emulator on a free port; call stop() in afterAll. */
export async function startTestEmulator(): Promise<TestEmulator> {
  const stateDir = mkdtempSync(join(tmpdir(), 'groundwork-test-'));
  const paths = { venvDir: SHARED_PATHS.venv, stateDir };
  const port = await findFreePort(0);
  const { state } = await startEmulator(paths, { port });
  return {
    endpoint: state.endpoint,
    paths,
    clients: (region = 'us-east-1') => new ClientFactory({ target: 'sandbox', region, endpoint: state.endpoint }),
    reset: async () => {
      const response = await fetch(`${state.endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    stop: async () => {
      await stopEmulator(paths);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
