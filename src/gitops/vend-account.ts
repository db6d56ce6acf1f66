import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import { type ConfigIssue, formatPath } from '../config/config-issue.js';
import { checkConfigText } from '../config/load-config.js';
import type { GroundworkConfig } from '../config/resolved-config.js';
import { GroundworkError } from '../errors.js';

/** An account to vend, as the vend-account action's inputs give it. */
export interface VendRequest {
  readonly name: string;
  readonly organizationalUnit: string;
  /** @default the account name */
  readonly environment?: string;
  /** @default organization.defaultMonthlyBudgetUsd */
  readonly monthlyBudgetUsd?: number;
  /** @default organization.accountEmailTemplate */
  readonly email?: string;
}

/** The config with the account added, or unchanged when it is already there as asked. */
export interface VendEdit {
  readonly text: string;
  readonly changed: boolean;
  readonly config: GroundworkConfig;
}

/** The action input each config field comes from, so an error names what the person typed. */
const INPUT_OF: Record<string, string> = {
  name: 'account-name',
  organizationalUnit: 'organizational-unit',
  environment: 'environment',
  monthlyBudgetUsd: 'monthly-budget',
  email: 'owner-email',
};

function invalid(message: string, details: readonly string[], hint: string): GroundworkError {
  return new GroundworkError('CONFIG_INVALID', message, { details, hint });
}

/**
 * Adds an account to the text of groundwork.yaml without touching anything else: the new item is inserted after the
 * last item of `organization.accounts`, at its indentation, so every other byte (comments, quoting, blank lines,
 * key order) stays as it was. The result is checked with the config's own three steps, so the inputs meet exactly
 * the rules the config does (name, OU, unique e-mail, budget); each error names the input it came from.
 * Adding an account that is already there with the same OU changes nothing (a second dispatch of the same request).
 */
export function addAccountToConfig(text: string, sourceFile: string, request: VendRequest): VendEdit {
  const current = checkConfigText(text, sourceFile);
  if (!current.config) {
    throw invalid(
      `${sourceFile} is not valid as it is, so no account can be added to it`,
      current.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
      'fix the config first (the foundation checks of a pull request list each error), then dispatch again',
    );
  }
  const existing = current.config.organization.accounts.find((a) => a.name.toLowerCase() === request.name.toLowerCase());
  if (existing) {
    if (existing.organizationalUnit === request.organizationalUnit) return { text, changed: false, config: current.config };
    throw invalid(
      `account "${request.name}" already exists, in OU ${existing.organizationalUnit}, not ${request.organizationalUnit}`,
      [],
      'choose another account-name, or move the account by editing groundwork.yaml in a pull request',
    );
  }

  const doc = parseDocument(text);
  const accounts = doc.getIn(['organization', 'accounts'], true);
  if (!isSeq(accounts) || accounts.flow || accounts.items.length === 0 || !isMap(accounts.items[0])) {
    throw invalid(
      `${sourceFile} has no block list at organization.accounts to add the account to`,
      [],
      'write organization.accounts as a block list ("- name: …" items), with at least one account',
    );
  }
  const first = accounts.items[0];
  const last = accounts.items[accounts.items.length - 1];
  const firstStart = first?.range?.[0] ?? 0;
  const column = firstStart - (text.lastIndexOf('\n', firstStart - 1) + 1);
  const valueEnd = isMap(last) && last.range ? last.range[1] : (accounts.range?.[1] ?? text.length);
  // After the last item's last line (its trailing comment stays with it).
  const at = text.indexOf('\n', Math.max(valueEnd - 1, 0));

  const scalar = (value: string | number) => stringify(value).trimEnd();
  const fields: [string, string | number | undefined][] = [
    ['name', request.name],
    ['organizationalUnit', request.organizationalUnit],
    ['environment', request.environment],
    ['email', request.email],
    ['monthlyBudgetUsd', request.monthlyBudgetUsd],
  ];
  const pad = ' '.repeat(Math.max(column - 2, 0));
  const lines = fields.filter(([, v]) => v !== undefined).map(([k, v], i) => `${pad}${i === 0 ? '- ' : '  '}${k}: ${scalar(v as string | number)}`);
  const inserted = at === -1 ? `${text}\n${lines.join('\n')}\n` : `${text.slice(0, at)}\n${lines.join('\n')}${text.slice(at)}`;

  const next = checkConfigText(inserted, sourceFile);
  const index = current.config.organization.accounts.length;
  if (!next.config) {
    throw invalid(
      `account "${request.name}" cannot be added`,
      next.issues.map((issue) => describe(issue, index, request)),
      'fix the inputs named above and dispatch again; groundwork.yaml was not changed',
    );
  }
  return { text: inserted, changed: true, config: next.config };
}

/**
 * An issue of the edited config, naming the action input the person set when it is about the new account: the
 * environment, when the environment input was left empty, is the account name, so its issue is account-name's.
 */
function describe(issue: ConfigIssue, index: number, request: VendRequest): string {
  const [a, b, i, field] = issue.path;
  if (a === 'organization' && b === 'accounts' && i === index && typeof field === 'string') {
    if (field === 'environment' && request.environment === undefined) {
      return `input account-name: "${request.name}" is also the environment name when environment is empty, and ${issue.message} (set environment to a valid name, such as "${suggestedEnvironment(request.name)}", or choose another account-name)`;
    }
    return `input ${INPUT_OF[field] ?? field}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`;
  }
  return `${formatPath(issue.path)}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`;
}

/** An environment name made from an account name: lower case, anything else a hyphen (`QA_Team` → `qa-team`). */
function suggestedEnvironment(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'env'
  );
}
