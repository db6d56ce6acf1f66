/**
 * What the sandbox cannot show of a production release, by strategy: said by `up`, never pretended. moto creates the
 * service, its listener rules and the CodeDeploy group, but runs no deployment of either kind.
 */
export function sandboxReleaseLimits(strategy: 'ecs' | 'codedeploy'): string {
  return strategy === 'ecs'
    ? "the emulator has no ECS service deployments: UpdateService starts no blue/green deployment, so its lifecycle stages, the PAUSE hook at POST_TEST_TRAFFIC_SHIFT and ContinueServiceDeployment are not exercised here (bluegreen-release's ECS strategy is tested on recorded answers: src/delivery/ecs-bluegreen.test.ts)"
    : 'the emulator keeps CodeDeploy deployments Created and has no StopDeployment: the traffic shift, the smoke gate and the rollback are not exercised here (bluegreen-release is tested on recorded answers: src/delivery/codedeploy.test.ts)';
}
