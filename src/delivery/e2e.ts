import { spawn } from 'node:child_process';

/** How the E2E step ended: `skipped` only when no command is configured, never as a pass. */
export type E2eOutcome = { readonly status: 'passed' | 'skipped' } | { readonly status: 'failed'; readonly exitCode: number | null };

/**
 * Runs the service's integration/E2E command (or the release's smoke check) with BASE_URL set to the deployed service,
 * its output streamed to the job log, in exactly the environment given: the caller passes
 * {@link import('./command-env.js').commandEnvironment}, never the job's own. With no command configured the outcome is
 * `skipped`, which the summary says in words.
 */
export function runE2e(
  command: string,
  baseUrl: string,
  options: { readonly env: Readonly<Record<string, string>>; readonly cwd?: string; readonly signal?: AbortSignal },
): Promise<E2eOutcome> {
  if (command.trim() === '') return Promise.resolve({ status: 'skipped' });
  return new Promise((resolve) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', command], {
      cwd: options.cwd,
      env: { ...options.env, BASE_URL: baseUrl },
      stdio: ['ignore', 'inherit', 'inherit'],
      // A cancelled job ends the command too (SIGTERM).
      signal: options.signal,
    });
    child.on('error', () => resolve({ status: 'failed', exitCode: null }));
    child.on('close', (code) => resolve(code === 0 ? { status: 'passed' } : { status: 'failed', exitCode: code }));
  });
}
