/**
 * `node --import tsx scripts/release-notes.ts [VERSION]`: prints CHANGELOG.md's section for VERSION (default:
 * package.json's), the body of the GitHub release the release workflow creates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changelogSection, formatVersion, parseVersion } from './release-plan.js';

/** The release notes of `version` in the repository at `cwd`, ending with where the changelog lives. */
export function releaseNotes(cwd: string, version?: string): string {
  const wanted = version ?? (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version: string }).version;
  const normal = formatVersion(parseVersion(wanted));
  return changelogSection(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8'), normal);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(releaseNotes(process.cwd(), process.argv[2]));
  } catch (error) {
    process.stderr.write(`release-notes: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
