import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
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

/** Names of the settings behind {@link requireOnBranch}'s arguments, for its errors (an action's inputs). */
export interface BranchCheckNames {
  /** What sets the branch, such as `input release-branch`. */
  readonly branch?: string;
  /** What sets the checkout folder, such as `input working-directory`. */
  readonly cwd?: string;
}

/** A branch name git takes as a name, never as an option or a revision expression. */
const BRANCH_NAME = /^(?!-)(?!.*\.\.)[\w./+@#-]+$/;

/**
 * Refuses a commit that is not on the branch (`git merge-base --is-ancestor`): a production release must be a tag on a
 * commit of the default branch. The checkout needs the branch's history (actions/checkout with fetch-depth: 0). The
 * error names the commit and the branches it is on; a checkout folder that is not there, a branch name git would read
 * as an option, and a branch the checkout does not have name the setting (`names`) that set them.
 */
export async function requireOnBranch(cwd: string, commit: string, branch: string, names: BranchCheckNames = {}): Promise<void> {
  const branchSetting = names.branch ?? 'the release branch';
  if (!BRANCH_NAME.test(branch)) {
    throw new GroundworkError('USAGE', `${branchSetting} is "${branch}", which is not a branch name`, {
      hint: `set ${names.branch ? names.branch.replace(/^input /, '') : 'it'} to the repository's default branch, main or master`,
    });
  }
  let folder = false;
  try {
    folder = statSync(cwd).isDirectory();
  } catch {
    folder = false;
  }
  if (!folder) {
    throw new GroundworkError('USAGE', `${names.cwd ?? 'the checkout folder'} is "${cwd}", which is not a folder`, {
      hint: `check out the repository first (actions/checkout with fetch-depth: 0)${names.cwd ? `, and set ${names.cwd.replace(/^input /, '')} to a folder of it` : ''}`,
    });
  }
  const ref = (await git(cwd, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}`])).ok ? `origin/${branch}` : branch;
  if (!(await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).ok) {
    throw new GroundworkError('USAGE', `the branch ${branch} (${branchSetting}) is not in this checkout, neither as origin/${branch} nor as a local branch`, {
      hint: `set ${names.branch ? names.branch.replace(/^input /, '') : 'the release branch'} to the repository's default branch (main or master), and check out with fetch-depth: 0 so that the branch history is there`,
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
