import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAIL_LOG_GROUP } from '../audit/audit-names.js';
import { elapsedMs, systemClock } from '../clock.js';
import { GroundworkError } from '../errors.js';

/** The port the emulator prefers, as LocalStack and the AWS docs use. */
export const DEFAULT_EMULATOR_PORT = 4566;
const HOST = '127.0.0.1';
const REQUIREMENTS_FILE = fileURLToPath(new URL('./requirements.txt', import.meta.url));
/** moto's server with Groundwork's fixes for the moto bugs its templates hit (each listed in the file). */
const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server_groundwork.py', import.meta.url));
/** Written into a venv folder as soon as Groundwork creates it: the only kind of folder Groundwork ever deletes. */
export const VENV_OWNER_MARKER = '.groundwork-venv';
/** Records the pins a venv was installed with; a change of pins reinstalls. */
const REQUIREMENTS_MARKER = '.groundwork-requirements';

/** Where the emulator lives on disk. */
export interface EmulatorPaths {
  /** The Python virtual environment holding moto and cfn-lint. */
  readonly venvDir: string;
  /** Folder of the pid/state file and log of a running emulator. */
  readonly stateDir: string;
}

/** What is recorded about the emulator Groundwork started. */
export interface EmulatorState {
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly startedAt: string;
}

/** `groundwork emulator status --json`. */
export interface EmulatorStatus {
  readonly running: boolean;
  readonly endpoint: string;
  readonly pid?: number;
}

/** Progress of a long emulator operation, for the CLI to render. */
export type EmulatorProgress = (message: string) => void;

/**
 * The default paths: `.groundwork/` in the project folder, or $GROUNDWORK_HOME.
 * $GROUNDWORK_EMULATOR_VENV points at an existing venv instead (tests share one install).
 */
export function defaultEmulatorPaths(home?: string, env: NodeJS.ProcessEnv = process.env): EmulatorPaths {
  const stateDir = home ?? env.GROUNDWORK_HOME ?? resolve('.groundwork');
  return { venvDir: env.GROUNDWORK_EMULATOR_VENV ?? join(stateDir, 'emulator'), stateDir };
}

/** The pinned packages installed into the venv. */
export function pinnedRequirements(): string {
  return readFileSync(REQUIREMENTS_FILE, 'utf8');
}

/** Path of a program inside the venv (moto_server, cfn-lint, python). */
export function venvBin(paths: EmulatorPaths, program: string): string {
  return join(paths.venvDir, process.platform === 'win32' ? 'Scripts' : 'bin', program);
}

/** Installs moto and cfn-lint, pinned, into the venv unless the same pins are already there. */
export async function ensureEmulatorInstalled(paths: EmulatorPaths, progress: EmulatorProgress = () => {}): Promise<void> {
  const requirements = pinnedRequirements();
  const marker = join(paths.venvDir, REQUIREMENTS_MARKER);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === requirements && existsSync(venvBin(paths, 'moto_server'))) return;

  const python = findPython();
  progress(`Installing the AWS emulator (moto) into ${paths.venvDir}; this happens once and takes about a minute`);
  removeOwnVenv(paths.venvDir);
  mkdirSync(paths.stateDir, { recursive: true });
  const venv = spawnSync(python, ['-m', 'venv', paths.venvDir], { encoding: 'utf8' });
  if (venv.status !== 0 || venv.error) {
    if (existsSync(join(paths.venvDir, 'pyvenv.cfg'))) writeFileSync(join(paths.venvDir, VENV_OWNER_MARKER), '');
    removeOwnVenv(paths.venvDir);
    throw new GroundworkError(
      'VENV_MISSING',
      `could not create a Python virtual environment: ${(venv.stderr || venv.stdout || venv.error?.message || '').trim().split('\n').pop()}`,
      {
        hint: 'install the venv module: `sudo apt-get install python3-venv` on Debian/Ubuntu, or reinstall Python from python.org',
      },
    );
  }
  writeFileSync(join(paths.venvDir, VENV_OWNER_MARKER), `created by Groundwork on ${systemClock().toISOString()}\n`);
  const requirementsPath = join(paths.venvDir, 'requirements.txt');
  writeFileSync(requirementsPath, requirements);
  // Every package, transitive ones included, is pinned with its hashes: pip refuses anything else.
  const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '--require-hashes', '--no-deps', '-r', requirementsPath];
  await run(venvBin(paths, 'python'), pipArgs, progress).catch((error: Error) => {
    removeOwnVenv(paths.venvDir);
    throw new GroundworkError('EMULATOR_INSTALL_FAILED', `installing moto failed: ${error.message}`, {
      hint: 'check that PyPI is reachable (pip install moto works), then run the command again',
      cause: error,
    });
  });
  writeFileSync(marker, requirements);
  progress('Emulator installed');
}

/**
 * Deletes a venv folder only if Groundwork created it (its marker is inside). $GROUNDWORK_EMULATOR_VENV may point
 * anywhere, so an existing folder without the marker is refused rather than deleted.
 */
export function removeOwnVenv(venvDir: string): void {
  if (!existsSync(venvDir)) return;
  // Venvs installed before the owner marker existed carry the requirements marker, which only Groundwork writes.
  const ours = [VENV_OWNER_MARKER, REQUIREMENTS_MARKER].some((m) => existsSync(join(venvDir, m)));
  if (!ours && readdirSync(venvDir).length > 0) {
    throw new GroundworkError('EMULATOR_INSTALL_FAILED', `${venvDir} exists and was not created by Groundwork, so it is left as it is`, {
      hint: `point GROUNDWORK_EMULATOR_VENV at a new folder (Groundwork creates it), or delete ${venvDir} yourself if it is yours to delete`,
    });
  }
  rmSync(venvDir, { recursive: true, force: true });
}

function findPython(): string {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (probe.status !== 0 || probe.error) continue;
    const [major, minor] = probe.stdout.trim().split('.').map(Number);
    if (major === 3 && (minor ?? 0) >= 10) return candidate;
    throw new GroundworkError('PYTHON_MISSING', `Python ${probe.stdout.trim()} found; the emulator needs Python 3.10 or newer`, {
      hint: 'install a newer Python: `sudo apt-get install python3 python3-venv`, `brew install python`, or python.org',
    });
  }
  throw new GroundworkError('PYTHON_MISSING', 'python3 was not found on PATH; the local AWS emulator (moto) needs it', {
    hint: 'install Python 3.10+: `sudo apt-get install python3 python3-venv` (Debian/Ubuntu), `brew install python` (macOS), or python.org',
  });
}

function run(command: string, args: string[], progress: EmulatorProgress): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setInterval(() => progress('…still installing'), 15_000);
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(output.trim().split('\n').slice(-3).join(' ') || `exit code ${code}`));
    });
  });
}

function statePath(paths: EmulatorPaths): string {
  return join(paths.stateDir, 'emulator.json');
}

/** The recorded state, if the file exists and parses. */
export function readEmulatorState(paths: EmulatorPaths): EmulatorState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(paths), 'utf8')) as EmulatorState;
  } catch {
    return undefined;
  }
}

/** True if a process with this pid exists and is a moto server. */
function isOurProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
  return ps.status === 0 && /moto_server|moto\.server/.test(ps.stdout);
}

/** Whether the emulator answers at the endpoint. */
export async function isHealthy(endpoint: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/config`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The resource types the installed moto creates through CloudFormation (asked once of moto itself): deploy names
 * every other type of a template as not emulated.
 */
export function emulatedCloudFormationTypes(paths: EmulatorPaths): ReadonlySet<string> {
  const result = spawnSync(venvBin(paths, 'python'), [MOTO_LAUNCHER, '--cloudformation-types'], { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new GroundworkError(
      'EMULATOR_START_FAILED',
      `could not ask moto which CloudFormation resource types it creates: ${result.stderr || result.error?.message}`,
      {
        hint: `delete ${paths.venvDir} and run \`groundwork emulator start\` to reinstall`,
      },
    );
  }
  return new Set(JSON.parse(result.stdout) as string[]);
}

/** Is the recorded emulator running and answering? */
export async function emulatorStatus(paths: EmulatorPaths): Promise<EmulatorStatus> {
  const state = readEmulatorState(paths);
  if (!state) return { running: false, endpoint: `http://${HOST}:${DEFAULT_EMULATOR_PORT}` };
  const running = isOurProcess(state.pid) && (await isHealthy(state.endpoint));
  return running ? { running, endpoint: state.endpoint, pid: state.pid } : { running: false, endpoint: state.endpoint };
}

/** A port that is free now: the preferred one if possible. */
export async function findFreePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolvePromise) => {
      const server = createServer();
      server.once('error', () => resolvePromise(undefined));
      server.listen(port, HOST, () => {
        const address = server.address();
        server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return (preferred ? await tryPort(preferred) : undefined) ?? ((await tryPort(0)) as number);
}

/** Result of a start: the state, whether it was already running, and any notice to show. */
export interface StartResult {
  readonly state: EmulatorState;
  readonly alreadyRunning: boolean;
  readonly notice?: string;
}

/** Options of {@link startEmulator}. */
export interface StartOptions {
  readonly port?: number;
  readonly progress?: EmulatorProgress;
  readonly startTimeoutMs?: number;
  /** Load AWS managed policies into IAM, as every real account has them (about 0.2 s more per account). @default true */
  readonly awsManagedPolicies?: boolean;
  /**
   * The Unix socket of a running fork server (`moto_server_groundwork.py --fork-server`), which forks a fresh emulator
   * with moto already imported instead of starting Python anew: the test suite starts hundreds. @default a new process
   */
  readonly forkServer?: string;
}

/** The environment moto reads when it starts, and when it first creates each account's backends. */
export function emulatorEnvironment(options: { readonly awsManagedPolicies?: boolean } = {}): Record<string, string> {
  return {
    MOTO_ALLOW_NONEXISTENT_REGION: 'false',
    // AWS managed policies exist in every real account; IAM users of a legacy account (migrate-iam) attach them.
    MOTO_IAM_LOAD_MANAGED_POLICIES: String(options.awsManagedPolicies ?? true),
    // The trail stack adopts the log group the sandbox's CloudTrail stand-in writes to (moto_server_groundwork.py).
    GROUNDWORK_SANDBOX_LOG_GROUPS: TRAIL_LOG_GROUP,
  };
}

/** The launcher's command line for a fork server on `socket` (started by the test suite's global setup). */
export function forkServerCommand(paths: EmulatorPaths, socket: string): { readonly command: string; readonly args: readonly string[] } {
  return { command: venvBin(paths, 'python'), args: [MOTO_LAUNCHER, '--fork-server', socket] };
}

/** A started moto server process: its pid, and a way to learn that it has exited and why. */
interface Launched {
  readonly pid: number;
  /** The exit code once it has exited (or -1 when it could not start), else null. */
  readonly exited: () => number | null;
  readonly spawnError: () => Error | undefined;
}

function spawnServer(paths: EmulatorPaths, port: number, log: number, options: StartOptions): Launched {
  const child = spawn(venvBin(paths, 'python'), [MOTO_LAUNCHER, '-H', HOST, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...emulatorEnvironment(options) },
  });
  let exited: number | null = null;
  let spawnError: Error | undefined;
  child.on('exit', (code) => (exited = code ?? -1));
  // A missing or broken interpreter is an 'error' event, not an exit: without a handler it would crash the process.
  child.on('error', (error) => {
    spawnError = error;
    exited = -1;
  });
  child.unref();
  return { pid: child.pid as number, exited: () => exited, spawnError: () => spawnError };
}

async function forkServer(socket: string, port: number, logFile: string, options: StartOptions): Promise<Launched> {
  const request = `${JSON.stringify({ host: HOST, port, log: logFile, env: emulatorEnvironment(options) })}\n`;
  const answer = await new Promise<string>((resolvePid, reject) => {
    const connection = createConnection(socket, () => connection.write(request));
    let data = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk) => {
      data += chunk;
    });
    connection.on('end', () => resolvePid(data));
    connection.on('error', (error) =>
      reject(new GroundworkError('EMULATOR_START_FAILED', `the emulator fork server at ${socket} did not answer: ${error.message}`, { cause: error })),
    );
  });
  const pid = (JSON.parse(answer) as { pid: number }).pid;
  return { pid, exited: () => (isOurProcess(pid) ? null : -1), spawnError: () => undefined };
}

/** Installs if needed, then starts moto server in the background and waits until it answers. */
export async function startEmulator(paths: EmulatorPaths, options: StartOptions = {}): Promise<StartResult> {
  const progress = options.progress ?? (() => {});
  const existing = readEmulatorState(paths);
  if (existing && isOurProcess(existing.pid) && (await isHealthy(existing.endpoint))) return { state: existing, alreadyRunning: true };

  await ensureEmulatorInstalled(paths, progress);
  const wanted = options.port ?? DEFAULT_EMULATOR_PORT;
  const port = await findFreePort(wanted);
  const notice = port !== wanted ? `port ${wanted} is taken; the emulator uses port ${port} instead` : undefined;
  const endpoint = `http://${HOST}:${port}`;
  mkdirSync(paths.stateDir, { recursive: true });
  const logFile = join(paths.stateDir, 'emulator.log');
  let server: Launched;
  if (options.forkServer) {
    server = await forkServer(options.forkServer, port, logFile, options);
  } else {
    const log = openSync(logFile, 'a');
    server = spawnServer(paths, port, log, options);
    closeSync(log);
  }
  const deadline = elapsedMs() + (options.startTimeoutMs ?? 30_000);
  while (!(await isHealthy(endpoint))) {
    if (server.exited() !== null || elapsedMs() > deadline) {
      if (server.exited() === null && server.pid) process.kill(server.pid, 'SIGKILL');
      const spawnError = server.spawnError();
      if (spawnError) {
        throw new GroundworkError('EMULATOR_START_FAILED', `the emulator could not be started: ${spawnError.message}`, {
          hint: `the venv at ${paths.venvDir} is incomplete or its Python was removed; delete it and run \`groundwork emulator start\` to reinstall`,
          cause: spawnError,
        });
      }
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' ') : '';
      throw new GroundworkError('EMULATOR_START_FAILED', `the emulator did not answer at ${endpoint}: ${tail || 'no output'}`, {
        hint: `see ${logFile}; delete ${paths.venvDir} to reinstall it`,
      });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const state: EmulatorState = { pid: server.pid, port, endpoint, startedAt: systemClock().toISOString() };
  writeFileSync(statePath(paths), `${JSON.stringify(state, null, 2)}\n`);
  return { state, alreadyRunning: false, notice };
}

/** Stops only the emulator this state file records; returns whether one was stopped. */
export async function stopEmulator(paths: EmulatorPaths): Promise<boolean> {
  const state = readEmulatorState(paths);
  if (!state) return false;
  let stopped = false;
  if (isOurProcess(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = elapsedMs() + 5_000;
    while (isOurProcess(state.pid) && elapsedMs() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isOurProcess(state.pid)) process.kill(state.pid, 'SIGKILL');
    stopped = true;
  }
  rmSync(statePath(paths), { force: true });
  return stopped;
}
