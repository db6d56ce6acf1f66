import { spawn } from 'node:child_process';
import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import { actionError, booleanInput, keyValueLines, sessionClients } from '../../src/delivery/action-io.js';
import { buildAndPush, type CommandRunner } from '../../src/delivery/images.js';
import { GroundworkError } from '../../src/errors.js';

/** Runs a program with its output streamed into the job log; the registry password goes to stdin, never to arguments. */
const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] });
    child.on('error', (error) =>
      reject(
        new GroundworkError('USAGE', `${command} could not be started: ${error.message}`, {
          hint: `install ${command} on the runner (GitHub's hosted runners have it)`,
        }),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new GroundworkError('USAGE', `${command} ${args.slice(0, 2).join(' ')} exited with code ${code}`, { hint: 'read its output above' })),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** The action: build once per commit, output the image by digest. */
export async function run(): Promise<void> {
  try {
    const clients = sessionClients(core.getInput('aws-region'), process.env);
    const tag = core.getInput('image-tag') || process.env.GITHUB_SHA || '';
    const image = await buildAndPush({
      ecr: clients.create(ECRClient),
      repositoryName: core.getInput('ecr-repository', { required: true }),
      tag,
      context: core.getInput('context') || '.',
      dockerfile: core.getInput('dockerfile') || 'Dockerfile',
      buildArgs: keyValueLines('build-args', core.getInput('build-args')),
      registryCache: booleanInput('registry-cache', core.getInput('registry-cache') || 'true'),
      platform: core.getInput('platform') || 'linux/amd64',
      run: runCommand,
      progress: (message) => core.info(message),
    });
    core.setOutput('image-uri', image.imageUri);
    core.setOutput('image-digest', image.digest);
    core.setOutput('built', String(image.built));
    await core.summary
      .addHeading('Container image', 3)
      .addTable([
        [
          { data: 'image', header: true },
          { data: 'digest', header: true },
          { data: 'this run', header: true },
        ],
        [`${image.repositoryUri}:${image.tag}`, image.digest, image.built ? 'built and pushed' : 'existed already: not rebuilt'],
      ])
      .write();
  } catch (error) {
    const failure = actionError(error);
    for (const line of failure.details) core.error(line);
    core.setFailed(failure.line);
  }
}
