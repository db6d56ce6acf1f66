/**
 * `npm run build:templates`: writes the generic member-account templates into cloudformation/ (committed; a test fails
 * when one differs from a fresh synthesis, and runs cdk-nag and cfn-lint over them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMemberTemplates, templateText } from '../src/infra/templates/build-templates.js';

const dir = fileURLToPath(new URL('../cloudformation', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const t of buildMemberTemplates()) {
  writeFileSync(join(dir, t.file), templateText(t.template));
  process.stderr.write(`wrote cloudformation/${t.file} (${t.account} account)\n`);
}
