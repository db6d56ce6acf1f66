import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ClientFactory } from '../src/aws/client-factory.js';
import { systemClock } from '../src/clock.js';
import { promoteImage } from '../src/delivery/release-image.js';
import { recordStagingDeployment } from '../src/delivery/staging-record.js';
import { defaultEmulatorPaths, ensureEmulatorInstalled, findFreePort, startEmulator, stopEmulator } from '../src/sandbox/emulator.js';
import { createProduction } from '../test/helpers/delivery-fixtures.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { runAction } from '../test/helpers/run-action.js';
import type { BenchResult } from './types.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Median wall time of `runs` calls. */
async function median(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${'1'.repeat(64)}` },
  layers: [],
});

/**
 * The parts of tag-to-production lead time that can be measured here: the image step of a release (find the commit's
 * image, put the version tag on its manifest), and the whole bluegreen-release action's own overhead (Node 24 start, the
 * on-master check, the chained session, describe, promote, register, create the deployment) up to a deployment that
 * CodeDeploy reports done at once, and the same ending in an alarm rollback. CodeDeploy's rollout is played from recorded
 * answers (moto keeps deployments Created): the rest is estimated in docs/benchmarks.md.
 */
export async function releaseBenchmark(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-release-'));
  const shared = defaultEmulatorPaths();
  await ensureEmulatorInstalled(shared);
  const paths = { venvDir: shared.venvDir, stateDir: dir };
  const { state } = await startEmulator(paths, { port: await findFreePort(0), awsManagedPolicies: false });
  let outcome: 'Succeeded' | 'alarm' = 'Succeeded';
  const proxy = await startFaultProxy({
    target: state.endpoint,
    answer: (operation) => {
      if (operation === 'GetDeployment') {
        return {
          status: 200,
          json: {
            deploymentInfo:
              outcome === 'Succeeded'
                ? { status: 'Succeeded' }
                : {
                    status: 'Stopped',
                    errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated: prod-backend-green-5xx-rate' },
                  },
          },
        };
      }
      if (operation === 'ListDeploymentTargets') return { status: 200, json: { targetIds: [] } };
      return undefined;
    },
  });
  try {
    const clients = new ClientFactory({ target: 'sandbox', region: 'eu-west-1', endpoint: state.endpoint });
    const ecr = clients.create(ECRClient);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'backend', imageTagMutability: 'IMMUTABLE' }));
    const production = await createProduction(clients, '444455556666');
    const repo = join(dir, 'repo');
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com' };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim();
    execFileSync('mkdir', ['-p', repo]);
    git('init', '-q', '-b', 'master');
    writeFileSync(join(repo, 'a.txt'), '1');
    git('add', '.');
    git('commit', '-q', '-m', 'release');
    const sha = git('rev-parse', 'HEAD');
    const digest = `sha256:${'c'.repeat(64)}`;
    await ecr.send(new PutImageCommand({ repositoryName: 'backend', imageTag: sha, imageManifest: MANIFEST, imageDigest: digest }));
    // Staging ran it: a release ships only a recorded digest.
    const ssm = clients.create(SSMClient);
    await recordStagingDeployment(ssm, { repositoryName: 'backend', digest }, sha, { clock: systemClock });

    const promote = await median(5, (i) => promoteImage(ecr, ssm, 'backend', sha, `v1.0.${i}`));
    const run = (version: string) =>
      runAction(
        'bluegreen-release',
        {
          'ecr-repository': 'backend',
          'codedeploy-application': production.application,
          'codedeploy-deployment-group': production.group,
          'production-account-id': '444455556666',
          'working-directory': repo,
          'poll-seconds': '1',
          version,
        },
        {
          AWS_ENDPOINT_URL: proxy.endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'example',
          GITHUB_SHA: sha,
        },
      );
    // A benchmark of a run that failed early would measure nothing: each run must end as it should.
    const action = await median(5, async (i) => {
      const result = await run(`v2.0.${i}`);
      if (result.code !== 0) throw new Error(`the release did not succeed:\n${result.stdout}`);
    });
    outcome = 'alarm';
    const rollback = await median(3, async (i) => {
      const result = await run(`v3.0.${i}`);
      if (!result.stdout.includes('CodeDeploy rolled back: ALARM_ACTIVE')) throw new Error(`the release did not report the alarm:\n${result.stdout}`);
    });
    return [
      {
        name: 'release image step: find the commit’s image, tag the same manifest with the version (no build)',
        value: seconds(promote),
        goal: '< 5 s',
        met: promote < 5000,
      },
      {
        name: 'bluegreen-release overhead to a deployment CodeDeploy reports done (branch check, chained session, promote, register, create, one poll)',
        value: seconds(action),
        goal: '< 5 s',
        met: action < 5000,
      },
      {
        name: 'bluegreen-release, from start to failing with the alarm named, when CodeDeploy has rolled back on an alarm',
        value: seconds(rollback),
        goal: '< 5 s plus one poll interval',
        met: rollback < 5000,
      },
    ];
  } finally {
    await proxy.close();
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
  }
}
