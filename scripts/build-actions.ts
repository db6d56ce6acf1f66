/**
 * `npm run build:actions [name…]`: bundles each action's index.ts with @vercel/ncc into actions/<name>/dist/, the file
 * GitHub runs (runs.main in action.yml). The bundles are committed; a test rebuilds them and fails on any difference.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every action folder with an index.ts entry point. */
export function actionNames(): string[] {
  return readdirSync(join(root, 'actions'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, 'actions', e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
}

/** Bundles one action into `outDir` (default: its own dist/). */
export function buildAction(name: string, outDir = join(root, 'actions', name, 'dist')): void {
  const ncc = join(root, 'node_modules', '.bin', 'ncc');
  execFileSync(ncc, ['build', join(root, 'actions', name, 'index.ts'), '-o', outDir, '--no-source-map-register', '--quiet', '--license', 'licenses.txt'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = process.argv.slice(2);
  const names = wanted.length > 0 ? wanted : actionNames();
  const unknown = names.filter((n) => !actionNames().includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown action: ${unknown.join(', ')}; actions: ${actionNames().join(', ')}\n`);
    process.exitCode = 1;
  } else {
    for (const name of names) {
      process.stderr.write(`bundling actions/${name}…\n`);
      buildAction(name);
    }
  }
}
