/**
 * `node --import tsx scripts/release-tag.ts plan|push [--remote NAME] [--branch REF]`: the release's tags for the
 * version in package.json at HEAD. `plan` prints the plan as JSON (and refuses what planTags refuses); `push` creates
 * the release tag (annotated) and the moving tag locally and pushes both atomically, the moving one forced. The release
 * workflow runs it with GITHUB_TOKEN, which reaches git as an HTTP header, never in a command line or a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changelogSection, git, isOnBranch, planTags, readTags, type TagPlan } from './release-plan.js';

/** The changesets not yet turned into a version (every .changeset/*.md but its README). */
export function pendingChangesets(cwd: string): string[] {
  return readdirSync(join(cwd, '.changeset'))
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .sort();
}

/**
 * The plan for the repository in `cwd`: package.json's version at HEAD, checked against `branchRef`, with every
 * changeset versioned and the version's CHANGELOG.md section written (what the release notes are).
 */
export function planRelease(cwd: string, branchRef: string): TagPlan {
  const { version } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version: string };
  const pending = pendingChangesets(cwd);
  if (pending.length > 0) {
    throw new Error(
      `changesets not yet versioned: ${pending.map((f) => `.changeset/${f}`).join(', ')}; run npm run release:version and merge the result first`,
    );
  }
  changelogSection(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8'), version);
  const commit = git(cwd, ['rev-parse', 'HEAD']);
  return planTags({ version, commit, tags: readTags(cwd), onDefaultBranch: isOnBranch(cwd, commit, branchRef) });
}

/** Environment that gives git the token as GitHub's checkout does (an extra header), for https remotes on `server`. */
export function tokenEnv(token: string | undefined, server = 'https://github.com'): NodeJS.ProcessEnv {
  if (!token) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${server}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` };
}

/** Creates the plan's tags in `cwd` and pushes them to `remote` in one atomic push. */
export function pushRelease(cwd: string, plan: TagPlan, remote: string, env: NodeJS.ProcessEnv = process.env): void {
  const identity = ['-c', 'user.name=github-actions[bot]', '-c', 'user.email=41898282+github-actions[bot]@users.noreply.github.com'];
  const refspecs: string[] = [];
  for (const step of plan.steps) {
    if (step.tag === plan.release) {
      if (step.action === 'create') git(cwd, [...identity, 'tag', '-a', step.tag, step.commit, '-m', `Groundwork ${plan.version}`]);
      refspecs.push(`refs/tags/${step.tag}:refs/tags/${step.tag}`);
    } else {
      git(cwd, ['tag', '-f', step.tag, step.commit]);
      refspecs.push(`+refs/tags/${step.tag}:refs/tags/${step.tag}`);
    }
  }
  git(cwd, ['push', '--atomic', remote, ...refspecs], { ...process.env, ...env });
}

function option(args: readonly string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !value) throw new Error(`${name} needs a value`);
  return value ?? fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command, ...args] = process.argv.slice(2);
  try {
    const remote = option(args, '--remote', 'origin');
    const branch = option(args, '--branch', `${remote}/main`);
    const plan = planRelease(process.cwd(), branch);
    if (command === 'plan') {
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    } else if (command === 'push') {
      pushRelease(process.cwd(), plan, remote, tokenEnv(process.env.GITHUB_TOKEN, process.env.GITHUB_SERVER_URL));
      for (const step of plan.steps) process.stdout.write(`${step.tag}: ${step.action}${step.from ? ` from ${step.from}` : ''} → ${step.commit}\n`);
    } else {
      throw new Error(`unknown command "${command ?? ''}": expected plan or push`);
    }
  } catch (error) {
    process.stderr.write(`release-tag: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
