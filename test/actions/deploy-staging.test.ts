import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStagingService } from '../helpers/delivery-fixtures.js';
import { runAction } from '../helpers/run-action.js';
import { useTestEmulator } from '../helpers/test-emulator.js';

const sandbox = useTestEmulator();
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend@sha256:${'b'.repeat(64)}`;
const ENV = () => ({
  AWS_ENDPOINT_URL: sandbox.emulator.endpoint,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/backend',
  GITHUB_RUN_ID: '4242',
});

describe('deploy-staging, bundled and run as the runner runs it (Node 24), against the emulator', () => {
  const ecs = () => sandbox.emulator.clients('eu-west-1').create(ECSClient);
  beforeAll(async () => {
    await createStagingService(sandbox.emulator.clients('eu-west-1'));
  });

  it('registers the next revision pinned by digest and tagged with the run, points the service at it, and says the emulator shows no rollout', async () => {
    const run = await runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': IMAGE }, ENV());
    // moto starts no new deployment on UpdateService: the action must fail honestly rather than report a rollout.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::APPLY_FAILED: ECS accepted backend:2 for backend but started no deployment of it');
    expect(run.stdout).toContain('registered backend:2 with');
    const { services } = await ecs().send(new DescribeServicesCommand({ cluster: 'staging', services: ['backend'] }));
    expect(services?.[0]?.taskDefinition).toMatch(/task-definition\/backend:2$/);
    const { taskDefinition, tags } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'backend:2', include: ['TAGS'] }));
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({ name: 'app', image: IMAGE, environment: [{ name: 'LOG_LEVEL', value: 'info' }] });
    expect(tags).toContainEqual({ key: 'groundwork:run-url', value: 'https://github.com/acme/backend/actions/runs/4242' });
  });

  it('fails clearly for a service that does not exist, and for an image that is not pinned by digest', async () => {
    const missing = await runAction('deploy-staging', { cluster: 'staging', service: 'nope', 'image-uri': IMAGE }, ENV());
    expect(missing.stdout).toContain('::error::AWS_RESOURCE_NOT_FOUND: ECS service "nope" in cluster "staging" does not exist');
    const tag = await runAction('deploy-staging', { cluster: 'staging', service: 'backend', 'image-uri': 'backend:latest' }, ENV());
    expect(tag.stdout).toContain('::error::USAGE: image "backend:latest" is not pinned by digest');
  });
});
