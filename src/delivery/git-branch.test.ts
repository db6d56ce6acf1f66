import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GroundworkError } from '../errors.js';
import { requireOnBranch } from './git-branch.js';

const NAMES = { branch: 'input release-branch', cwd: 'input working-directory' };

/** A repository with one commit on `branch`. */
function checkout(branch: string): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-branch-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  git('init', '-q', '-b', branch);
  writeFileSync(join(dir, 'README.md'), 'x\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

async function refusal(promise: Promise<unknown>): Promise<GroundworkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GroundworkError);
  return error as GroundworkError;
}

describe('requireOnBranch names the setting to change', () => {
  it('a commit on the branch passes', async () => {
    const repo = checkout('main');
    await expect(requireOnBranch(repo.dir, repo.sha, 'main', NAMES)).resolves.toBeUndefined();
  });

  it('a checkout folder that is not there names working-directory, not "git is not installed"', async () => {
    const repo = checkout('main');
    const error = await refusal(requireOnBranch(join(repo.dir, 'nope'), repo.sha, 'main', NAMES));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('input working-directory');
    expect(`${error.message} ${error.hint}`).not.toContain('git is not installed');
  });

  it('a main repository released with release-branch master is told to set release-branch to its default branch', async () => {
    const repo = checkout('main');
    const error = await refusal(requireOnBranch(repo.dir, repo.sha, 'master', NAMES));
    expect(error.message).toContain('(input release-branch)');
    expect(error.hint).toContain("set release-branch to the repository's default branch (main or master)");
  });

  it('a branch name git would read as an option is refused before git runs', async () => {
    const repo = checkout('main');
    for (const branch of ['--upload-pack=touch pwned', 'main^', 'a..b', 'a b']) {
      const error = await refusal(requireOnBranch(repo.dir, repo.sha, branch, NAMES));
      expect(error.message).toBe(`input release-branch is "${branch}", which is not a branch name`);
    }
  });
});
