import { runCli } from '../../src/cli/run-cli.js';

/** The result of one in-process CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured streams. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }, env);
  return { code, stdout, stderr };
}
