import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import { actionError, booleanInput, keyValueLines, repositoryNameInput, sessionClients } from '../../src/delivery/action-io.js';
import { buildAndPush, imageTagInput } from '../../src/delivery/images.js';
import { runCommand } from '../../src/delivery/run-command.js';

/** The action: build once per commit, output the image by digest. */
export async function run(): Promise<void> {
  try {
    const clients = sessionClients(core.getInput('aws-region'), process.env);
    const tag = imageTagInput(core.getInput('image-tag'), process.env.GITHUB_SHA);
    const image = await buildAndPush({
      ecr: clients.create(ECRClient),
      repositoryName: repositoryNameInput('ecr-repository', core.getInput('ecr-repository', { required: true })),
      tag,
      context: core.getInput('context') || '.',
      // Empty: the Dockerfile in the context folder (context: service builds service/Dockerfile).
      dockerfile: core.getInput('dockerfile') || undefined,
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
