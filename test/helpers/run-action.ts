import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findFreePort } from '../../src/sandbox/emulator.js';
import { node24 } from './node24.js';
import { SHARED_PATHS } from './paths.js';

/** What a bundled action did, as the runner would see it. */
export interface ActionRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** GITHUB_OUTPUT, parsed. */
  readonly outputs: Record<string, string>;
  /** GITHUB_ENV, parsed: what the following steps would see. */
  readonly exported: Record<string, string>;
  /** GITHUB_STEP_SUMMARY, as Markdown/HTML. */
  readonly summary: string;
  /** GITHUB_STATE, parsed: what the post step gets as STATE_* variables. */
  readonly state: Record<string, string>;
  /** GITHUB_PATH: the folders the following steps get in front of PATH. */
  readonly path: string[];
}

/** Extra controls of {@link runAction}. */
export interface RunControls {
  /** Called with each chunk of stdout and the process, to send it a signal as the runner does on cancellation. */
  readonly onStdout?: (text: string, child: ChildProcess) => void;
  /** Runs the post step (runs.post) with this state, as the runner does after the job's steps. */
  readonly post?: Record<string, string>;
  /** The step's working directory (the runner's GITHUB_WORKSPACE). @default a fresh temporary folder */
  readonly cwd?: string;
  /** The library the action is run from, as the runner downloaded it. @default this repository */
  readonly library?: string;
}

/** Parses the runner's file commands (`name=value` and `name<<DELIMITER … DELIMITER`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      out[name as string] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const NETWORK_SETTINGS = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * What the runner's machine has set up for the network (its CA bundle, proxies) and npm's cache, as a hosted runner has
 * them: without this machine's CA bundle, `npm ci` in a step retried a TLS failure for two minutes before it fell back on
 * a stale cache. Nothing of this process's AWS or GitHub settings.
 */
export function runnerMachineEnv(): Record<string, string> {
  const picked = Object.fromEntries(NETWORK_SETTINGS.flatMap((key) => (process.env[key] ? [[key, process.env[key] as string]] : [])));
  return { ...picked, npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm') };
}

/**
 * Runs `actions/<name>/dist/index.js` the way the GitHub runner does: on Node 24, inputs (with action.yml's defaults) as
 * INPUT_* variables, file commands in temporary files, nothing of this process's AWS credentials.
 */
export async function runAction(
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  controls: RunControls = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), `gw-action-${name}-`));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  // The runner fills in each input's default from action.yml before the action starts.
  const library = controls.library ?? SHARED_PATHS.root;
  const spec = parse(readFileSync(join(library, 'actions', name, 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: string }> };
  const defaults = Object.fromEntries(
    Object.entries(spec.inputs ?? {}).flatMap(([key, input]) => (input.default === undefined ? [] : [[key, String(input.default)]])),
  );
  const inputEnv = Object.fromEntries(
    Object.entries({ ...defaults, ...inputs }).map(([key, value]) => [`INPUT_${key.replace(/ /g, '_').toUpperCase()}`, value]),
  );
  const child = spawn(node24(), [join(library, 'actions', name, 'dist', 'index.js')], {
    cwd: controls.cwd ?? dir,
    env: {
      ...runnerMachineEnv(),
      PATH: process.env.PATH ?? '',
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_ACTIONS: 'true',
      ...files,
      ...inputEnv,
      ...Object.fromEntries(Object.entries(controls.post ?? {}).map(([key, value]) => [`STATE_${key}`, value])),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    controls.onStdout?.(String(chunk), child);
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    exported: parseFileCommands(readFileSync(files.GITHUB_ENV, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    state: parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8')),
    path: readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean),
  };
}

/** A stand-in for the runner's OIDC token endpoint: RS256 tokens with the claims given, for the audience asked. */
export interface OidcEndpoint {
  /** ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN for the action's environment. */
  readonly env: Record<string, string>;
  /** Audiences requested, one per token fetched. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the token endpoint on loopback; tokens carry `claims` plus iss, aud, iat, exp and a unique jti. */
export async function startOidcEndpoint(claims: Record<string, unknown>): Promise<OidcEndpoint> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const requestToken = randomUUID();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${requestToken}`) {
      response.writeHead(401).end();
      return;
    }
    const audience = new URL(request.url ?? '/', 'http://localhost').searchParams.get('audience') ?? '';
    requests.push(audience);
    const now = Math.floor(Date.now() / 1000);
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${part({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${part({ iss: 'https://token.actions.githubusercontent.com', aud: audience, iat: now, nbf: now, exp: now + 300, jti: randomUUID(), ...claims })}`;
    const signature = sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: `${body}.${signature}` }));
  });
  const port = await findFreePort(0);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
