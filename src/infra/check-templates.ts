import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../deploy/baselines.js';
import { buildMemberTemplates, templateText } from './templates/build-templates.js';

/** One committed template of cloudformation/ compared with a fresh synthesis of its source. */
export interface CommittedTemplate {
  readonly file: string;
  /** Its path, for cfn-lint. */
  readonly path: string;
  readonly current: boolean;
}

/**
 * Synthesizes the generic templates (cdk-nag included) and compares each with the committed file in cloudformation/,
 * so a library whose templates no longer match their code is caught before anything is deployed from them.
 */
export function checkCommittedTemplates(dir = templatesDir()): CommittedTemplate[] {
  return buildMemberTemplates().map((t) => {
    const path = join(dir, t.file);
    return { file: t.file, path, current: existsSync(path) && readFileSync(path, 'utf8') === templateText(t.template) };
  });
}
