import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, type Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GroundworkError } from '../../errors.js';
import { AuthStack } from './auth-stack.js';
import { EcrRepositoryStack } from './ecr-repository-stack.js';
import { FoundationBootstrapStack } from './foundation-bootstrap-stack.js';
import { GitHubOidcStack } from './github-oidc-stack.js';
import { WorkloadStack } from './workload-stack.js';

/** A template of cloudformation/: its file name and what it holds. */
export interface MemberTemplate {
  /** File name in cloudformation/, such as github-oidc.json. */
  readonly file: string;
  /** The account it is for. */
  readonly account: string;
  readonly template: Record<string, unknown>;
}

/** The templates of cloudformation/: each a stack class with no props beyond the stack's own, synthesized without bootstrap. */
const TEMPLATES: readonly {
  file: string;
  account: string;
  Stack: new (app: App, id: string, props: StackProps) => Stack;
  description: string;
  props?: Record<string, unknown>;
}[] = [
  { file: 'github-oidc.json', account: 'cicd', Stack: GitHubOidcStack, description: 'Groundwork: GitHub OIDC provider and the delivery role (cicd account)' },
  { file: 'ecr-repository.json', account: 'cicd', Stack: EcrRepositoryStack, description: 'Groundwork: the image repository (cicd account)' },
  {
    file: 'workload.json',
    account: 'staging',
    Stack: WorkloadStack,
    description: 'Groundwork: a workload environment: VPC without NAT, ECS Fargate service behind an ALB, and its deploy role',
  },
  {
    file: 'workload-bluegreen.json',
    account: 'prod',
    Stack: WorkloadStack,
    props: { blueGreen: true },
    description:
      "Groundwork: a production workload released blue/green: ECS Fargate behind an ALB with a test listener, ECS's own blue/green with a pause hook for the smoke check (or CodeDeploy), alarms and auto-rollback, and its deploy role",
  },
  {
    file: 'foundation-bootstrap.json',
    account: 'management',
    Stack: FoundationBootstrapStack,
    description: 'Groundwork: the foundation run from GitHub: OIDC provider and the plan, deploy and people-sync roles of the infrastructure repository',
  },
  {
    file: 'auth.json',
    account: 'dev, staging, prod',
    Stack: AuthStack,
    description: 'Groundwork: the auth service of an environment: Cognito user pool, managed login, SPA client, one-time sign-in codes, import role',
  },
];

/**
 * Synthesizes the generic member-account templates (every organization-specific value a Parameter, no CDK bootstrap, so
 * StackSets and `aws cloudformation deploy` can use them as they are), each checked by cdk-nag.
 */
export function buildMemberTemplates(outdir = mkdtempSync(join(tmpdir(), 'gw-templates-'))): MemberTemplate[] {
  const app = new App({ outdir, analyticsReporting: false });
  const stacks = TEMPLATES.map((t) => ({
    ...t,
    instance: new t.Stack(app, t.file.replace(/\.json$/, ''), { synthesizer: new BootstraplessSynthesizer(), description: t.description, ...t.props }),
  }));
  Tags.of(app).add('groundwork:managed', 'true');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const consoleError = console.error;
  const printed: string[] = [];
  console.error = (...args: unknown[]) => printed.push(args.map(String).join(' '));
  try {
    const assembly = app.synth();
    return stacks.map((t) => ({
      file: t.file,
      account: t.account,
      template: JSON.parse(readFileSync(join(outdir, assembly.getStackByName(t.instance.stackName).templateFile), 'utf8')) as Record<string, unknown>,
    }));
  } catch (error) {
    throw new GroundworkError('NAG_FAILED', `the member-account templates failed their checks: ${(error as Error).message}`, {
      details: printed,
      cause: error,
    });
  } finally {
    console.error = consoleError;
  }
}

/** The text a template is committed as: stable, two-space JSON with a final newline. */
export function templateText(template: Record<string, unknown>): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}
