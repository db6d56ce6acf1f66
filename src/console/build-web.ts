import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's sources: src/console/web. */
export const WEB_SOURCE = fileURLToPath(new URL('./web/', import.meta.url));
const ROOT = join(WEB_SOURCE, '..', '..', '..');
/** Where the built page goes: dist/console in the project (not committed; rebuilt when its sources change). */
export const WEB_BUILD_DIR = join(ROOT, 'dist', 'console');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A hash of the page's sources and the locked dependency versions: the build is redone when either changes. */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  // Part of the hash too: how the page is built (a production build, whatever NODE_ENV the caller runs with).
  hash.update('production-build-2');
  for (const file of [...files(WEB_SOURCE), join(ROOT, 'package-lock.json')].sort()) {
    hash.update(relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the console page with Vite into `outDir`, unless the build there is of the same sources. The build goes to
 * a new folder that replaces the old one only once complete, so a failed build leaves the last good one.
 */
export async function ensureWebBuild(out: string, progress: (message: string) => void = () => {}): Promise<{ built: boolean; dir: string }> {
  const outDir = resolve(out);
  const hash = webSourceHash();
  const stamp = join(outDir, 'build.json');
  if (existsSync(stamp) && JSON.parse(readFileSync(stamp, 'utf8')).hash === hash) return { built: false, dir: outDir };
  progress('… building the console page (Vite; once per change of its sources)');
  const { build } = await import('vite');
  const next = `${outDir}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  // Vite builds React's development bundle when NODE_ENV says development or test (vitest sets it): the page is
  // always built for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(WEB_SOURCE, 'vite.config.ts'),
      root: WEB_SOURCE,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: next, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(join(next, 'build.json'), `${JSON.stringify({ hash, builtAt: new Date().toISOString() })}\n`);
  rmSync(outDir, { recursive: true, force: true });
  try {
    renameSync(next, outDir);
  } catch (error) {
    // Another process built the same sources at the same time and got there first: its build is as good.
    rmSync(next, { recursive: true, force: true });
    if (!existsSync(stamp) || JSON.parse(readFileSync(stamp, 'utf8')).hash !== hash) throw error;
  }
  return { built: true, dir: outDir };
}
