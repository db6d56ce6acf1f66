import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Paths shared by the test suite. $GROUNDWORK_EMULATOR_VENV and $GROUNDWORK_NODE24_DIR put the emulator and Node 24
 * elsewhere: .ci/run keeps them in a per-machine cache keyed by their pins, so a fresh clone does not install them again.
 */
export const SHARED_PATHS = {
  root,
  home: `${root}.groundwork`,
  venv: process.env.GROUNDWORK_EMULATOR_VENV || `${root}.groundwork/emulator`,
  node24: process.env.GROUNDWORK_NODE24_DIR || `${root}.groundwork/node24`,
  bin: `${root}bin/groundwork.js`,
} as const;
