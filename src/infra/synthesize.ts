import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';
import type { AccountDirectory } from './account-directory.js';
import { buildApp } from './build-app.js';

/** One synthesized stack. */
export interface SynthesizedStack {
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly templateFile: string;
  readonly resourceCount: number;
}

/** What `groundwork synth` produced. */
export interface SynthResult {
  readonly outdir: string;
  readonly accountSource: AccountDirectory['source'];
  readonly stacks: readonly SynthesizedStack[];
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

/** Synthesizes every stack into `outdir`; cdk-nag findings that are not acknowledged fail with NAG_FAILED. */
export function synthesize(props: { config: GroundworkConfig; accounts: AccountDirectory; outdir?: string; nag?: boolean }): SynthResult {
  const outdir = resolve(props.outdir ?? 'cdk.out');
  const app = buildApp({ config: props.config, accounts: props.accounts, outdir, nag: props.nag });
  const printed: string[] = [];
  const consoleError = console.error;
  // CDK prints its validation report itself; keep it so the CLI decides what is shown.
  console.error = (...args: unknown[]) => printed.push(args.map(String).join(' '));
  let assembly: ReturnType<typeof app.synth>;
  try {
    assembly = app.synth();
  } catch (error) {
    const violations = readViolations(outdir);
    if (violations.length > 0) {
      throw new GroundworkError('NAG_FAILED', `cdk-nag found ${violations.length} unacknowledged finding${violations.length === 1 ? '' : 's'}`, {
        details: violations,
        hint: 'fix each resource, or acknowledge the rule with Validations.of(construct).acknowledge({ id, reason }) and a real reason',
        cause: error,
      });
    }
    throw new GroundworkError('SYNTH_FAILED', `synthesis failed: ${(error as Error).message}`, {
      details: printed,
      hint: 'run with --verbose for the stack trace',
      cause: error,
    });
  } finally {
    console.error = consoleError;
  }
  const stacks = assembly.stacks.map((stack) => {
    const template = stack.template as { Resources?: Record<string, unknown> };
    return {
      id: stack.id,
      stackName: stack.stackName,
      account: stack.environment.account,
      region: stack.environment.region,
      templateFile: join(outdir, stack.templateFile),
      resourceCount: Object.keys(template.Resources ?? {}).length,
    };
  });
  return { outdir, accountSource: props.accounts.source, stacks };
}

function readViolations(outdir: string): string[] {
  let report: ValidationReport;
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch {
    return [];
  }
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) => violation.violatingConstructs.map((c) => `${violation.ruleName} at ${c.constructPath}: ${violation.description}`)),
  );
}
