import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const HANDLERS_DIR = fileURLToPath(new URL('./handlers/', import.meta.url));

/** One handler as a single file for Node.js 24, the AWS SDK v3 left to the Lambda runtime. */
function compile(name: string, format: 'esm' | 'cjs', minify: boolean): string {
  const entry = join(HANDLERS_DIR, `${name}.ts`);
  if (!existsSync(entry)) throw new Error(`no Lambda handler "${name}" (expected ${entry})`);
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format,
    minify,
    external: ['@aws-sdk/*'],
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * Bundles `src/infra/handlers/<name>.ts` with esbuild into one ESM file (`index.mjs`, handler `index.handler`), with
 * `files` beside it, in a folder named by the content's hash: the same input gives the same folder and asset hash.
 * The AWS SDK v3 is left out; the Lambda Node.js runtime provides it.
 */
export function bundleHandler(name: string, files: Readonly<Record<string, string>> = {}): string {
  const code = compile(name, 'esm', false);
  const hash = createHash('sha256').update(code);
  for (const [file, text] of Object.entries(files).sort()) hash.update(`\0${file}\0${text}`);
  const dir = join(tmpdir(), `groundwork-bundle-${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'index.mjs'))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'index.mjs'), code);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(staging, file), text);
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another process wrote the same bundle first.
    if (!existsSync(join(dir, 'index.mjs'))) throw error;
  }
  return dir;
}

/** The most CloudFormation inlines as a function's code (`Code.ZipFile`, for Node.js). */
export const INLINE_CODE_LIMIT = 4096;

/**
 * Bundles `src/infra/handlers/<name>.ts` into minified CommonJS small enough to inline in a template (`index.js`,
 * handler `index.handler`), so a StackSet can deploy it to any account with no artifact bucket. Fails when it outgrows
 * CloudFormation's 4,096-character limit.
 */
export function inlineHandler(name: string): string {
  const code = compile(name, 'cjs', true);
  if (code.length > INLINE_CODE_LIMIT) {
    throw new Error(`inlineHandler: ${name} is ${code.length} characters; CloudFormation inlines at most ${INLINE_CODE_LIMIT}`);
  }
  return code;
}
