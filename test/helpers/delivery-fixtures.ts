import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ClientFactory } from '../../src/aws/client-factory.js';
import { findFreePort } from '../../src/sandbox/emulator.js';
import { node24 } from './node24.js';
import { SHARED_PATHS } from './paths.js';

/** Folder of the example backend service. */
export const EXAMPLE_SERVICE = join(SHARED_PATHS.root, 'examples/backend-service');

/** The environment its own commands run in: Node 24 first on PATH, as its engines field and Dockerfile say. */
export function exampleEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(node24())}:${process.env.PATH}` };
}

/** Starts the example service on a free port and waits for its health check; returns its URL and process. */
export async function startExampleService(): Promise<{ baseUrl: string; process: ChildProcess }> {
  const port = await findFreePort(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(node24(), ['src/server.ts'], { cwd: EXAMPLE_SERVICE, env: { ...exampleEnv(), PORT: String(port) }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${baseUrl}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { baseUrl, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the example service did not answer its health check within 10 s');
}

/** A staging cluster with a `backend` service on Fargate in the emulator, for deploy-staging. */
export async function createStagingService(clients: ClientFactory): Promise<void> {
  const ecs = clients.create(ECSClient);
  await ecs.send(new CreateClusterCommand({ clusterName: 'staging' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'backend',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'placeholder', essential: true, environment: [{ name: 'LOG_LEVEL', value: 'info' }], portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
  await ecs.send(new CreateServiceCommand({ cluster: 'staging', serviceName: 'backend', taskDefinition: 'backend', desiredCount: 1 }));
}
