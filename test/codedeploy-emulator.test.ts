import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecsAppSpec, startDeployment } from '../src/delivery/codedeploy.js';
import { useTestEmulator } from './helpers/test-emulator.js';

const sandbox = useTestEmulator();

// moto implements CodeDeploy's create, get and list calls, not the rollout: a deployment stays Created there, which is why
// the wait is tested on recorded answers (src/delivery/codedeploy.test.ts).
describe('CodeDeploy calls against the emulator', () => {
  const cd = () => sandbox.emulator.clients('eu-west-1').create(CodeDeployClient);
  beforeAll(async () => {
    await cd().send(new CreateApplicationCommand({ applicationName: 'backend', computePlatform: 'ECS' }));
    await cd().send(
      new CreateDeploymentGroupCommand({
        applicationName: 'backend',
        deploymentGroupName: 'prod',
        serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
        deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        ecsServices: [{ clusterName: 'prod', serviceName: 'backend-service' }],
      }),
    );
  });

  it('starts a deployment with the AppSpec built in code, which then exists with its revision', async () => {
    const appSpec = ecsAppSpec({
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/backend:8',
      containerName: 'app',
      containerPort: 8080,
    });
    const id = await startDeployment(cd(), { application: 'backend', group: 'prod', appSpec, description: 'release v1.0.0' });
    // AWS IDs look like d-XXXXXXXXX; moto's are UUIDs. What matters is that the ID finds the deployment.
    expect(id.length).toBeGreaterThan(0);
    const { deploymentInfo } = await cd().send(new GetDeploymentCommand({ deploymentId: id }));
    expect(deploymentInfo).toMatchObject({ applicationName: 'backend', deploymentGroupName: 'prod', description: 'release v1.0.0' });
    expect(deploymentInfo?.revision?.appSpecContent?.content).toBe(appSpec);
    const { deployments } = await cd().send(new ListDeploymentsCommand({ applicationName: 'backend', deploymentGroupName: 'prod' }));
    expect(deployments).toContain(id);
  });
});
