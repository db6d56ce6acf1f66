import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ClientFactory } from '../src/aws/client-factory.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import { createStagingService, EXAMPLE_SERVICE, exampleEnv, startExampleService } from '../test/helpers/delivery-fixtures.js';
import { SHARED_PATHS } from '../test/helpers/paths.js';
import { runAction, startOidcEndpoint } from '../test/helpers/run-action.js';
import type { BenchResult } from './types.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Median wall time of `runs` calls. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

/**
 * The parts of commit-to-staging lead time that can be measured here: the example service's own tests and E2E run, and
 * each bundled action's overhead (Node 24 start, AWS calls) against the emulator. The rest is estimated in the docs.
 */
export async function deliveryBenchmark(): Promise<BenchResult[]> {
  const service = EXAMPLE_SERVICE;
  const env = exampleEnv();
  const unit = await median(3, async () => execFileSync('npm', ['test'], { cwd: service, env, stdio: 'ignore' }));

  const { baseUrl, process: server } = await startExampleService();
  const e2e = await median(3, async () => execFileSync('npm', ['run', 'test:e2e'], { cwd: service, env: { ...env, BASE_URL: baseUrl }, stdio: 'ignore' }));
  server.kill('SIGTERM');

  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-delivery-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  const oidc = await startOidcEndpoint({ sub: 'repo:acme/backend:ref:refs/heads/master' });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'eu-west-1', endpoint: state.endpoint });
    await clients.create(ECRClient).send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    await createStagingService(clients);
    const awsEnv = {
      AWS_ENDPOINT_URL: state.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      GITHUB_SHA: 'd6cd1e2bd19e03a81132a23b2025920577f84e37',
    };
    const log = join(dir, 'docker.jsonl');
    writeFileSync(log, '');
    const fakeDocker = { PATH: `${join(SHARED_PATHS.root, 'test/fixtures/fake-docker')}:${process.env.PATH}`, FAKE_DOCKER_LOG: log };
    const assume = await median(5, () =>
      runAction(
        'assume-role-via-oidc',
        { 'role-to-assume': 'arn:aws:iam::222222222222:role/groundwork-delivery', 'aws-region': 'eu-west-1', 'target-account-id': '333333333333' },
        { ...oidc.env, AWS_ENDPOINT_URL: state.endpoint },
      ),
    );
    const firstPush = await median(1, () => runAction('build-and-push', { 'ecr-repository': 'backend' }, { ...awsEnv, ...fakeDocker }));
    const reuse = await median(5, () => runAction('build-and-push', { 'ecr-repository': 'backend' }, { ...awsEnv, ...fakeDocker }));
    const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${'c'.repeat(64)}`;
    // moto starts no rollout, so this measures the action up to register + update (its own overhead), not ECS.
    const deploy = await median(5, () => runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': image }, awsEnv));
    const goal = 2000;
    return [
      { name: 'example service: unit tests (npm test, Node 24)', value: seconds(unit), goal: 'part of the test job', met: true },
      { name: 'example service: E2E against a local instance', value: seconds(e2e), goal: 'part of the e2e job', met: true },
      {
        name: 'assume-role-via-oidc overhead (token, AssumeRoleWithWebIdentity, chained AssumeRole)',
        value: seconds(assume),
        goal: '< 2 s',
        met: assume < goal,
      },
      { name: 'build-and-push overhead around docker (login, build call, digest read back)', value: seconds(firstPush), goal: '< 2 s', met: firstPush < goal },
      { name: 'build-and-push when the SHA exists (no build)', value: seconds(reuse), goal: '< 2 s', met: reuse < goal },
      { name: 'deploy-staging overhead (describe, render, register, update)', value: seconds(deploy), goal: '< 2 s', met: deploy < goal },
    ];
  } finally {
    await oidc.close();
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
}
