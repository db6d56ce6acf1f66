/** One path segment into the config document. */
export type PathSegment = string | number;

/** One problem found in a config file, with its position once known. */
export interface ConfigIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly hint?: string;
  /** Set for an unknown key, so the position is that of the key itself. */
  readonly key?: string;
  line?: number;
  col?: number;
}

/** `organization.accounts[0].name` from ['organization','accounts',0,'name']. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(root)' : out;
}

/** `FILE:LINE:COL path.to.field: message (hint)`, the one format every config error is printed in. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const position = `${file}:${issue.line ?? 1}:${issue.col ?? 1}`;
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${position} ${formatPath(issue.path)}: ${issue.message}${hint}`;
}
