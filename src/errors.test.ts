import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, INTERNAL_ERROR_CODE } from './errors.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const ALL = [...ERROR_CODES, INTERNAL_ERROR_CODE] as readonly string[];

/** Every code passed to `new GroundworkError(...)` anywhere in src/, across line breaks. */
function raisedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/new GroundworkError\(\s*'([A-Z_]+)'/g)) codes.add(match[1] as string);
  }
  return codes;
}

describe('error codes', () => {
  it('documents every code the CLI can emit in docs/error-codes.md, and nothing else', () => {
    const doc = readFileSync(new URL('../docs/error-codes.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1] as string));
    expect(ALL.filter((code) => !documented.has(code))).toEqual([]);
    expect([...documented].filter((code) => !ALL.includes(code))).toEqual([]);
  });

  it('raises only declared codes anywhere in src/', () => {
    const raised = raisedCodes();
    expect(raised.size).toBeGreaterThan(15);
    expect([...raised].filter((code) => !ALL.includes(code))).toEqual([]);
  });
});
