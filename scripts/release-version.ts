/**
 * `npm run release:version`: turns the pending changesets into the next version. `changeset version` bumps
 * package.json by the largest change any changeset declares, writes that version's CHANGELOG.md section from them and
 * deletes them; this script then gives package-lock.json the same version and points the caller templates' pin comments
 * (`@<sha> # vX.Y.Z`) at it. The result is committed through a pull request; the release workflow then tags it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changelogSection, parseVersion } from './release-plan.js';
import { pendingChangesets } from './release-tag.js';

/** The top of CHANGELOG.md, above the newest version. */
export const CHANGELOG_HEADER =
  '# Changelog\n\nEvery release of Groundwork, newest first, as its changesets describe it ([docs/releasing.md](docs/releasing.md)). What each kind of release may change is in [docs/versioning.md](docs/versioning.md).\n';

/** A caller template's pin of this library: `groundwork/<path>@<40 hex> # vX.Y.Z`. */
const PIN_COMMENT = /(groundwork\/[^\s@]+@[0-9a-f]{40} # )v\d+\.\d+\.\d+/g;

/** Rewrites the version in each pin comment of `text`. */
export function repointPinComments(text: string, version: string): string {
  return text.replace(PIN_COMMENT, `$1v${version}`);
}

/** The version bump for the repository at `cwd`, with `changeset` the Changesets CLI to run; returns the new version. */
export function versionRelease(cwd: string, changeset = join(cwd, 'node_modules', '.bin', 'changeset')): string {
  const before = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version: string }).version;
  if (pendingChangesets(cwd).length === 0) {
    throw new Error('no changesets in .changeset/: each user-visible change carries one (npx changeset); nothing to release');
  }
  execFileSync(changeset, ['version'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const version = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version: string }).version;
  parseVersion(version);
  if (version === before) throw new Error(`changeset version left the version at ${before}`);
  const changelogFile = join(cwd, 'CHANGELOG.md');
  const changelog = readFileSync(changelogFile, 'utf8');
  changelogSection(changelog, version);
  // A first changelog starts with the package name as its title: it gets this one, which later versions keep above them.
  if (changelog.startsWith('# groundwork\n')) writeFileSync(changelogFile, changelog.replace('# groundwork\n', CHANGELOG_HEADER));

  const lockFile = join(cwd, 'package-lock.json');
  if (existsSync(lockFile)) {
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { version?: string; packages?: Record<string, { version?: string }> };
    lock.version = version;
    const rootPackage = lock.packages?.[''];
    if (rootPackage) rootPackage.version = version;
    writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  }
  const templates = join(cwd, 'workflows-templates');
  if (existsSync(templates)) {
    for (const file of readdirSync(templates).filter((f) => /\.ya?ml$|\.md$/.test(f))) {
      const path = join(templates, file);
      const text = readFileSync(path, 'utf8');
      const next = repointPinComments(text, version);
      if (next !== text) writeFileSync(path, next);
    }
  }
  return version;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const version = versionRelease(process.cwd());
    process.stdout.write(
      `Version ${version}: package.json, package-lock.json, CHANGELOG.md and the caller templates' pin comments updated; review, commit ("Release ${version}") and merge, then run the release workflow.\n`,
    );
  } catch (error) {
    process.stderr.write(`release-version: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
