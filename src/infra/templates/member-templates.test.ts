import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_PATHS } from '../../../test/helpers/paths.js';
import { authSettings } from '../../auth/pool-spec.js';
import { loadConfig } from '../../config/load-config.js';
import { BUILD_CACHE_TAG } from '../../delivery/images.js';
import { resolveValue, roleAdmits, roleMayCall, roleTrustsPrincipal, type TemplateContext } from '../../delivery/trust-policy.js';
import { CDK_BOUNDARY_POLICY } from '../cdk-boundary.js';
import { lintTemplates } from '../cfn-lint.js';
import { authParameters, githubOidcParameters, workloadParameters } from '../template-parameters.js';
import { buildMemberTemplates, templateText } from './build-templates.js';

const built = buildMemberTemplates();
type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>;
  Conditions?: Record<string, unknown>;
  Parameters: Record<string, unknown>;
};
const byFile = (file: string) => built.find((t) => t.file === file)?.template as unknown as Template;

describe('the member-account templates in cloudformation/', () => {
  it('are current: each equals a fresh synthesis (npm run build:templates)', () => {
    for (const t of built) {
      const committed = readFileSync(join(SHARED_PATHS.root, 'cloudformation', t.file), 'utf8');
      expect({ file: t.file, current: committed === templateText(t.template) }).toEqual({ file: t.file, current: true });
    }
  });

  it('need no CDK bootstrap, so StackSets and aws cloudformation deploy can use them', () => {
    for (const t of built) {
      const text = JSON.stringify(t.template);
      expect(text).not.toContain('BootstrapVersion');
      // The GitOps deploy role is granted the CDK bootstrap's own resources (it bootstraps the management account);
      // nothing else in any template may refer to them.
      const grants = new Set([
        'IntoMemberAccountsAndTheCdkRoles',
        'TheCdkBootstrapRoles',
        'TheCdkExecutionRoleOnlyWithinTheBoundary',
        'TheCdkExecutionRoleBoundary',
        'TheCdkBootstrap',
      ]);
      const withoutThatGrant = JSON.stringify(t.template, (key, value) =>
        key === 'Statement' && Array.isArray(value) ? value.filter((st: { Sid?: string }) => !grants.has(st.Sid ?? '')) : value,
      );
      expect({ file: t.file, refersToTheBootstrap: withoutThatGrant.includes('cdk-hnb659fds') }).toEqual({ file: t.file, refersToTheBootstrap: false });
    }
  });

  it('pass cfn-lint with no errors or warnings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-member-lint-'));
    const files = built.map((t) => {
      const file = join(dir, t.file);
      writeFileSync(file, templateText(t.template));
      return file;
    });
    const findings = await lintTemplates({ venvDir: SHARED_PATHS.venv, stateDir: SHARED_PATHS.home }, files);
    expect(findings.filter((f) => f.level === 'Error' || f.level === 'Warning')).toEqual([]);
  });
});

describe('github-oidc.json: the image, delivery and release roles of one repository', () => {
  const template = byFile('github-oidc.json');
  const classic = {
    GitHubOwner: 'acme',
    GitHubRepository: 'backend',
    Branch: 'master',
    GitHubOwnerId: '',
    GitHubRepositoryId: '',
    WorkflowRepository: '',
    WorkflowCommit: '',
    CreateOidcProvider: 'true',
    StagingAccountId: '222222222222',
    StagingEnvironment: 'staging',
    ReleaseEnvironment: 'production',
    DeployRoleName: 'groundwork-deploy',
    DeliveryRoleName: 'groundwork-delivery',
    ImageRoleName: 'groundwork-image',
    ReleaseRoleName: 'groundwork-release',
    EcrRepositoryName: 'backend-service',
    ProductionAccountId: '',
    ReleaseTagPattern: 'v*',
  };
  const release = { ...classic, ProductionAccountId: '444444444444' };
  /** A token as GitHub issues it: the ref claim is the run's ref; sub names that ref, or the job's environment instead. */
  const token = (sub: string, extra: Record<string, string> = {}) => ({
    aud: 'sts.amazonaws.com',
    sub,
    ...(sub.includes(':ref:') ? { ref: sub.slice(sub.indexOf(':ref:') + 5) } : {}),
    ...extra,
  });
  const inEnvironment = (environment: string, ref: string, repo = 'acme/backend') => token(`repo:${repo}:environment:${environment}`, { ref, environment });
  const admitsAs =
    (role: string) =>
    (claims: Record<string, string>, parameters: Record<string, string> = release) =>
      roleAdmits(template, role, claims, { parameters });
  const image = admitsAs('ImageRole');
  const delivery = admitsAs('DeliveryRole');
  const releaseRole = admitsAs('ReleaseRole');
  /** What a role's own policies allow; `request` holds the call's condition keys (none by default: a key not given is absent). */
  const may = (role: string, action: string, resource: string, parameters: Record<string, string> = release, request: Record<string, string> = {}) =>
    roleMayCall(template, role, action, resource, { parameters }, request);
  const repositoryArn = 'arn:aws:ecr:us-east-1:111111111111:repository/backend-service';
  const stagingDeployRole = 'arn:aws:iam::222222222222:role/groundwork-deploy';
  const productionDeployRole = 'arn:aws:iam::444444444444:role/groundwork-deploy';

  it('the image role admits the image job of pushes to master of that repository, and nothing else: no tag', () => {
    expect(image(token('repo:acme/backend:ref:refs/heads/master'))).toBe(true);
    expect(image(token('repo:acme/backend:ref:refs/tags/v1.2.3'))).toBe(false);
    expect(image(token('repo:acme/backend:ref:refs/heads/feature-x'))).toBe(false);
    expect(image(token('repo:acme/backend:ref:refs/tags/nightly'))).toBe(false);
    expect(image(token('repo:acme/backend:pull_request', { ref: 'refs/pull/7/merge' }))).toBe(false);
    expect(image(token('repo:acme/other:ref:refs/heads/master'))).toBe(false);
    expect(image(token('repo:mallory/backend:ref:refs/tags/v1.2.3'))).toBe(false);
    expect(image(token('repo:acme/backend-fork:ref:refs/tags/v1.2.3'))).toBe(false);
    expect(image({ ...token('repo:acme/backend:ref:refs/heads/master'), aud: 'https://github.com/acme' })).toBe(false);
    // With or without a production account, no tag is trusted at all.
    expect(image(token('repo:acme/backend:ref:refs/tags/v1.2.3'), classic)).toBe(false);
    expect(image(token('repo:acme/backend:ref:refs/heads/master'), classic)).toBe(true);
    expect(image(token('repo:acme/backend:ref:refs/tags/master'))).toBe(false);
  });

  it('the image role may push to the one repository and nothing else: no role, no other repository', () => {
    for (const action of ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:BatchGetImage', 'ecr:DescribeImages'])
      expect(may('ImageRole', action, repositoryArn)).toBe(true);
    expect(may('ImageRole', 'ecr:PutImage', 'arn:aws:ecr:us-east-1:111111111111:repository/other')).toBe(false);
    expect(may('ImageRole', 'ecr:BatchDeleteImage', repositoryArn)).toBe(false);
    expect(may('ImageRole', 'ecr:SetRepositoryPolicy', repositoryArn)).toBe(false);
    for (const target of [stagingDeployRole, productionDeployRole]) expect(may('ImageRole', 'sts:AssumeRole', target)).toBe(false);
    expect(may('ImageRole', 'sts:AssumeRole', 'arn:aws:iam::111111111111:role/groundwork-release')).toBe(false);
  });

  it('attack: a tag push without the production environment gets no role at all: no image push, no production deploy role', () => {
    // A writer who is no reviewer pushes v0-x (or v9.9.9-x) on a commit of their own whose workflow skips the release
    // job's environment: the token names the tag in sub, and no environment. With the image role it could pre-push an
    // image under the SHA tag of a reviewed master commit before that commit's image job, which would reuse it, and
    // staging would record it for the release to ship; so no role admits it, whatever the tag or the workflow pin.
    const sha = 'a'.repeat(40);
    const pinned = { ...release, WorkflowRepository: 'acme/groundwork', WorkflowCommit: sha };
    const releaseRef = { job_workflow_ref: `acme/groundwork/.github/workflows/backend-release.yml@${sha}` };
    const stagingRef = { job_workflow_ref: `acme/groundwork/.github/workflows/backend-staging.yml@${sha}` };
    for (const tag of ['v0-x', 'v9.9.9-x', 'v1.2.3']) {
      const tagPush = token(`repo:acme/backend:ref:refs/tags/${tag}`);
      for (const [role, admits] of [
        ['ImageRole', image],
        ['DeliveryRole', delivery],
        ['ReleaseRole', releaseRole],
      ] as const) {
        for (const [claims, parameters] of [
          [tagPush, release],
          [tagPush, classic],
          [{ ...tagPush, ...releaseRef }, pinned],
          [{ ...tagPush, ...stagingRef }, pinned],
          [token(`repo:acme@1001/backend@2002:ref:refs/tags/${tag}`), { ...release, GitHubOwnerId: '1001', GitHubRepositoryId: '2002' }],
        ] as const) {
          // Without a production account there is no release role to ask.
          if (role === 'ReleaseRole' && parameters === classic) continue;
          expect({ tag, role, admitted: admits(claims, parameters) }).toEqual({ tag, role, admitted: false });
        }
      }
    }
    // The image role keeps no statement for tags: only the branch's push subject.
    const imageTrust = JSON.stringify(template.Resources.ImageRole?.Properties.AssumeRolePolicyDocument);
    expect(imageTrust).not.toContain('refs/tags');
    expect(may('ImageRole', 'sts:AssumeRole', productionDeployRole)).toBe(false);
    // Production's deploy role trusts the release role alone, which only the production environment reaches.
    const production = byFile('workload-bluegreen.json');
    const ctx = { parameters: { ReleaseRoleArn: 'arn:aws:iam::111111111111:role/groundwork-release', ImageAccountId: '111111111111' } };
    expect(roleTrustsPrincipal(production, 'DeployRole', 'arn:aws:iam::111111111111:role/groundwork-image', ctx)).toBe(false);
    expect(roleTrustsPrincipal(production, 'DeployRole', 'arn:aws:iam::111111111111:role/groundwork-release', ctx)).toBe(true);
  });

  it('attack: a branch push without the staging environment pushes an image but cannot reach the staging deploy role', () => {
    const branchPush = token('repo:acme/backend:ref:refs/heads/master');
    expect(delivery(branchPush)).toBe(false);
    expect(releaseRole(branchPush)).toBe(false);
    expect(may('ImageRole', 'sts:AssumeRole', stagingDeployRole)).toBe(false);
    const staging = byFile('workload.json');
    const ctx = { parameters: { DeliveryRoleArn: 'arn:aws:iam::111111111111:role/groundwork-delivery', ImageAccountId: '111111111111' } };
    expect(roleTrustsPrincipal(staging, 'DeployRole', 'arn:aws:iam::111111111111:role/groundwork-image', ctx)).toBe(false);
    expect(roleTrustsPrincipal(staging, 'DeployRole', 'arn:aws:iam::111111111111:role/groundwork-delivery', ctx)).toBe(true);
  });

  it('the delivery role admits only the staging deploy job: the staging environment of a run of master', () => {
    expect(delivery(inEnvironment('staging', 'refs/heads/master'))).toBe(true);
    expect(delivery(inEnvironment('staging', 'refs/heads/feature-x'))).toBe(false);
    expect(delivery(inEnvironment('staging', 'refs/tags/v1.2.3'))).toBe(false);
    expect(delivery(inEnvironment('production', 'refs/heads/master'))).toBe(false);
    expect(delivery(inEnvironment('staging', 'refs/heads/master', 'acme/other'))).toBe(false);
    expect(delivery(token('repo:acme/backend:pull_request', { ref: 'refs/pull/7/merge' }))).toBe(false);
    expect(delivery(inEnvironment('qa', 'refs/heads/master'), { ...release, StagingEnvironment: 'qa' })).toBe(true);
    expect(template.Parameters.StagingEnvironment).toMatchObject({ AllowedPattern: '^[A-Za-z0-9._-]{1,255}$' });
    expect(may('DeliveryRole', 'sts:AssumeRole', stagingDeployRole)).toBe(true);
    expect(may('DeliveryRole', 'sts:AssumeRole', productionDeployRole)).toBe(false);
    expect(may('DeliveryRole', 'ecr:PutImage', repositoryArn)).toBe(false);
  });

  it('attack: the image role cannot write a staging record; the delivery role writes one but cannot overwrite, delete or label it; the release role reads it', () => {
    const record = (repository: string) => `arn:aws:ssm:us-east-1:111111111111:parameter/groundwork/staging-records/${repository}/${'a'.repeat(40)}`;
    const mine = record('backend-service');
    const overwrite = { 'ssm:Overwrite': 'true' };
    // Any writer who can push a branch gets the image role with a workflow of their own: no SSM at all, so no forged record.
    for (const action of ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter', 'ssm:LabelParameterVersion'])
      expect({ action, allowed: may('ImageRole', action, mine) }).toEqual({ action, allowed: false });
    expect(may('ImageRole', 'ssm:PutParameter', mine, release, overwrite)).toBe(false);
    // The staging deploy job creates the record (PutParameter without Overwrite) and reads it back on a re-run.
    expect(may('DeliveryRole', 'ssm:PutParameter', mine)).toBe(true);
    expect(may('DeliveryRole', 'ssm:PutParameter', mine, release, { 'ssm:Overwrite': 'false' })).toBe(true);
    expect(may('DeliveryRole', 'ssm:GetParameter', mine)).toBe(true);
    // ...and cannot move it once written, nor delete or relabel it, nor write outside its repository's records.
    expect(may('DeliveryRole', 'ssm:PutParameter', mine, release, overwrite)).toBe(false);
    for (const action of ['ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion'])
      expect({ action, allowed: may('DeliveryRole', action, mine) }).toEqual({ action, allowed: false });
    expect(may('DeliveryRole', 'ssm:PutParameter', record('other-service'))).toBe(false);
    expect(may('DeliveryRole', 'ssm:PutParameter', 'arn:aws:ssm:us-east-1:111111111111:parameter/groundwork/other')).toBe(false);
    // The record is named by the repository parameter.
    expect(may('DeliveryRole', 'ssm:PutParameter', record('api'), { ...release, EcrRepositoryName: 'api' })).toBe(true);
    // The release job reads the record and writes none.
    expect(may('ReleaseRole', 'ssm:GetParameter', mine)).toBe(true);
    for (const action of ['ssm:PutParameter', 'ssm:DeleteParameter'])
      expect({ action, allowed: may('ReleaseRole', action, mine) }).toEqual({ action, allowed: false });
    // The Deny names the key AWS documents for PutParameter's Overwrite option; without the call's keys the evaluator refuses to guess.
    expect(() => roleMayCall(template, 'DeliveryRole', 'ssm:PutParameter', mine, { parameters: release })).toThrow(/unsupported Condition/);
  });

  it('the release role admits only the release job: the production environment of a run of a release tag', () => {
    expect(template.Resources.ReleaseRole?.Condition).toBe('Release');
    expect(releaseRole(inEnvironment('production', 'refs/tags/v1.2.3'))).toBe(true);
    expect(releaseRole(inEnvironment('production', 'refs/heads/master'))).toBe(false);
    expect(releaseRole(inEnvironment('production', 'refs/tags/nightly'))).toBe(false);
    expect(releaseRole(inEnvironment('staging', 'refs/tags/v1.2.3'))).toBe(false);
    expect(releaseRole(inEnvironment('production', 'refs/tags/v1.2.3', 'acme/other'))).toBe(false);
    expect(releaseRole(token('repo:acme/backend:ref:refs/tags/v1.2.3'))).toBe(false);
    expect(may('ReleaseRole', 'sts:AssumeRole', productionDeployRole)).toBe(true);
    expect(may('ReleaseRole', 'sts:AssumeRole', stagingDeployRole)).toBe(false);
    expect(may('ReleaseRole', 'ecr:PutImage', repositoryArn)).toBe(true);
  });

  it('uses the immutable subject form when the numeric IDs are given, for every role', () => {
    const ids = { ...release, GitHubOwnerId: '1001', GitHubRepositoryId: '2002' };
    expect(image(token('repo:acme@1001/backend@2002:ref:refs/heads/master'), ids)).toBe(true);
    expect(image(token('repo:acme@1001/backend@2002:ref:refs/tags/v1.0.0'), ids)).toBe(false);
    expect(delivery(token('repo:acme@1001/backend@2002:environment:staging', { ref: 'refs/heads/master' }), ids)).toBe(true);
    expect(releaseRole(token('repo:acme@1001/backend@2002:environment:production', { ref: 'refs/tags/v1.0.0' }), ids)).toBe(true);
    // A repository deleted and re-created under the same name has another ID.
    expect(image(token('repo:acme@1001/backend@9999:ref:refs/heads/master'), ids)).toBe(false);
    expect(image(token('repo:acme/backend:ref:refs/heads/master'), ids)).toBe(false);
    expect(releaseRole(token('repo:acme/backend:environment:production', { ref: 'refs/tags/v1.0.0' }), ids)).toBe(false);
  });

  it('pins each role to its own reusable workflow of this library at the given commit when WorkflowRepository and WorkflowCommit are set', () => {
    const sha = 'a'.repeat(40);
    const pinned = { ...release, WorkflowRepository: 'acme/groundwork', WorkflowCommit: sha };
    const stagingRef = `acme/groundwork/.github/workflows/backend-staging.yml@${sha}`;
    const releaseRef = `acme/groundwork/.github/workflows/backend-release.yml@${sha}`;
    const evil = { job_workflow_ref: 'acme/backend/.github/workflows/evil.yml@refs/heads/master' };
    expect(image(token('repo:acme/backend:ref:refs/heads/master', { job_workflow_ref: stagingRef }), pinned)).toBe(true);
    expect(image(token('repo:acme/backend:ref:refs/heads/master', evil), pinned)).toBe(false);
    expect(image(token('repo:acme/backend:ref:refs/heads/master', { job_workflow_ref: releaseRef }), pinned)).toBe(false);
    expect(delivery(inEnvironment('staging', 'refs/heads/master'), pinned)).toBe(false);
    expect(delivery({ ...inEnvironment('staging', 'refs/heads/master'), job_workflow_ref: stagingRef }, pinned)).toBe(true);
    expect(delivery({ ...inEnvironment('staging', 'refs/heads/master'), job_workflow_ref: releaseRef }, pinned)).toBe(false);
    expect(releaseRole({ ...inEnvironment('production', 'refs/tags/v1.0.0'), job_workflow_ref: releaseRef }, pinned)).toBe(true);
    expect(releaseRole({ ...inEnvironment('production', 'refs/tags/v1.0.0'), ...evil }, pinned)).toBe(false);
    // The library at a moved tag is not the pinned commit.
    const byTag = { job_workflow_ref: 'acme/groundwork/.github/workflows/backend-release.yml@refs/tags/v1' };
    expect(releaseRole({ ...inEnvironment('production', 'refs/tags/v1.0.0'), ...byTag }, pinned)).toBe(false);
    expect(template.Parameters.WorkflowCommit).toMatchObject({ AllowedPattern: '^([0-9a-f]{40})?$' });
    const rules = (template as unknown as { Rules: Record<string, { Assertions: { Assert: unknown }[] }> }).Rules;
    expect(JSON.stringify(rules.WorkflowPinComplete?.Assertions[0]?.Assert)).toContain('WorkflowRepository');
  });

  it('uses StringLike only for the tag pattern, never for the repository or an environment', () => {
    const trusts = (role: string) => JSON.stringify(template.Resources[role]?.Properties.AssumeRolePolicyDocument);
    for (const role of ['ImageRole', 'DeliveryRole']) expect(trusts(role)).not.toContain('StringLike');
    for (const role of ['ImageRole', 'DeliveryRole', 'ReleaseRole']) expect(trusts(role)).not.toMatch(/repo:\*|:\*"|environment:\*/);
    expect(template.Resources.Provider?.Condition).toBe('CreateProvider');
  });
});

describe('foundation-bootstrap.json: the GitOps roles of the infrastructure repository', () => {
  const template = byFile('foundation-bootstrap.json');
  const parameters = { GitHubOwner: 'acme', InfraRepository: 'infra', DefaultBranch: 'main', ApplyEnvironment: 'foundation', CreateOidcProvider: 'true' };
  const token = (sub: string, ref?: string) => ({ aud: 'sts.amazonaws.com', sub, ...(ref ? { ref } : {}) });
  const admits = (role: string, claims: Record<string, string>) => roleAdmits(template, role, claims, { parameters });

  it('lets pull requests and default-branch runs of that repository plan, and nothing else', () => {
    expect(admits('PlanRole', token('repo:acme/infra:pull_request', 'refs/pull/7/merge'))).toBe(true);
    expect(admits('PlanRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/heads/main'))).toBe(true);
    expect(admits('PlanRole', token('repo:acme/infra:ref:refs/heads/feature', 'refs/heads/feature'))).toBe(false);
    expect(admits('PlanRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(false);
    expect(admits('PlanRole', token('repo:acme/other:pull_request'))).toBe(false);
    expect(admits('PlanRole', token('repo:acme/infra-fork:pull_request'))).toBe(false);
    expect(admits('PlanRole', { ...token('repo:acme/infra:pull_request'), aud: 'https://github.com/acme' })).toBe(false);
  });

  it('lets only the approved foundation environment of a default-branch run deploy', () => {
    expect(admits('DeployRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(true);
    // The environment from another branch (its reviewers could be bypassed by a branch rule), a PR, a push without it.
    expect(admits('DeployRole', token('repo:acme/infra:environment:foundation', 'refs/heads/feature'))).toBe(false);
    expect(admits('DeployRole', token('repo:acme/infra:pull_request', 'refs/pull/7/merge'))).toBe(false);
    expect(admits('DeployRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/heads/main'))).toBe(false);
    expect(admits('DeployRole', token('repo:acme/infra:environment:production', 'refs/heads/main'))).toBe(false);
    expect(admits('DeployRole', token('repo:mallory/infra:environment:foundation', 'refs/heads/main'))).toBe(false);
  });

  it('lets pushes and schedules of the default branch sync people, and nothing else', () => {
    expect(admits('SyncRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/heads/main'))).toBe(true);
    expect(admits('SyncRole', token('repo:acme/infra:ref:refs/heads/feature', 'refs/heads/feature'))).toBe(false);
    expect(admits('SyncRole', token('repo:acme/infra:pull_request'))).toBe(false);
    expect(admits('SyncRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(false);
  });

  it('gives the plan and sync roles no way to any other role, and the plan role no write', () => {
    const statements = (role: string) =>
      ((template.Resources[role]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Effect: string; Action: string | string[] }[] } }[]).flatMap(
        (p) => p.PolicyDocument.Statement,
      );
    for (const role of ['PlanRole', 'SyncRole']) {
      expect(statements(role)).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: expect.arrayContaining(['sts:AssumeRole']) }));
    }
    const planActions = statements('PlanRole')
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => [s.Action].flat());
    for (const action of planActions) expect(action).toMatch(/:(Describe|List|Get)[A-Za-z*]*$/);
    const syncActions = statements('SyncRole').flatMap((s) => [s.Action].flat());
    expect(syncActions.filter((a) => /Delete/.test(a))).toEqual(['identitystore:DeleteGroupMembership']);
  });
});

describe('foundation-bootstrap.json: subjects, pull requests and the CDK bootstrap roles', () => {
  const template = byFile('foundation-bootstrap.json');
  const parameters = { GitHubOwner: 'acme', InfraRepository: 'infra' };
  const ids = { ...parameters, GitHubOwnerId: '1001', InfraRepositoryId: '2002' };
  const token = (sub: string, ref: string, extra: Record<string, string> = {}) => ({ aud: 'sts.amazonaws.com', sub, ref, ...extra });
  const admits = (role: string, claims: Record<string, string>, given: Record<string, string> = parameters) =>
    roleAdmits(template, role, claims, { parameters: given });
  const account = '111111111111';
  const cdkRole = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  // The deploy role's conditions are evaluated; a request carries iam:PermissionsBoundary only when it sets one.
  const may = (action: string, resource: string, given: Record<string, string> = parameters, context: Record<string, string> = {}) =>
    roleMayCall(template, 'DeployRole', action, resource, { parameters: given, accountId: account, region: 'eu-west-1' }, context);
  const boundary = `arn:aws:iam::${account}:policy/${CDK_BOUNDARY_POLICY}`;
  const withBoundary = { 'iam:PermissionsBoundary': boundary };

  it("admits GitHub's immutable subject form (OWNER@ID/REPO@ID) for every role when the numeric IDs are given, and then only it", () => {
    expect(admits('PlanRole', token('repo:acme@1001/infra@2002:pull_request', 'refs/pull/7/merge'), ids)).toBe(true);
    expect(admits('PlanRole', token('repo:acme@1001/infra@2002:ref:refs/heads/main', 'refs/heads/main'), ids)).toBe(true);
    expect(admits('DeployRole', token('repo:acme@1001/infra@2002:environment:foundation', 'refs/heads/main'), ids)).toBe(true);
    expect(admits('SyncRole', token('repo:acme@1001/infra@2002:ref:refs/heads/main', 'refs/heads/main'), ids)).toBe(true);
    // A repository re-created under the same name has another ID; the classic form is no longer trusted.
    expect(admits('DeployRole', token('repo:acme@1001/infra@9999:environment:foundation', 'refs/heads/main'), ids)).toBe(false);
    expect(admits('DeployRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'), ids)).toBe(false);
    expect(admits('PlanRole', token('repo:acme/infra:pull_request', 'refs/pull/7/merge'), ids)).toBe(false);
    // Without the IDs, the classic form.
    expect(admits('DeployRole', token('repo:acme/infra:environment:foundation', 'refs/heads/main'))).toBe(true);
  });

  it('lets the plan role admit pull_request tokens of that repository only with their merge ref, not a pull_request_target run', () => {
    expect(admits('PlanRole', token('repo:acme/infra:pull_request', 'refs/pull/42/merge'))).toBe(true);
    // pull_request_target runs a fork's pull request with the base repository's rights; its token carries the base branch.
    expect(admits('PlanRole', token('repo:acme/infra:pull_request', 'refs/heads/main'))).toBe(false);
    expect(admits('PlanRole', token('repo:acme/infra:pull_request', 'refs/heads/feature'))).toBe(false);
    expect(admits('PlanRole', token('repo:acme/infra-fork:pull_request', 'refs/pull/42/merge'))).toBe(false);
    expect(admits('PlanRole', token('repo:mallory/infra:pull_request', 'refs/pull/42/merge'))).toBe(false);
    // The default branch's subject with another ref claim is not a default-branch run.
    expect(admits('PlanRole', token('repo:acme/infra:ref:refs/heads/main', 'refs/pull/42/merge'))).toBe(false);
  });

  it('attack: the deploy role cannot mint a CDK-named role (cdk-hnb659fds-x) nor assume one; it maintains only the bootstrap’s own roles', () => {
    const minted = cdkRole('cdk-hnb659fds-x');
    for (const action of ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole']) {
      expect({ action, allowed: may(action, minted) }).toEqual({ action, allowed: false });
    }
    expect(may('sts:AssumeRole', minted)).toBe(false);
    // A name that only begins like a bootstrap role's is another role.
    expect(may('iam:CreateRole', cdkRole(`cdk-hnb659fds-deploy-role-${account}-eu-west-1-x`))).toBe(false);
    expect(may('iam:CreateRole', cdkRole(`cdk-hnb659fds-deploy-role-${account}-us-east-2`))).toBe(false);
    expect(may('iam:CreatePolicy', `arn:aws:iam::${account}:policy/cdk-hnb659fds-admin`)).toBe(false);
    expect(may('iam:CreateUser', `arn:aws:iam::${account}:user/cdk-hnb659fds-x`)).toBe(false);
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect({ kind, allowed: may('iam:CreateRole', cdkRole(`cdk-hnb659fds-${kind}-role-${account}-eu-west-1`)) }).toEqual({ kind, allowed: true });
    }
    // The execution role only within the permissions boundary (next test).
    expect(may('iam:CreateRole', cdkRole(`cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`), parameters, withBoundary)).toBe(true);
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect({ kind, allowed: may('sts:AssumeRole', cdkRole(`cdk-hnb659fds-${kind}-role-${account}-eu-west-1`)) }).toEqual({ kind, allowed: true });
    }
    // CloudFormation assumes the execution role; the deploy role neither assumes nor passes it.
    expect(may('sts:AssumeRole', cdkRole(`cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`))).toBe(false);
    expect(may('iam:PassRole', cdkRole(`cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`))).toBe(false);
    // HomeRegion names the bootstrap's region when the stack is elsewhere.
    expect(may('iam:CreateRole', cdkRole(`cdk-hnb659fds-deploy-role-${account}-us-east-2`), { ...parameters, HomeRegion: 'us-east-2' })).toBe(true);
    expect(may('iam:CreateRole', cdkRole(`cdk-hnb659fds-deploy-role-${account}-eu-west-1`), { ...parameters, HomeRegion: 'us-east-2' })).toBe(false);
  });

  it('attack: the deploy role cannot create or leave the CDK execution role without the permissions boundary, nor change the boundary; it can bootstrap with it', () => {
    const exec = cdkRole(`cdk-hnb659fds-cfn-exec-role-${account}-eu-west-1`);
    const other = { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/cdk-hnb659fds-permissions-boundary` };
    // The execution role (AdministratorAccess by default) without a boundary, or with one of the attacker's choosing.
    expect(may('iam:CreateRole', exec)).toBe(false);
    expect(may('iam:CreateRole', exec, parameters, other)).toBe(false);
    expect(may('iam:PutRolePermissionsBoundary', exec, parameters, other)).toBe(false);
    expect(may('iam:DeleteRolePermissionsBoundary', exec)).toBe(false);
    // The boundary itself: created when absent, never rewritten, replaced or deleted by the deploy role.
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy']) {
      expect({ action, allowed: may(action, boundary) }).toEqual({ action, allowed: false });
    }
    expect(may('iam:CreatePolicy', `arn:aws:iam::${account}:policy/cdk-hnb659fds-permissions-boundary`)).toBe(false);
    expect(may('iam:CreatePolicy', `arn:aws:iam::${account}:policy/${CDK_BOUNDARY_POLICY}-x`)).toBe(false);
    // What the bootstrap needs: the policy by its exact name, and the execution role created or updated within it.
    for (const action of ['iam:CreatePolicy', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions']) {
      expect({ action, allowed: may(action, boundary) }).toEqual({ action, allowed: true });
    }
    expect(may('iam:CreateRole', exec, parameters, withBoundary)).toBe(true);
    expect(may('iam:PutRolePermissionsBoundary', exec, parameters, withBoundary)).toBe(true);
    // The boundary goes on the execution role only: no other role, and no role outside the bootstrap's.
    expect(may('iam:PutRolePermissionsBoundary', cdkRole(`cdk-hnb659fds-deploy-role-${account}-eu-west-1`), parameters, withBoundary)).toBe(false);
    expect(may('iam:CreateRole', cdkRole('cdk-hnb659fds-x'), parameters, withBoundary)).toBe(false);
  });
});

describe('ecr-repository.json', () => {
  const template = byFile('ecr-repository.json');
  const repository = template.Resources.Repository?.Properties as Record<string, unknown>;

  it('keeps tags immutable, scans on push, encrypts with its own rotating key, and expires untagged images', () => {
    expect(repository).toMatchObject({
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': ['Key', 'Arn'] } },
    });
    expect(template.Resources.Key?.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(repository.LifecyclePolicy)).toContain('untagged');
  });

  it('excludes only the build cache tag from immutability: every build rewrites REPO:buildcache, so the second build would be refused', () => {
    // The exact tag build-and-push exports its cache to, and no wildcard that could let a commit SHA tag be rewritten.
    expect(repository.ImageTagMutabilityExclusionFilters).toEqual([
      { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: BUILD_CACHE_TAG },
    ]);
    expect(BUILD_CACHE_TAG).toMatch(/^[a-z]+$/);
  });

  it('lets only the environment accounts pull, and only pull', () => {
    const statement = (repository.RepositoryPolicyText as { Statement: Record<string, unknown>[] }).Statement[0];
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'PullAccountIds' } } },
    });
  });
});

describe('workload.json: a staging environment for the backend service', () => {
  const template = byFile('workload.json');
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('has no NAT gateway; VPC endpoints exist only when tasks run in private subnets', () => {
    expect(ofType('AWS::EC2::NatGateway')).toEqual([]);
    const endpoints = ofType('AWS::EC2::VPCEndpoint');
    expect(endpoints.length).toBe(4);
    for (const [, endpoint] of endpoints) expect(endpoint.Condition).toBe('PrivateTasks');
    expect(ofType('AWS::EC2::FlowLog')).toHaveLength(1);
  });

  it('runs the service on Fargate with Container Insights, the circuit breaker with rollback, and CPU target tracking', () => {
    expect(ofType('AWS::ECS::Cluster')[0]?.[1].Properties.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
    const service = template.Resources.Service?.Properties as Record<string, unknown>;
    expect(service).toMatchObject({
      LaunchType: 'FARGATE',
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 },
    });
    expect(template.Resources.CpuTracking?.Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
    });
    expect(template.Resources.ServiceLogs?.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
  });

  it('logs load balancer access to a TLS-only bucket and checks the health path', () => {
    const attributes = template.Resources.Alb?.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[];
    expect(attributes).toContainEqual({ Key: 'access_logs.s3.enabled', Value: 'true' });
    expect(template.Resources.Targets?.Properties).toMatchObject({ HealthCheckPath: { Ref: 'HealthCheckPath' }, TargetType: 'ip' });
    const bucketPolicy = ofType('AWS::S3::BucketPolicy')[0]?.[1].Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(bucketPolicy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('serves HTTPS only when a certificate is given, and then redirects HTTP', () => {
    expect(template.Resources.HttpsListener?.Condition).toBe('Https');
    expect(template.Resources.HttpRedirect?.Condition).toBe('Https');
    expect(template.Resources.Http?.Condition).toBe('HttpOnly');
  });

  it("lets the tasks pull only from the cicd account's repository", () => {
    for (const file of ['workload.json', 'workload-bluegreen.json']) {
      const workload = byFile(file);
      const ctx = { parameters: { ImageAccountId: '111111111111', ImageRepositoryName: 'backend-service' }, accountId: '222222222222' };
      const pull = (resource: string) => roleMayCall(workload, 'ExecutionRole', 'ecr:BatchGetImage', resource, ctx);
      expect({ file, cicd: pull('arn:aws:ecr:us-east-1:111111111111:repository/backend-service') }).toEqual({ file, cicd: true });
      expect({ file, other: pull('arn:aws:ecr:us-east-1:111111111111:repository/other') }).toEqual({ file, other: false });
      expect({ file, elsewhere: pull('arn:aws:ecr:us-east-1:999999999999:repository/backend-service') }).toEqual({ file, elsewhere: false });
      expect({ file, ownAccount: pull('arn:aws:ecr:us-east-1:222222222222:repository/backend-service') }).toEqual({ file, ownAccount: false });
    }
  });

  it('lets only the delivery role assume the deploy role, which may deploy this service and nothing else', () => {
    const role = template.Resources.DeployRole?.Properties as {
      AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
      Policies: { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { AWS: { Ref: 'DeliveryRoleArn' } }, Action: 'sts:AssumeRole' }]);
    const statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['TaskDefinitions', ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition']],
      ['TagTaskDefinitions', 'ecs:TagResource'],
      ['TheService', ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:ListTagsForResource']],
      ['TheServiceUrl', ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeLoadBalancers']],
      ['PassTheTaskRoles', 'iam:PassRole'],
    ]);
    expect(JSON.stringify(statements[2]?.Resource)).toContain(':service/${Cluster}/${Service}');
    // Tags only on task definitions: not on a service (its groundwork:desired-count tag), not on anything else.
    const workloadCtx = { parameters: { Cluster: 'staging' }, accountId: '333333333333', region: 'eu-west-1' };
    const tag = (resource: string) => roleMayCall(template, 'DeployRole', 'ecs:TagResource', resource, workloadCtx, {});
    expect(tag('arn:aws:ecs:eu-west-1:333333333333:task-definition/backend-service:8')).toBe(true);
    expect(tag('arn:aws:ecs:eu-west-1:333333333333:service/staging/other-service')).toBe(false);
    expect(tag('arn:aws:ecs:eu-west-1:333333333333:cluster/staging')).toBe(false);
    expect(statements[4]).toMatchObject({
      Resource: [{ 'Fn::GetAtt': ['ExecutionRole', 'Arn'] }, { 'Fn::GetAtt': ['TaskRole', 'Arn'] }],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
  });
});

describe('workload-bluegreen.json: production, released blue/green by ECS (default) or CodeDeploy', () => {
  const template = byFile('workload-bluegreen.json');
  type Statement = { Sid: string; Action: string | string[]; Resource: unknown };
  const props = (id: string) => template.Resources[id]?.Properties as Record<string, unknown>;
  /** A resource as CloudFormation would create it with these parameters (defaults for the rest), or undefined when its condition is false. */
  const resolved = (id: string, parameters: Record<string, string> = {}) => {
    const defaults = Object.fromEntries(
      Object.entries(template.Parameters as Record<string, { Default?: unknown }>).flatMap(([k, p]) =>
        p.Default === undefined ? [] : [[k, String(p.Default)]],
      ),
    );
    // A Ref to a resource resolves to a placeholder of its name, which matches no real value.
    const refs = Object.fromEntries(Object.keys(template.Resources).map((id) => [id, `{${id}}`]));
    const ctx: TemplateContext = {
      parameters: { ...refs, ReleaseRoleArn: 'arn:aws:iam::222222222222:role/groundwork-release', ImageAccountId: '222222222222', ...defaults, ...parameters },
      conditions: template.Conditions,
      mappings: (template as unknown as { Mappings: TemplateContext['mappings'] }).Mappings,
    };
    const resource = template.Resources[id];
    if (!resource) throw new Error(`no resource ${id}`);
    if (resource.Condition && !resolveValue({ 'Fn::If': [resource.Condition, true, false] }, ctx)) return undefined;
    return resolveValue(resource.Properties, ctx) as Record<string, unknown>;
  };

  it("runs the service under ECS's own blue/green by default: the shift of DeploymentConfig, the bake, the alarms, and a PAUSE hook after test traffic that rolls back on its timeout", () => {
    const service = resolved('Service');
    expect(service).toMatchObject({
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: {
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: '10',
        Alarms: { Enable: true, Rollback: true },
        LifecycleHooks: [
          { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: '30', Action: 'ROLLBACK' } },
        ],
      },
      LoadBalancers: [
        {
          ContainerName: 'app',
          TargetGroupArn: expect.any(String),
          AdvancedConfiguration: { RoleArn: '{EcsLoadBalancerRole.Arn}' },
        },
      ],
    });
    const configuration = (service as { DeploymentConfiguration: Record<string, unknown> }).DeploymentConfiguration;
    expect(configuration.LinearConfiguration).toBeUndefined();
    expect((configuration.Alarms as { AlarmNames: unknown[] }).AlarmNames).toHaveLength(4);
    expect(
      (resolved('Service', { ExtraAlarmNames: 'latency' }) as { DeploymentConfiguration: { Alarms: { AlarmNames: unknown[] } } }).DeploymentConfiguration.Alarms
        .AlarmNames,
    ).toHaveLength(5);
    // The same shifts as CodeDeploy's configurations.
    expect(resolved('Service', { DeploymentConfig: 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes' })).toMatchObject({
      DeploymentConfiguration: { Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 3 } },
    });
    const allAtOnce = resolved('Service', { DeploymentConfig: 'CodeDeployDefault.ECSAllAtOnce' }) as { DeploymentConfiguration: Record<string, unknown> };
    expect(allAtOnce.DeploymentConfiguration.Strategy).toBe('BLUE_GREEN');
    expect(allAtOnce.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
    // ECS moves the two listener rules: production forwards to blue, the test listener to green, each on the stack's own listener.
    expect(JSON.stringify(props('Service').LoadBalancers)).toContain('"AlternateTargetGroupArn":{"Ref":"GreenTargets"}');
    expect(JSON.stringify(props('Service').LoadBalancers)).toContain('"ProductionListenerRule":{"Ref":"ProductionRule"}');
    expect(JSON.stringify(props('Service').LoadBalancers)).toContain('"TestListenerRule":{"Ref":"TestRule"}');
    expect(props('ProductionRule')).toMatchObject({
      ListenerArn: { 'Fn::If': ['Https', { Ref: 'HttpsListener' }, { Ref: 'Http' }] },
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Targets' } }],
    });
    expect(props('TestRule')).toMatchObject({ ListenerArn: { Ref: 'TestListener' }, Actions: [{ Type: 'forward', TargetGroupArn: { Ref: 'GreenTargets' } }] });
    expect(resolved('EcsLoadBalancerRole')).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: 'ecs.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }],
      },
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers'],
    });
    // No CodeDeploy with ECS's own blue/green.
    for (const id of ['Application', 'DeploymentGroup', 'CodeDeployRole']) expect(resolved(id)).toBeUndefined();
  });

  it('runs the service under the CODE_DEPLOY controller with ReleaseStrategy codedeploy, with no ECS deployment configuration, listener rules or ECS role', () => {
    const codedeploy = { ReleaseStrategy: 'codedeploy' };
    const service = resolved('Service', codedeploy) as Record<string, unknown>;
    expect(service.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    expect(service.DeploymentConfiguration).toBeUndefined();
    expect(service.LoadBalancers).toEqual([{ ContainerName: 'app', ContainerPort: '8080', TargetGroupArn: expect.any(String) }]);
    for (const id of ['ProductionRule', 'TestRule', 'EcsLoadBalancerRole']) expect(resolved(id, codedeploy)).toBeUndefined();
    expect(resolved('DeploymentGroup', codedeploy)).toBeDefined();
    expect(template.Parameters.ReleaseStrategy).toMatchObject({ Default: 'ecs', AllowedValues: ['ecs', 'codedeploy'] });
  });

  it("has every ECS property it sets in cfn-lint's own AWS::ECS::Service schema (the pinned cfn-lint knows them all)", () => {
    const schemas = join(SHARED_PATHS.venv, 'lib');
    const python = readdirSync(schemas).find((d) => d.startsWith('python'));
    const providers = join(schemas, python ?? '', 'site-packages/cfnlint/data/schemas');
    const hash = (JSON.parse(readFileSync(join(providers, 'providers/us-east-1.json'), 'utf8')) as Record<string, string>)['AWS::ECS::Service'];
    const schema = JSON.parse(readFileSync(join(providers, 'resources', `${hash}.json`), 'utf8')) as {
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    const has = (definition: string, properties: string[]) =>
      expect(properties.filter((p) => !(p in (schema.definitions[definition]?.properties ?? {})))).toEqual([]);
    has('DeploymentConfiguration', ['Strategy', 'BakeTimeInMinutes', 'CanaryConfiguration', 'LinearConfiguration', 'Alarms', 'LifecycleHooks']);
    has('DeploymentLifecycleHook', ['TargetType', 'LifecycleStages', 'TimeoutConfiguration']);
    has('HookTimeoutConfig', ['TimeoutInMinutes', 'Action']);
    has('LoadBalancer', ['AdvancedConfiguration']);
    has('AdvancedConfiguration', ['AlternateTargetGroupArn', 'ProductionListenerRule', 'TestListenerRule', 'RoleArn']);
    has('CanaryConfiguration', ['CanaryPercent', 'CanaryBakeTimeInMinutes']);
    has('LinearConfiguration', ['StepPercent', 'StepBakeTimeInMinutes']);
  });

  it('has blue and green target groups, the production listener and a test listener that is not open to the world', () => {
    expect(template.Resources.Targets?.Type).toBe('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(template.Resources.GreenTargets?.Type).toBe('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(props('TestListener')).toMatchObject({ Port: { Ref: 'TestListenerPort' } });
    // Every ingress rule of the template on the test port comes from TestTrafficCidr; 80 and 443 are the public ones.
    const rulesOf = Object.values(template.Resources).flatMap((r) =>
      r.Type === 'AWS::EC2::SecurityGroup'
        ? ((r.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[])
        : r.Type === 'AWS::EC2::SecurityGroupIngress'
          ? [r.Properties]
          : [],
    );
    const onTestPort = rulesOf.filter((i) => JSON.stringify(i.FromPort) === JSON.stringify({ Ref: 'TestListenerPort' }));
    expect(onTestPort).toEqual([expect.objectContaining({ CidrIp: { Ref: 'TestTrafficCidr' } })]);
    expect(rulesOf.filter((i) => i.CidrIp === '0.0.0.0/0').map((i) => i.FromPort)).toEqual([80, 443]);
    const rules = (template as unknown as { Rules: Record<string, { Assertions: { Assert: unknown }[] }> }).Rules;
    expect(JSON.stringify(rules.TestListenerNotPublic?.Assertions[0]?.Assert)).toContain('0.0.0.0/0');
    expect(template.Parameters.TestTrafficCidr).toMatchObject({ Default: '10.0.0.0/16' });
  });

  it('has a deployment group (strategy codedeploy) that shifts by the configured configuration, waits for the release at the test listener, bakes, and rolls back on failure and on alarm', () => {
    expect(template.Resources.DeploymentGroup?.Condition).toBe('CodeDeployRelease');
    const group = props('DeploymentGroup');
    expect(group).toMatchObject({
      DeploymentConfigName: { Ref: 'DeploymentConfig' },
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: { Ref: 'ReadyWaitMinutes' } },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: { Ref: 'BakeMinutes' } },
      },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      AlarmConfiguration: { Enabled: true },
    });
    expect(template.Parameters.DeploymentConfig).toMatchObject({ Default: 'CodeDeployDefault.ECSCanary10Percent5Minutes' });
    const alarms = JSON.stringify((group.AlarmConfiguration as { Alarms: unknown[] }).Alarms);
    for (const alarm of ['Blue5xxRate', 'BlueUnhealthy', 'Green5xxRate', 'GreenUnhealthy', 'ExtraAlarms']) expect(alarms).toContain(alarm);
    expect(template.Resources.ExtraAlarms?.Condition).toBe('HasExtraAlarms');
    const pair = JSON.stringify((group.LoadBalancerInfo as { TargetGroupPairInfoList: unknown[] }).TargetGroupPairInfoList);
    expect(pair).toContain('GreenTargets');
    expect(pair).toContain('TestListener');
    expect(pair).toContain('HttpsListener');
  });

  it('alarms on the 5xx rate and unhealthy tasks of each target group (the new tasks are in either)', () => {
    expect(JSON.stringify(props('Green5xxRate').Metrics)).toContain('IF(requests > 0, 100 * errors / requests, 0)');
    expect(props('Green5xxRate')).toMatchObject({ Threshold: { Ref: 'Max5xxPercent' }, TreatMissingData: 'notBreaching' });
    expect(props('GreenUnhealthy')).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 1 });
    expect(JSON.stringify(props('BlueUnhealthy').Dimensions)).toContain('"Targets","TargetGroupFullName"');
  });

  it('lets only the release role assume the deploy role, which may release through this group and pass the two task roles, nothing else', () => {
    const roleWith = (parameters: Record<string, string>) =>
      resolved('DeployRole', parameters) as {
        AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
        Policies: { PolicyDocument: { Statement: Statement[] } }[];
      };
    const role = roleWith({ ReleaseStrategy: 'codedeploy' });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/groundwork-release' }, Action: 'sts:AssumeRole' },
    ]);
    const statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
    expect(statements.map((s) => s.Sid)).toEqual([
      'TaskDefinitions',
      'TagTaskDefinitions',
      'ReleaseThroughTheGroup',
      'TheApplicationRevision',
      'TheDeploymentConfig',
      'TheService',
      'TheTestListenerUrl',
      'PassTheTaskRoles',
    ]);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a.startsWith('codedeploy:'))).not.toContain('codedeploy:*');
    expect(actions.filter((a) => a.includes('ServiceDeployment'))).toEqual([]);
    expect(JSON.stringify(statements[2]?.Resource)).toContain(':deploymentgroup:');
    expect(resolved('CodeDeployRole', { ReleaseStrategy: 'codedeploy' })).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: 'codedeploy.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }],
      },
    });
    // With ECS's own blue/green: the service's deployments (list, describe, continue at the pause hook, stop), no CodeDeploy.
    const ecsStatements = roleWith({}).Policies[0]?.PolicyDocument.Statement ?? [];
    expect(ecsStatements.map((s) => s.Sid)).toEqual([
      'TaskDefinitions',
      'TagTaskDefinitions',
      'ReleaseThroughTheService',
      'ItsServiceDeployments',
      'TheService',
      'TheTestListenerUrl',
      'PassTheTaskRoles',
    ]);
    expect(ecsStatements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('codedeploy:'))).toEqual([]);
    const ecs = {
      parameters: { ReleaseRoleArn: 'arn:aws:iam::222222222222:role/groundwork-release', ImageAccountId: '222222222222', Cluster: 'prod' },
      region: 'eu-west-1',
    };
    const deployment = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/backend-service/EZe5RNVLH6PPzHXINuP28';
    const other = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/billing/EZe5RNVLH6PPzHXINuP28';
    expect(roleMayCall(template, 'DeployRole', 'ecs:ContinueServiceDeployment', deployment, ecs, {})).toBe(true);
    expect(roleMayCall(template, 'DeployRole', 'ecs:DescribeServiceDeployments', deployment, ecs, {})).toBe(true);
    expect(roleMayCall(template, 'DeployRole', 'ecs:ContinueServiceDeployment', other, ecs, {})).toBe(false);
    expect(roleMayCall(template, 'DeployRole', 'ecs:ListServiceDeployments', 'arn:aws:ecs:eu-west-1:111111111111:service/prod/backend-service', ecs, {})).toBe(
      true,
    );
    expect(roleMayCall(template, 'DeployRole', 'codedeploy:CreateDeployment', '*', ecs, {})).toBe(false);
  });

  it('keeps the staging template rolling, with its delivery role', () => {
    expect(byFile('workload.json').Resources.DeploymentGroup).toBeUndefined();
    expect(byFile('workload.json').Parameters.DeliveryRoleArn).toBeDefined();
    expect(template.Parameters.DeliveryRoleArn).toBeUndefined();
  });
});

describe('the parameters groundwork.yaml gives the templates', () => {
  it('are all parameters of the templates, within their allowed values', () => {
    const config = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml'));
    const backend = config.workloads.backendService;
    if (!backend) throw new Error('the shipped config has a backend service');
    for (const [file, parameters] of [
      ['workload.json', workloadParameters(backend, 'staging', false)],
      ['workload-bluegreen.json', workloadParameters(backend, 'prod', true)],
      ['github-oidc.json', githubOidcParameters(backend)],
      ...(['dev', 'staging', 'prod'] as const).map((env) => ['auth.json', authParameters(authSettings(config, env))] as const),
    ] as const) {
      const declared = byFile(file).Parameters as Record<string, { AllowedValues?: string[]; AllowedPattern?: string }>;
      for (const [name, value] of Object.entries(parameters)) {
        expect({ file, name, declared: name in declared }).toEqual({ file, name, declared: true });
        const allowed = declared[name]?.AllowedValues;
        if (allowed) expect(allowed.map(String)).toContain(value);
        const pattern = declared[name]?.AllowedPattern;
        if (pattern) expect(value).toMatch(new RegExp(pattern));
        const range = declared[name] as { MinValue?: number; MaxValue?: number };
        if (range.MinValue !== undefined) expect(Number(value)).toBeGreaterThanOrEqual(range.MinValue);
        if (range.MaxValue !== undefined) expect(Number(value)).toBeLessThanOrEqual(range.MaxValue);
      }
    }
    expect(workloadParameters(backend, 'prod', true)).toMatchObject({
      DeploymentConfig: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      TestListenerPort: '9000',
    });
    expect(githubOidcParameters(backend)).toEqual({
      GitHubOwner: 'example-org',
      GitHubRepository: 'backend-service',
      Branch: 'master',
      ReleaseTagPattern: 'v*',
    });
  });

  it('names extra alarms by the last part of their ARNs', () => {
    const backend = loadConfig(join(SHARED_PATHS.root, 'groundwork.yaml')).workloads.backendService;
    if (!backend) throw new Error('the shipped config has a backend service');
    const arns = ['arn:aws:cloudwatch:eu-west-1:444455556666:alarm:latency:p99', 'arn:aws:cloudwatch:eu-west-1:444455556666:alarm:queue-depth'];
    expect(workloadParameters({ ...backend, release: { ...backend.release, extraAlarmArns: arns } }, 'prod', true).ExtraAlarmNames).toBe(
      'latency:p99,queue-depth',
    );
  });
});

describe('auth.json: an environment’s auth service', () => {
  const template = byFile('auth.json');
  const props = (id: string) => template.Resources[id]?.Properties as Record<string, unknown>;
  type Policy = { PolicyDocument: { Statement: Record<string, unknown>[] } }[];

  it("sets every validity in minutes within Cognito's ranges, rotation by parameter, and the invitation days", () => {
    expect(template.Parameters.AccessTokenMinutes).toMatchObject({ Default: 720, MinValue: 5, MaxValue: 1440 });
    expect(template.Parameters.RefreshTokenMinutes).toMatchObject({ Default: 43200, MinValue: 60, MaxValue: 5256000 });
    expect(template.Parameters.ManagedLoginSessionMinutes).toMatchObject({ Default: 15, MinValue: 3, MaxValue: 15 });
    expect(template.Parameters.InvitationDays).toMatchObject({ Default: 7, MinValue: 1, MaxValue: 365 });
    expect(template.Parameters.SignInCodeMinutes).toMatchObject({ Default: 720, MaxValue: 10080 });
    expect(props('SpaClient')).toMatchObject({
      AccessTokenValidity: { Ref: 'AccessTokenMinutes' },
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      RefreshTokenRotation: { Feature: { 'Fn::If': ['Rotate', 'ENABLED', 'DISABLED'] } },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(props('UserPool')).toMatchObject({ Policies: { PasswordPolicy: { TemporaryPasswordValidityDays: { Ref: 'InvitationDays' }, MinimumLength: 12 } } });
  });

  it('lets the SPA use only the authorization code grant, with no secret and no implicit grant', () => {
    expect(props('SpaClient')).toMatchObject({ AllowedOAuthFlows: ['code'], GenerateSecret: false, CallbackURLs: { Ref: 'CallbackUrls' } });
    expect(JSON.stringify(props('SpaClient'))).not.toContain('implicit');
    expect(JSON.stringify(props('SpaClient'))).not.toContain('client_credentials');
  });

  it('protects the pool from deletion unless told otherwise (prod keeps the default)', () => {
    expect(template.Parameters.DeletionProtection).toMatchObject({ Default: 'true' });
    expect(props('UserPool').DeletionProtection).toEqual({ 'Fn::If': ['Protect', 'ACTIVE', 'INACTIVE'] });
  });

  it('gives each trigger only its own table actions and logs, SES for the configured sender only; the import role only /aws/cognito/ logs', () => {
    const statements = (role: string) => (props(role).Policies as Policy)[0]?.PolicyDocument.Statement ?? [];
    expect(statements('SignInCodeDefineRole').map((s) => s.Sid)).toEqual(['ItsLogs']);
    expect(statements('SignInCodeCreateRole').map((s) => s.Action)[0]).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(JSON.stringify(statements('SignInCodeCreateRole')[1])).toContain('"ses:FromAddress":{"Ref":"CodeSender"}');
    expect(statements('SignInCodeVerifyRole').map((s) => s.Action)).toEqual([
      ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
    // No trigger may delete the item: a consumed or voided code keeps its rate window.
    expect(JSON.stringify(template.Resources)).not.toContain('dynamodb:DeleteItem');
    expect(props('SignInCodes')).toMatchObject({
      TableName: { 'Fn::Sub': ['groundwork-${Env}-sign-in-codes-v2', { Env: { Ref: 'EnvironmentName' } }] },
      KeySchema: [{ AttributeName: 'sub', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    for (const id of ['Define', 'Create', 'Verify']) {
      expect(props(`CognitoInvokes${id}`)).toMatchObject({
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [`SignInCode${id}`, 'Arn'] },
        SourceArn: { 'Fn::GetAtt': ['UserPool', 'Arn'] },
      });
    }
    expect(props('SignInCodeDefine')).toMatchObject({ Environment: { Variables: { MFA: { Ref: 'Mfa' } } } });
    const imports = (props('ImportRole').Policies as Policy)[0]?.PolicyDocument.Statement ?? [];
    expect(imports).toHaveLength(1);
    expect(JSON.stringify(imports[0]?.Resource)).toContain('log-group:/aws/cognito/*');
    expect(props('ImportRole')).toMatchObject({ AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'cognito-idp.amazonaws.com' } }] } });
  });

  it('MACs codes with a KMS HMAC key that only the create and verify triggers and the issuer role may use; the account administers it', () => {
    expect(props('SignInCodeKey')).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const statements = (
      props('SignInCodeKey').KeyPolicy as { Statement: { Sid: string; Principal: unknown; Action: string | string[]; Condition?: unknown }[] }
    ).Statement;
    const using = statements.filter((s) => [s.Action].flat().some((a) => /^kms:(\*|GenerateMac|VerifyMac|Generate\*|\w*Mac)$/.test(a)));
    expect(using.map((s) => [s.Sid, s.Action])).toEqual([
      ['TheTriggersMac', 'kms:GenerateMac'],
      ['TheIssuerRoleMacs', 'kms:GenerateMac'],
    ]);
    expect(using[0]?.Principal).toEqual({ AWS: [{ 'Fn::GetAtt': ['SignInCodeCreateRole', 'Arn'] }, { 'Fn::GetAtt': ['SignInCodeVerifyRole', 'Arn'] }] });
    expect(using[1]?.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}', { Name: { Ref: 'CodeIssuerRoleName' } }] } },
    });
    const administers = statements.find((s) => s.Sid === 'AccountAdministersButDoesNotUse');
    expect(
      [administers?.Action]
        .flat()
        .filter((a) => /Mac|Encrypt|Decrypt|\*$/.test(a as string) && !/^kms:(Describe|Get|List|Enable|Disable|Put|Update|Revoke)\*$/.test(a as string)),
    ).toEqual([]);
    for (const id of ['SignInCodeCreate', 'SignInCodeVerify']) {
      expect(props(id)).toMatchObject({
        Environment: { Variables: { TABLE_NAME: { Ref: 'SignInCodes' }, CODE_KEY_ID: { 'Fn::GetAtt': ['SignInCodeKey', 'Arn'] } } },
      });
    }
    expect(props('SignInCodeKeyAlias')).toMatchObject({
      AliasName: { 'Fn::Sub': ['alias/groundwork-${Env}-sign-in-codes', { Env: { Ref: 'EnvironmentName' } }] },
    });
  });
});
