import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { releaseNotes } from '../scripts/release-notes.js';
import { changelogSection, movingTag, parseVersion, planTags, readTags } from '../scripts/release-plan.js';
import { planRelease, pushRelease, tokenEnv } from '../scripts/release-tag.js';
import { CHANGELOG_HEADER, repointPinComments, versionRelease } from '../scripts/release-version.js';
import { SHARED_PATHS } from './helpers/paths.js';

const root = SHARED_PATHS.root;
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

/** A git repository in a temporary folder, with an author, on branch main. */
function repository(): { dir: string; git: (...args: string[]) => string; commit: (message: string, files?: Record<string, string>) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-release-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (message: string, files: Record<string, string> = {}) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  return { dir, git, commit };
}

const CHANGELOG = '# groundwork\n\n## 0.3.0\n\n### Minor Changes\n\n- Plans list account IDs.\n\n## 0.2.0\n\n### Minor Changes\n\n- First release.\n';

describe('versions and the moving tag', () => {
  it('reads X.Y.Z only, and names a bad value', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(() => parseVersion('1.2.3-rc.1')).toThrow('"1.2.3-rc.1" is not a release version: expected X.Y.Z');
    expect(() => parseVersion('01.2.3')).toThrow('is not a release version');
  });

  it('moves vX from 1.0.0 on, and v0.Y before it (where a minor may break)', () => {
    expect(movingTag(parseVersion('2.4.1'))).toBe('v2');
    expect(movingTag(parseVersion('0.2.0'))).toBe('v0.2');
  });
});

describe('the changelog section of a version (the release notes)', () => {
  it('is the text between its heading and the next version, without the heading', () => {
    expect(changelogSection(CHANGELOG, '0.3.0')).toBe('### Minor Changes\n\n- Plans list account IDs.\n');
    expect(changelogSection(CHANGELOG, '0.2.0')).toBe('### Minor Changes\n\n- First release.\n');
  });

  it('refuses a version without a section, or with an empty one', () => {
    expect(() => changelogSection(CHANGELOG, '0.4.0')).toThrow('CHANGELOG.md has no "## 0.4.0" section: run npm run release:version');
    expect(() => changelogSection('## 1.0.0\n\n## 0.9.0\n\n- x\n', '1.0.0')).toThrow('"## 1.0.0" section is empty');
  });

  it("this repository's notes for its own version exist", () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(releaseNotes(root).length).toBeGreaterThan(0);
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}\n`);
  });
});

describe('the tag plan', () => {
  const plan = (version: string, tags: Record<string, string>, onDefaultBranch = true) =>
    planTags({ version, commit: A, tags: new Map(Object.entries(tags)), onDefaultBranch });

  it('creates vX.Y.Z and the moving tag for a first release of a line', () => {
    expect(plan('0.2.0', {})).toEqual({
      version: '0.2.0',
      release: 'v0.2.0',
      moving: 'v0.2',
      commit: A,
      steps: [
        { tag: 'v0.2.0', action: 'create', commit: A },
        { tag: 'v0.2', action: 'create', commit: A },
      ],
    });
  });

  it('moves the line tag from the previous release of the line', () => {
    expect(plan('1.4.0', { 'v1.3.2': B, v1: B }).steps).toEqual([
      { tag: 'v1.4.0', action: 'create', commit: A },
      { tag: 'v1', action: 'move', commit: A, from: B },
    ]);
  });

  it('keeps tags already in place, so a release re-run after a later step failed pushes nothing new', () => {
    expect(plan('1.4.0', { 'v1.4.0': A, v1: A }).steps.map((s) => s.action)).toEqual(['keep', 'keep']);
  });

  it('refuses to move a released version to another commit', () => {
    expect(() => plan('1.4.0', { 'v1.4.0': B })).toThrow(`v1.4.0 already tags ${B}, not ${A}: a released version never moves`);
  });

  it('refuses a version older than a release of its own line, but allows a fix to an older line', () => {
    expect(() => plan('1.4.0', { 'v1.5.0': B, v1: B })).toThrow('v1.4.0 is older than v1.5.0 of the same line (v1)');
    expect(plan('1.5.1', { 'v2.0.0': B, v2: B, 'v1.5.0': B, v1: B }).steps[1]).toEqual({ tag: 'v1', action: 'move', commit: A, from: B });
  });

  it('refuses a commit that is not on the default branch', () => {
    expect(() => plan('1.4.0', {}, false)).toThrow('is not on the default branch');
  });
});

describe('the tag plan from a git repository, and the push', () => {
  /** A clone of a repository with one release (v0.1.0, v0.1), the next version prepared on main. */
  function released(): { origin: ReturnType<typeof repository>; clone: string; head: string; first: string } {
    const origin = repository();
    const first = origin.commit('0.1.0', {
      'package.json': '{"name":"groundwork","version":"0.1.0"}\n',
      'CHANGELOG.md': '# groundwork\n\n## 0.1.0\n\n- First.\n',
      '.changeset/README.md': '# Changesets\n',
    });
    origin.git('tag', '-a', 'v0.1.0', '-m', 'Groundwork 0.1.0');
    origin.git('tag', 'v0.1');
    const head = origin.commit('Release 0.1.1', {
      'package.json': '{"name":"groundwork","version":"0.1.1"}\n',
      'CHANGELOG.md': '# groundwork\n\n## 0.1.1\n\n- Fixed.\n\n## 0.1.0\n\n- First.\n',
    });
    origin.git('config', 'receive.denyCurrentBranch', 'ignore');
    const clone = mkdtempSync(join(tmpdir(), 'gw-release-clone-'));
    execFileSync('git', ['clone', '-q', origin.dir, clone]);
    return { origin, clone, head, first };
  }

  it('reads annotated and lightweight tags as the commits they name', () => {
    const { clone, first } = released();
    expect(readTags(clone)).toEqual(
      new Map([
        ['v0.1', first],
        ['v0.1.0', first],
      ]),
    );
  });

  it('plans v0.1.1 at HEAD and moves v0.1 from v0.1.0; the push puts both on the remote, the release tag annotated', () => {
    const { origin, clone, head, first } = released();
    const plan = planRelease(clone, 'origin/main');
    expect(plan.steps).toEqual([
      { tag: 'v0.1.1', action: 'create', commit: head },
      { tag: 'v0.1', action: 'move', commit: head, from: first },
    ]);
    pushRelease(clone, plan, 'origin');
    expect(readTags(origin.dir)).toEqual(
      new Map([
        ['v0.1', head],
        ['v0.1.0', first],
        ['v0.1.1', head],
      ]),
    );
    expect(origin.git('cat-file', '-t', 'v0.1.1')).toBe('tag');
    expect(origin.git('tag', '-l', '--format=%(contents:subject)', 'v0.1.1')).toBe('Groundwork 0.1.1');
    // Run again (a later step failed): nothing to change, and the push succeeds.
    const again = planRelease(clone, 'origin/main');
    expect(again.steps.map((s) => s.action)).toEqual(['keep', 'keep']);
    pushRelease(clone, again, 'origin');
  });

  it('refuses a commit of another branch, and a version whose changesets are still pending', () => {
    const { clone } = released();
    execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: clone });
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: clone });
    expect(() => planRelease(clone, 'origin/main')).toThrow('is not on the default branch');
    writeFileSync(join(clone, '.changeset', 'next.md'), '---\n"groundwork": patch\n---\n\nx\n');
    expect(() => planRelease(clone, 'origin/main')).toThrow('changesets not yet versioned: .changeset/next.md');
  });

  it('gives git the token as an HTTP header in the environment, never in a command line', () => {
    expect(tokenEnv(undefined)).toEqual({});
    expect(tokenEnv('ghs_secret')).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraheader',
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`,
    });
  });
});

describe('the version bump from changesets (npm run release:version)', () => {
  it("bumps by the largest change, writes the version's changelog section, deletes the changesets, and updates the lock and the templates' pin comments", () => {
    const repo = repository();
    cpSync(join(root, '.changeset', 'config.json'), join(repo.dir, '.changeset', 'config.json'));
    cpSync(join(root, 'scripts', 'changelog-format.mjs'), join(repo.dir, 'scripts', 'changelog-format.mjs'));
    repo.commit('0.1.0', {
      'package.json': `${JSON.stringify({ name: 'groundwork', version: '0.1.0' }, null, 2)}\n`,
      'package-lock.json': `${JSON.stringify({ name: 'groundwork', version: '0.1.0', lockfileVersion: 3, packages: { '': { name: 'groundwork', version: '0.1.0' } } }, null, 2)}\n`,
      'workflows-templates/caller.yml': `jobs:\n  x:\n    uses: YOUR-ORG/groundwork/.github/workflows/x.yml@${'1'.repeat(40)} # v0.1.0\n`,
      '.changeset/README.md': '# Changesets\n',
      '.changeset/plans-list-ids.md': '---\n"groundwork": minor\n---\n\n`groundwork plan --json` lists account IDs.\n',
      '.changeset/fix-typo.md': '---\n"groundwork": patch\n---\n\nA typo in `validate`’s hint.\nSecond paragraph, indented under its item.\n',
    });
    symlinkSync(join(root, 'node_modules'), join(repo.dir, 'node_modules'));
    expect(versionRelease(repo.dir)).toBe('0.2.0');
    expect(JSON.parse(readFileSync(join(repo.dir, 'package.json'), 'utf8')).version).toBe('0.2.0');
    const lock = JSON.parse(readFileSync(join(repo.dir, 'package-lock.json'), 'utf8'));
    expect([lock.version, lock.packages[''].version]).toEqual(['0.2.0', '0.2.0']);
    const changelog = readFileSync(join(repo.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.startsWith(`${CHANGELOG_HEADER}\n## 0.2.0\n`)).toBe(true);
    const section = changelogSection(changelog, '0.2.0');
    expect(section).toContain('### Minor Changes\n\n- `groundwork plan --json` lists account IDs.\n');
    expect(section).toContain('### Patch Changes\n\n- A typo in `validate`’s hint.\n  Second paragraph, indented under its item.\n');
    expect(readdirSync(join(repo.dir, '.changeset')).sort()).toEqual(['README.md', 'config.json']);
    expect(readFileSync(join(repo.dir, 'workflows-templates/caller.yml'), 'utf8')).toContain(`@${'1'.repeat(40)} # v0.2.0\n`);
    // Nothing left to release: a second run says so instead of bumping again.
    expect(() => versionRelease(repo.dir)).toThrow('no changesets in .changeset/');
    // The next version goes above the last one, under the same header.
    writeFileSync(join(repo.dir, '.changeset', 'next-fix.md'), '---\n"groundwork": patch\n---\n\nA fix.\n');
    expect(versionRelease(repo.dir)).toBe('0.2.1');
    const next = readFileSync(join(repo.dir, 'CHANGELOG.md'), 'utf8');
    expect(next.startsWith(`${CHANGELOG_HEADER}\n## 0.2.1\n\n### Patch Changes\n\n- A fix.\n\n## 0.2.0\n`)).toBe(true);
  });

  it('repoints only pin comments of this library', () => {
    const text = `uses: o/groundwork/.github/workflows/a.yml@${'1'.repeat(40)} # v0.1.0\nuses: actions/checkout@${A} # v7.0.1\n`;
    expect(repointPinComments(text, '1.0.0')).toBe(
      `uses: o/groundwork/.github/workflows/a.yml@${'1'.repeat(40)} # v1.0.0\nuses: actions/checkout@${A} # v7.0.1\n`,
    );
  });

  it('the changesets config is the one committed, and every pending changeset names this package with a bump', () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ baseBranch: 'main', commit: false, changelog: '../scripts/changelog-format.mjs' });
    for (const file of readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      const text = readFileSync(join(root, '.changeset', file), 'utf8');
      expect({ file, frontMatter: /^---\n"groundwork": (major|minor|patch)\n---\n\n\S/.test(text) }).toEqual({ file, frontMatter: true });
    }
  });
});

describe('the release workflow', () => {
  interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }
  interface Job {
    if?: string;
    needs?: string | string[];
    permissions?: Record<string, string>;
    steps: Step[];
  }
  const workflow = parse(readFileSync(join(root, '.github/workflows/release.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency: { group: string; 'cancel-in-progress': boolean };
    jobs: Record<string, Job>;
  };
  const { check, attest, publish } = workflow.jobs as Record<'check' | 'attest' | 'publish', Job>;

  it('runs only by hand, from the default branch, one at a time and never cancelled', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(check?.if).toBe("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    expect(workflow.concurrency).toEqual({ group: 'release', 'cancel-in-progress': false });
  });

  it('grants nothing by default and each job only what it needs: read to check, attestations to attest, write to tag', () => {
    expect(workflow.permissions).toEqual({});
    expect(check?.permissions).toEqual({ contents: 'read' });
    expect(attest?.permissions).toEqual({ contents: 'read', 'id-token': 'write', attestations: 'write' });
    expect(publish?.permissions).toEqual({ contents: 'write' });
  });

  it('checks first (plan, whole suite, bundles match a fresh build), attests next, and tags and releases last', () => {
    const runs = (job?: Job) => (job?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(runs(check)).toContain('scripts/release-tag.ts plan');
    expect(runs(check)).toContain('bash .ci/run');
    expect(runs(check)).toMatch(/npm run build:actions\n[\s\S]*test -z "\$\(git status --porcelain -- actions\)"/);
    expect(attest?.needs).toBe('check');
    expect(attest?.steps.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'))?.with).toEqual({ 'subject-path': 'actions/*/dist/index.js' });
    expect(publish?.needs).toEqual(['check', 'attest']);
    expect(runs(publish)).toContain('scripts/release-tag.ts push');
    expect(runs(publish)).toContain('gh release create "v$VERSION" --verify-tag');
    expect(runs(publish)).toContain('scripts/release-notes.ts "$VERSION"');
  });

  it('pins every action by full SHA with its version in a comment, and keeps credentials out of the checkout', () => {
    const text = readFileSync(join(root, '.github/workflows/release.yml'), 'utf8');
    const uses = [...text.matchAll(/uses: (\S+)(.*)/g)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, comment] of uses)
      expect({ ref, comment }).toEqual({ ref: expect.stringMatching(/@[0-9a-f]{40}$/), comment: expect.stringMatching(/^ # v\d+\.\d+\.\d+$/) });
    for (const job of [check, attest, publish]) {
      for (const step of job?.steps ?? []) if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });
});

describe('every workflow and caller template', () => {
  it('pins third-party actions by full SHA with the version in a comment (what Dependabot updates)', () => {
    const files = [
      ...readdirSync(join(root, '.github/workflows')).map((f) => join('.github/workflows', f)),
      ...readdirSync(join(root, 'workflows-templates'))
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join('workflows-templates', f)),
    ];
    for (const file of files) {
      for (const [, ref = '', comment] of readFileSync(join(root, file), 'utf8').matchAll(/uses: (\S+)(.*)/g)) {
        if (ref.startsWith('$/') || ref.startsWith('./')) continue;
        expect({ file, ref, comment }).toEqual({ file, ref: expect.stringMatching(/@[0-9a-f]{40}$/), comment: expect.stringMatching(/^ # v\d+\.\d+\.\d+\b/) });
      }
    }
    expect(existsSync(join(root, '.github/dependabot.yml'))).toBe(true);
  });
});
