import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorPaths, emulatorEnvironment, forkServerCommand } from '../../src/sandbox/emulator.js';

/** A running emulator fork server: moto imported once, a fresh emulator forked per request. */
export interface ForkServer {
  readonly socket: string;
  stop(): void;
}

/**
 * Starts the launcher's fork server (moto_server_groundwork.py --fork-server) and waits until it listens. The test
 * files then start each emulator as a fork of it (about 0.1 s) instead of a new Python (about 2 s); each fork is still
 * a process of its own with no state, as a plain start gives.
 */
export async function startForkServer(paths: Pick<EmulatorPaths, 'venvDir'>, timeoutMs = 60_000): Promise<ForkServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fork-'));
  const socket = join(dir, 'emulator.sock');
  const { command, args } = forkServerCommand({ venvDir: paths.venvDir, stateDir: dir }, socket);
  // The environment a plain start gets, for what moto reads as it imports; each fork then gets its own on top.
  const child: ChildProcess = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...emulatorEnvironment() } });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator fork server did not start within ${timeoutMs} ms: ${output}`)), timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('fork server: ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator fork server exited with ${code}: ${output}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return {
    socket,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
