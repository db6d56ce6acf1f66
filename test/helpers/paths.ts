import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Paths shared by the test suite. */
export const SHARED_PATHS = {
  root,
  home: `${root}.groundwork`,
  venv: `${root}.groundwork/emulator`,
  bin: `${root}bin/groundwork.js`,
} as const;
