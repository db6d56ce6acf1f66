import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../src/sandbox/emulator.js';
import { SHARED_PATHS } from './paths.js';

/** The `Console:` line's URL: `http://127.0.0.1:PORT/?token=TOKEN`. */
export const PRINTED_CONSOLE_URL = /Console: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/;

/** Signs in as the page does (the printed URL's token traded at POST /api/login); resolves with the `Cookie` header value. */
export async function signInTo(consoleUrl: string, token: string): Promise<string> {
  const response = await fetch(`${consoleUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-groundwork-console': '1' },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 204) throw new Error(`the console refused its own token: ${response.status} ${await response.text()}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/** `groundwork up` running in the background, as after `npm start`: its console URL, its output so far, and how to stop it. */
export interface RunningUp {
  readonly home: string;
  /** `http://127.0.0.1:PORT`, without the token. */
  readonly consoleUrl: string;
  /** The URL as printed, with the launch's token: what the operator opens. */
  readonly openUrl: string;
  readonly token: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The CLI in the same sandbox (same GROUNDWORK_HOME and emulator). */
  groundwork(...args: string[]): ReturnType<typeof spawnSync>;
  /** Ctrl-C: resolves with the exit code once the console has stopped. */
  interrupt(): Promise<number | null>;
  /** Stops the sandbox's emulator. */
  stopEmulator(): void;
}

/** Runs `groundwork up` in GROUNDWORK_HOME (a new one by default) with the console on a free port, and waits until the console listens. */
export async function startUp(options: { readonly home?: string; readonly timeoutMs?: number } = {}): Promise<RunningUp> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'gw-up-'));
  const env = { ...process.env, GROUNDWORK_HOME: home, GROUNDWORK_EMULATOR_VENV: SHARED_PATHS.venv, AWS_ENDPOINT_URL: '' };
  const port = await findFreePort(0);
  const child: ChildProcess = spawn(process.execPath, [SHARED_PATHS.bin, 'up', '--console-port', String(port)], { env, cwd: SHARED_PATHS.root });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const [consoleUrl, token] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`up printed no console URL within ${options.timeoutMs ?? 240_000} ms:\n${stdout}\n${stderr}`)),
      options.timeoutMs ?? 240_000,
    );
    const check = () => {
      const printed = PRINTED_CONSOLE_URL.exec(stdout);
      if (printed) {
        clearTimeout(timer);
        resolve([printed[1] as string, printed[2] as string]);
      }
    };
    child.stdout?.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`up exited with ${code} before serving the console:\n${stdout}\n${stderr}`));
    });
  });
  const groundwork = (...args: string[]) =>
    spawnSync(process.execPath, [SHARED_PATHS.bin, ...args], { encoding: 'utf8', env, cwd: SHARED_PATHS.root, maxBuffer: 256 * 1024 * 1024 });
  return {
    home,
    consoleUrl,
    openUrl: `${consoleUrl}/?token=${token}`,
    token,
    stdout: () => stdout,
    stderr: () => stderr,
    groundwork,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
    stopEmulator: () => {
      groundwork('emulator', 'stop');
    },
  };
}
