import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GroundworkError } from '../errors.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  try {
    const { stdout } = await run('git', args, { cwd });
    return { ok: true, stdout };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string };
    if (e.code === 'ENOENT') throw new GroundworkError('USAGE', 'git is not installed', { hint: 'install git on the runner' });
    return { ok: false, stdout: e.stdout ?? '' };
  }
}

/**
 * Refuses a commit that is not on the branch (`git merge-base --is-ancestor`): a production release must be a tag on a
 * commit of master. The checkout needs the branch's history (actions/checkout with fetch-depth: 0). The error names the
 * commit and the branches it is on.
 */
export async function requireOnBranch(cwd: string, commit: string, branch: string): Promise<void> {
  const ref = (await git(cwd, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}`])).ok ? `origin/${branch}` : branch;
  if (!(await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).ok) {
    throw new GroundworkError('USAGE', `the branch ${branch} is not in this checkout`, {
      hint: 'check out with fetch-depth: 0 so that the branch history is there',
    });
  }
  if ((await git(cwd, ['merge-base', '--is-ancestor', commit, ref])).ok) return;
  const on = (await git(cwd, ['branch', '--all', '--contains', commit, '--format=%(refname:short)'])).stdout
    .split('\n')
    .map((b) => b.trim())
    .filter(Boolean);
  throw new GroundworkError('USAGE', `commit ${commit.slice(0, 12)} is not on ${branch}${on.length > 0 ? `; it is on ${on.join(', ')}` : ''}`, {
    hint: `production releases come from tags on ${branch}: merge the change into ${branch}, then tag the merge commit`,
  });
}
