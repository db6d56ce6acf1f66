import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/sandbox/emulator.js';
import { EXAMPLE_SERVICE, exampleEnv, startExampleService } from './helpers/delivery-fixtures.js';
import { node24 } from './helpers/node24.js';

const run = promisify(execFile);
const service = EXAMPLE_SERVICE;
/** The service's own commands run on Node 24 (its engines field), as its Dockerfile and the delivery workflow run them. */
const env = exampleEnv;

async function npm(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', args, { cwd: service, env: { ...env(), ...extra } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the example backend service (examples/backend-service)', () => {
  let server: ChildProcess | undefined;
  let baseUrl = '';
  beforeAll(async () => {
    const started = await startExampleService();
    server = started.process;
    baseUrl = started.baseUrl;
  });
  afterAll(() => server?.kill('SIGTERM'));

  it('passes its own unit tests (npm test, the command the delivery workflow runs before building)', async () => {
    const result = await npm(['test']);
    expect(result.output).toMatch(/ℹ pass 7\nℹ fail 0/);
    expect(result.code).toBe(0);
  });

  it('passes its E2E tests against a locally started instance (npm run test:e2e with BASE_URL)', async () => {
    const result = await npm(['run', 'test:e2e'], { BASE_URL: baseUrl });
    expect(result.output).toMatch(/ℹ pass 2\nℹ fail 0/);
    expect(result.code).toBe(0);
  });

  it('refuses to run its E2E tests without BASE_URL, saying what to set', async () => {
    const result = await npm(['run', 'test:e2e'], { BASE_URL: '' });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('BASE_URL is not set');
  });

  it('stops cleanly on SIGTERM, as ECS stops tasks', async () => {
    const port = await findFreePort(0);
    const child = spawn(node24(), ['src/server.ts'], { cwd: service, env: { ...env(), PORT: String(port) }, stdio: 'ignore' });
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  });
});
