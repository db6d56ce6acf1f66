import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../../test/helpers/paths.js';
import { emulatorStatus, findFreePort, isHealthy, readEmulatorState, removeOwnVenv, startEmulator, stopEmulator, VENV_OWNER_MARKER } from './emulator.js';

const paths = () => ({ venvDir: SHARED_PATHS.venv, stateDir: mkdtempSync(join(tmpdir(), 'gw-emu-')) });

describe('the emulator lifecycle', () => {
  const blockers: Server[] = [];
  afterAll(() => {
    for (const b of blockers) b.close();
  });

  it('starts, answers a health check, reports status, and stops', async () => {
    const p = paths();
    const port = await findFreePort(0);
    const started = await startEmulator(p, { port });
    expect(started.state.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(await isHealthy(started.state.endpoint)).toBe(true);
    expect(await emulatorStatus(p)).toEqual({ running: true, endpoint: started.state.endpoint, pid: started.state.pid });

    const again = await startEmulator(p, { port });
    expect(again.alreadyRunning).toBe(true);

    expect(await stopEmulator(p)).toBe(true);
    expect(await isHealthy(started.state.endpoint)).toBe(false);
    expect((await emulatorStatus(p)).running).toBe(false);
    expect(readEmulatorState(p)).toBeUndefined();
  });

  it('picks a free port and says so when the wanted one is taken', async () => {
    const taken = await findFreePort(0);
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', r));
    const p = paths();
    const started = await startEmulator(p, { port: taken });
    try {
      expect(started.state.port).not.toBe(taken);
      expect(started.notice).toBe(`port ${taken} is taken; the emulator uses port ${started.state.port} instead`);
      expect(await isHealthy(started.state.endpoint)).toBe(true);
    } finally {
      await stopEmulator(p);
    }
  });

  it('stop leaves alone a process it did not start', async () => {
    const p = paths();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid as number;
    writeFileSync(join(p.stateDir, 'emulator.json'), JSON.stringify({ pid, port: 1, endpoint: 'http://127.0.0.1:1', startedAt: '' }));
    expect(await stopEmulator(p)).toBe(false);
    expect(() => process.kill(pid, 0)).not.toThrow();
    process.kill(pid, 'SIGKILL');
  });

  it('reports a missing python3 with an install hint', () => {
    const home = mkdtempSync(join(tmpdir(), 'gw-nopy-'));
    const run = spawnSync(process.execPath, [SHARED_PATHS.bin, 'emulator', 'start'], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent', GROUNDWORK_HOME: home, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: python3 was not found on PATH/);
    expect(run.stderr).toMatch(/hint: install Python 3\.10\+: `sudo apt-get install python3 python3-venv`/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('never deletes a venv folder it did not create, whatever GROUNDWORK_EMULATOR_VENV says', () => {
    const foreign = mkdtempSync(join(tmpdir(), 'gw-foreign-'));
    writeFileSync(join(foreign, 'precious.txt'), 'keep me');
    expect(() => removeOwnVenv(foreign)).toThrow(/was not created by Groundwork, so it is left as it is/);
    expect(existsSync(join(foreign, 'precious.txt'))).toBe(true);

    const ours = mkdtempSync(join(tmpdir(), 'gw-ours-'));
    writeFileSync(join(ours, VENV_OWNER_MARKER), '');
    removeOwnVenv(ours);
    expect(existsSync(ours)).toBe(false);
  });

  it('reports a venv whose interpreter is gone as a clear error, not an uncaught event', async () => {
    const venvDir = mkdtempSync(join(tmpdir(), 'gw-broken-'));
    // Looks installed (pins recorded, bin/moto_server there), but its Python, which starts the server, cannot be run.
    mkdirSync(join(venvDir, 'bin'));
    writeFileSync(join(venvDir, 'bin', 'moto_server'), '', { mode: 0o644 });
    writeFileSync(join(venvDir, 'bin', 'python'), '', { mode: 0o644 });
    writeFileSync(join(venvDir, '.groundwork-requirements'), readFileSync(join(SHARED_PATHS.root, 'src/sandbox/requirements.txt'), 'utf8'));
    const p = { venvDir, stateDir: mkdtempSync(join(tmpdir(), 'gw-emu-')) };
    await expect(startEmulator(p, { port: await findFreePort(0) })).rejects.toThrow(/the emulator could not be started: spawn .*EACCES/);
  });
});
