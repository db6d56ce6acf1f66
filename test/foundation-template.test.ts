import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FOUNDATION_ROLES } from '../src/infra/templates/foundation-bootstrap-stack.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { runJob, type WorkflowJob } from './helpers/workflow-runner.js';

const caller = parse(readFileSync(join(SHARED_PATHS.root, 'workflows-templates/foundation.yml'), 'utf8')) as { jobs: Record<string, WorkflowJob> };
const bootstrap = JSON.parse(readFileSync(join(SHARED_PATHS.root, 'cloudformation/foundation-bootstrap.json'), 'utf8')) as {
  Parameters: Record<string, { Default?: string }>;
};

describe('the infrastructure caller template', () => {
  it("tells apply from people sync by the push's changed files, as its changes job runs in a real repository", async () => {
    const repo = mkdtempSync(join(tmpdir(), 'gw-infra-repo-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ops@example.com');
    git('config', 'user.name', 'Ops');
    const commit = (file: string, text: string) => {
      writeFileSync(join(repo, file), text);
      git('add', file);
      git('commit', '-q', '-m', `change ${file}`);
      return git('rev-parse', 'HEAD');
    };
    const first = commit('groundwork.yaml', 'organization: {}\n');
    const people = commit('people.csv', 'username\n');
    const config = commit('groundwork.yaml', 'organization: { homeRegion: eu-west-1 }\n');
    const changes = (before: string, sha: string) =>
      runJob(
        caller.jobs.changes as WorkflowJob,
        { inputs: {}, github: { sha, event: { before } }, needs: {} },
        { workspace: repo, env: { PATH: process.env.PATH ?? '' } },
      );
    expect((await changes(first, people)).outputs).toEqual({ foundation: 'false', people: 'true' });
    expect((await changes(people, config)).outputs).toEqual({ foundation: 'true', people: 'false' });
    expect((await changes(first, config)).outputs).toEqual({ foundation: 'true', people: 'true' });
    // The first push of a branch has no "before": everything runs.
    expect((await changes('0000000000000000000000000000000000000000', config)).outputs).toEqual({ foundation: 'true', people: 'true' });
  });

  it("names the bootstrap template's roles and its default apply environment", () => {
    expect(FOUNDATION_ROLES).toEqual({ plan: 'groundwork-foundation-plan', deploy: 'groundwork-foundation-deploy', sync: 'groundwork-foundation-sync' });
    expect(bootstrap.Parameters.ApplyEnvironment?.Default).toBe('foundation');
    expect(bootstrap.Parameters.DefaultBranch?.Default).toBe('main');
  });
});
