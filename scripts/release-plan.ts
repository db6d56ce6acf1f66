/**
 * What a release does, as functions the tests run on their own: the version's tags (the release tag `vX.Y.Z`, which
 * never moves, and the line's moving tag), the changelog section that becomes the GitHub release's notes, and the tags
 * of a git repository. docs/versioning.md says why; .github/workflows/release.yml runs them.
 */
import { execFileSync } from 'node:child_process';

/** A release version: three numbers, no pre-release or build part (Groundwork releases only from its default branch). */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Reads `X.Y.Z` (an optional leading `v`); anything else is an error naming the value. */
export function parseVersion(text: string): Version {
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a release version: expected X.Y.Z (three numbers, no pre-release part), as package.json's version`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export const formatVersion = (v: Version) => `${v.major}.${v.minor}.${v.patch}`;

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * The tag that follows a compatible line: `vX` from 1.0.0 on (a major is the only breaking change), `v0.Y` before it,
 * where semantic versioning lets a minor break (docs/versioning.md).
 */
export function movingTag(v: Version): string {
  return v.major === 0 ? `v0.${v.minor}` : `v${v.major}`;
}

/** The section of CHANGELOG.md (as `changeset version` writes it) for one version, without its heading. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${version}`);
  if (start < 0) throw new Error(`CHANGELOG.md has no "## ${version}" section: run npm run release:version (it writes the section from the changesets)`);
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  if (!body) throw new Error(`CHANGELOG.md's "## ${version}" section is empty: a release says what changed`);
  return `${body}\n`;
}

/** A tag the release creates, keeps (a re-run after a later step failed) or moves. */
export interface TagStep {
  readonly tag: string;
  readonly action: 'create' | 'keep' | 'move';
  readonly commit: string;
  readonly from?: string;
}

export interface TagPlan {
  readonly version: string;
  readonly release: string;
  readonly moving: string;
  readonly commit: string;
  readonly steps: readonly TagStep[];
}

/**
 * The tags for releasing `version` at `commit`, given the repository's tags (name → commit). Refuses a commit that is not
 * on the default branch, a release tag that already names another commit (a released version never moves), and a version
 * older than a release of its own line (the moving tag never goes back).
 */
export function planTags(input: { version: string; commit: string; tags: ReadonlyMap<string, string>; onDefaultBranch: boolean }): TagPlan {
  const version = parseVersion(input.version);
  const release = `v${formatVersion(version)}`;
  const moving = movingTag(version);
  if (!input.onDefaultBranch) {
    throw new Error(`commit ${input.commit} is not on the default branch: a release is cut from the default branch only (run the release workflow there)`);
  }
  const existing = input.tags.get(release);
  if (existing !== undefined && existing !== input.commit) {
    throw new Error(
      `${release} already tags ${existing}, not ${input.commit}: a released version never moves; add a changeset and run npm run release:version for the next one`,
    );
  }
  const newerInLine = [...input.tags.keys()]
    .filter((tag) => /^v\d+\.\d+\.\d+$/.test(tag))
    .map(parseVersion)
    .filter((v) => movingTag(v) === moving && compareVersions(v, version) > 0)
    .map((v) => `v${formatVersion(v)}`);
  if (newerInLine.length > 0) {
    throw new Error(`${release} is older than ${newerInLine.join(', ')} of the same line (${moving}): the next release of that line must be newer`);
  }
  const movingAt = input.tags.get(moving);
  const steps: TagStep[] = [
    { tag: release, action: existing === undefined ? 'create' : 'keep', commit: input.commit },
    movingAt === undefined
      ? { tag: moving, action: 'create', commit: input.commit }
      : movingAt === input.commit
        ? { tag: moving, action: 'keep', commit: input.commit }
        : { tag: moving, action: 'move', commit: input.commit, from: movingAt },
  ];
  return { version: formatVersion(version), release, moving, commit: input.commit, steps };
}

/** Runs git in `cwd` and returns its trimmed output. */
export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Every tag of the repository in `cwd` with the commit it names (annotated tags peeled). */
export function readTags(cwd: string): Map<string, string> {
  const out = git(cwd, ['for-each-ref', 'refs/tags', '--format=%(refname:strip=2) %(objectname) %(*objectname)']);
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', object = '', peeled = ''] = line.split(' ');
        return [name, peeled || object] as const;
      }),
  );
}

/** True when `commit` is `branchRef` or one of its ancestors. */
export function isOnBranch(cwd: string, commit: string, branchRef: string): boolean {
  try {
    git(cwd, ['merge-base', '--is-ancestor', commit, branchRef]);
    return true;
  } catch {
    return false;
  }
}
