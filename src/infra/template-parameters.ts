import type { AuthSettings } from '../auth/pool-spec.js';
import type { GroundworkConfig } from '../config/resolved-config.js';

type BackendService = NonNullable<GroundworkConfig['workloads']['backendService']>;

/** The parameters of the workload templates that come from `workloads.backendService` (the rest are per account). */
export function workloadParameters(backend: BackendService, environment: string, blueGreen: boolean): Record<string, string> {
  const common = {
    ServiceName: backend.name,
    EnvironmentName: environment,
    ContainerPort: String(backend.containerPort),
    HealthCheckPath: backend.healthCheckPath,
    Cpu: String(backend.cpu),
    MemoryMiB: String(backend.memoryMiB),
    DesiredCount: String(backend.desiredCount),
  };
  if (!blueGreen) return common;
  const release = backend.release;
  return {
    ...common,
    ReleaseStrategy: release.strategy,
    DeploymentConfig: release.deploymentConfig,
    BakeMinutes: String(release.bakeMinutes),
    ReadyWaitMinutes: String(release.readyWaitMinutes),
    TestListenerPort: String(release.testListenerPort),
    TestTrafficCidr: release.testTrafficCidr,
    Max5xxPercent: String(release.max5xxPercent),
    // CodeDeploy and composite alarms name alarms of their own account and region: the name is the ARN's last part.
    ExtraAlarmNames: release.extraAlarmArns.map((arn) => arn.slice(arn.indexOf(':alarm:') + ':alarm:'.length)).join(','),
  };
}

/** The parameters of github-oidc.json that come from the config: the repository, its branch and its release tags. */
export function githubOidcParameters(backend: BackendService): Record<string, string> {
  const [owner = '', repository = ''] = (backend.repository ?? '').split('/');
  return { GitHubOwner: owner, GitHubRepository: repository, Branch: backend.branch, ReleaseTagPattern: backend.release.tagPattern };
}

/** The parameters of auth.json for one environment, from `auth.environments.NAME` (the domain prefix is per account). */
export function authParameters(settings: AuthSettings): Record<string, string> {
  return {
    EnvironmentName: settings.environment,
    AccessTokenMinutes: String(settings.accessTokenMinutes),
    IdTokenMinutes: String(settings.idTokenMinutes),
    RefreshTokenMinutes: String(settings.refreshTokenMinutes),
    ManagedLoginSessionMinutes: String(settings.managedLoginSessionMinutes),
    RefreshTokenRotation: String(settings.refreshTokenRotation),
    InvitationDays: String(settings.invitationDays),
    SignInCodeMinutes: String(settings.signInCodeMinutes),
    SignInCodesPerHour: String(settings.signInCodesPerHour),
    CodeSender: settings.codeSender ?? '',
    CallbackUrls: settings.callbackUrls.join(','),
    LogoutUrls: settings.logoutUrls.join(','),
    FeaturePlan: settings.featurePlan,
    Mfa: settings.mfa,
    DeletionProtection: String(settings.deletionProtection),
  };
}
