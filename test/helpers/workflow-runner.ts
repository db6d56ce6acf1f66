import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ActionRun, parseFileCommands, runAction, runnerMachineEnv } from './run-action.js';

const exec = promisify(execFile);

/** What expressions of a job can read. */
export interface WorkflowContext {
  readonly inputs: Record<string, string>;
  readonly github: Record<string, unknown>;
  readonly needs: Record<string, { outputs: Record<string, string> }>;
}

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
/** A job of a parsed workflow file. */
export interface WorkflowJob {
  if?: string;
  steps?: Step[];
  outputs?: Record<string, string>;
  defaults?: { run?: { 'working-directory'?: string } };
}

/** What a job did. */
export interface JobRun {
  readonly outputs: Record<string, string>;
  /** Each step that ran: our action's run, or the shell command's output. */
  readonly steps: { name: string; action?: ActionRun; output?: string; exitCode?: number }[];
}

function lookup(path: string, scope: Record<string, unknown>): string {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) throw new Error(`the workflow reads ${path}, which this run does not have`);
    value = (value as Record<string, unknown>)[part];
  }
  return String(value);
}

/** The value of one expression: a context path, a quoted string, or `a == b`, `a != b`, `a && b`, `a || b` over those. */
export function evaluateExpression(expression: string, scope: Record<string, unknown>): string {
  const e = expression.trim();
  const or = e.split(/\s+\|\|\s+/);
  if (or.length > 1) {
    // The first operand that is set and truthy, as GitHub's `||` (a secret the caller did not pass is empty).
    for (const part of or) {
      let value = '';
      try {
        value = evaluateExpression(part, scope);
      } catch {
        value = '';
      }
      if (value !== '' && value !== 'false') return value;
    }
    return '';
  }
  const and = e.split(/\s+&&\s+/);
  if (and.length > 1) return String(and.every((part) => evaluateExpression(part, scope) === 'true'));
  const comparison = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(e);
  if (comparison) {
    const [, left = '', op, right = ''] = comparison;
    const equal = evaluateExpression(left, scope) === evaluateExpression(right, scope);
    return String(op === '==' ? equal : !equal);
  }
  const quoted = /^'(.*)'$/.exec(e);
  if (quoted) return quoted[1] ?? '';
  if (/^\d+$/.test(e)) return e;
  return lookup(e, scope);
}

/** A `with:`/`env:` value with its `${{ … }}` expressions replaced. */
export function interpolate(value: unknown, scope: Record<string, unknown>): string {
  return String(value).replace(/\$\{\{(.+?)\}\}/g, (_, expression: string) => evaluateExpression(expression, scope));
}

/**
 * Runs a job of a workflow as the runner would for the steps that matter here: each of this library's actions from its
 * bundle (inputs from `with:`, GITHUB_ENV carried to the next steps, outputs to `steps.<id>.outputs`), each `run:` in
 * bash. The checkout is the folder given (a real git repository); setup-node is Node 24 on PATH already.
 */
export async function runJob(
  job: WorkflowJob,
  context: WorkflowContext,
  options: {
    workspace: string;
    env: Record<string, string>;
    stopAtFailedRun?: boolean;
    /**
     * Action name → timing inputs set on top of the step's `with:` (such as `poll-seconds`), so that a test whose recorded
     * answers move on with each poll, not with time, does not sleep 15 s between them. Only inputs the action declares.
     */
    timing?: Record<string, Record<string, string>>;
  },
): Promise<JobRun> {
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const ran: JobRun['steps'] = [];
  // The runner's home is the same for every step of a job (runAction gives each action a fresh HOME): docker keeps its
  // builders there, so a job-wide DOCKER_CONFIG stands in for it.
  let env: Record<string, string> = { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'gw-job-docker-')), ...options.env };
  const scope = () => ({ ...context, steps, env });
  for (const step of job.steps ?? []) {
    if (step.if && evaluateExpression(step.if.replace(/^\$\{\{|\}\}$/g, ''), scope()) !== 'true') continue;
    const name = step.uses ?? step.run ?? '?';
    if (step.uses?.startsWith('actions/checkout@') || step.uses?.startsWith('actions/setup-node@')) {
      ran.push({ name });
      continue;
    }
    if (step.uses?.startsWith('docker/setup-buildx-action@')) {
      // What the action does with its defaults (driver docker-container, use: true), through the docker on the job's PATH.
      const driver = step.with?.driver === undefined ? 'docker-container' : interpolate(step.with.driver, scope());
      const result = await exec('docker', ['buildx', 'create', '--name', 'builder-job', '--driver', driver, '--use'], {
        env: { ...runnerMachineEnv(), ...env },
      });
      ran.push({ name, output: result.stdout + result.stderr });
      continue;
    }
    const own = /^\$\/actions\/([\w-]+)$/.exec(step.uses ?? '')?.[1];
    if (own) {
      const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(value, scope())]));
      const run = await runAction(own, { ...inputs, ...options.timing?.[own] }, env, { cwd: options.workspace });
      ran.push({ name, action: run });
      if (run.code !== 0) throw new Error(`step ${own} failed:\n${run.stdout}\n${run.stderr}`);
      if (step.id) steps[step.id] = { outputs: run.outputs };
      env = { ...env, ...run.exported, ...(run.path.length > 0 ? { PATH: [...run.path, env.PATH ?? process.env.PATH ?? ''].join(':') } : {}) };
      continue;
    }
    if (step.run) {
      const cwd = join(options.workspace, interpolate(step['working-directory'] ?? job.defaults?.run?.['working-directory'] ?? '.', scope()));
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, interpolate(value, scope())]));
      // The step's outputs, as the runner collects them from the file GITHUB_OUTPUT names.
      const outputFile = join(mkdtempSync(join(tmpdir(), 'gw-step-')), 'output');
      writeFileSync(outputFile, '');
      const result = await exec('bash', ['-eo', 'pipefail', '-c', step.run], {
        cwd,
        env: { ...runnerMachineEnv(), ...env, ...stepEnv, GITHUB_OUTPUT: outputFile },
      }).catch((error) => {
        // With stopAtFailedRun, a failing command ends the job as the runner ends it, its output kept for the test.
        if (!options.stopAtFailedRun) throw error;
        const e = error as { stdout?: string; stderr?: string; code?: number };
        return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', failed: e.code ?? 1 };
      });
      if (step.id) steps[step.id] = { outputs: parseFileCommands(readFileSync(outputFile, 'utf8')) };
      ran.push({ name, output: result.stdout + result.stderr, ...('failed' in result ? { exitCode: result.failed } : {}) });
      if ('failed' in result) break;
      continue;
    }
    throw new Error(`the runner here does not know the step ${name}`);
  }
  const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([key, value]) => [key, interpolate(value, scope())]));
  return { outputs, steps: ran };
}
