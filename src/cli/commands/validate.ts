import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { githubAnnotation } from '../../config/config-issue.js';
import { checkConfigText } from '../../config/load-config.js';
import { GroundworkError } from '../../errors.js';
import { checkPeopleFile } from '../../identity/people/check-people-file.js';
import { type CommandContext, configFrom } from '../context.js';

/** Options of `groundwork validate`. */
export interface ValidateOptions {
  /** Also print each error as a GitHub Actions annotation on stdout. @default true inside GitHub Actions (GITHUB_ACTIONS=true) */
  readonly annotations?: boolean;
  /** A people CSV to check against the config too (offline: the import's row rules and the declared groups). */
  readonly people?: string;
}

/** `groundwork validate [--annotations]`: loads the config; any error is thrown with every issue listed. */
export async function validateCommand(ctx: CommandContext, options: ValidateOptions = {}): Promise<void> {
  const annotations = options.annotations ?? ctx.env.GITHUB_ACTIONS === 'true';
  if (annotations) annotate(ctx);
  const config = configFrom(ctx);
  const summary = {
    valid: true,
    file: ctx.globals.config,
    organizationalUnits: config.organization.organizationalUnits.length,
    accounts: config.organization.accounts.length,
    serviceControlPolicies: config.serviceControlPolicies.length,
    permissionSets: config.identityCenter.permissionSets.length,
    groups: config.identityCenter.groups.length,
    assignments: config.identityCenter.assignments.length,
  };
  const people = options.people ? await checkPeopleFile(options.people, config) : undefined;
  if (people && people.rejected.length > 0) {
    if (annotations) {
      const shown = relative(ctx.env.GITHUB_WORKSPACE ?? process.cwd(), resolve(options.people as string));
      for (const r of people.rejected) {
        ctx.out.annotation(githubAnnotation(shown, { path: [], message: r.errors.join('; '), line: r.line, col: 1 }, `${shown} line ${r.line}`));
      }
    }
    throw new GroundworkError('CONFIG_INVALID', `${options.people}: ${people.rejected.length} of ${people.rows} row(s) would be rejected by the import`, {
      details: people.rejected.map((r) => `${options.people}:${r.line}: ${r.errors.join('; ')}`),
      hint: 'fix those rows (groups must be declared under identityCenter.groups)',
    });
  }
  ctx.out.result(
    { ...summary, ...(people ? { people: { file: options.people, rows: people.rows } } : {}) },
    () =>
      `${ctx.globals.config} is valid: ${summary.organizationalUnits} OUs, ${summary.accounts} accounts, ${summary.serviceControlPolicies} SCPs, ` +
      `${summary.permissionSets} permission sets, ${summary.groups} groups, ${summary.assignments} assignments` +
      (people ? `\n${options.people} is valid: ${people.rows} people` : ''),
  );
}

/** Each issue of the config as an annotation at its line and column; the error itself is then thrown by configFrom. */
function annotate(ctx: CommandContext): void {
  const file = resolve(ctx.globals.config);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  // Annotations name files relative to the repository root: the workspace inside GitHub Actions.
  const shown = relative(ctx.env.GITHUB_WORKSPACE ?? process.cwd(), file);
  for (const issue of checkConfigText(text, file).issues) ctx.out.annotation(githubAnnotation(shown, issue));
}
