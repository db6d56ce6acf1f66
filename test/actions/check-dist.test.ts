import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionNames, buildAction } from '../../scripts/build-actions.js';
import { SHARED_PATHS } from '../helpers/paths.js';

// GitHub runs the committed dist/, not the source: a bundle that differs from a fresh build is a bug waiting to ship.
describe('the committed action bundles (check-dist)', () => {
  for (const name of actionNames()) {
    it(`actions/${name}/dist matches a fresh build (npm run build:actions)`, () => {
      const fresh = mkdtempSync(join(tmpdir(), `gw-dist-${name}-`));
      buildAction(name, fresh);
      const committed = join(SHARED_PATHS.root, 'actions', name, 'dist');
      expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort());
      for (const file of readdirSync(fresh)) {
        const same = readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)));
        expect({ file, same }).toEqual({ file, same: true });
      }
    });
  }
});
