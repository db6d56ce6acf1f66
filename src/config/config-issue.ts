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

/** GitHub's escaping of a workflow command's message. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** …and of its properties, where `:` and `,` separate. */
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * The issue as a GitHub Actions error annotation (`::error file=…,line=…,col=…::…`), which the runner shows at that
 * line and column of the pull request's diff. `file` is the path relative to the repository root.
 */
export function githubAnnotation(file: string, issue: ConfigIssue, title = formatPath(issue.path)): string {
  const properties = [`file=${escapeProperty(file)}`, `line=${issue.line ?? 1}`, `col=${issue.col ?? 1}`, `title=${escapeProperty(title)}`];
  const hint = issue.hint ? ` (${issue.hint})` : '';
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `::error ${properties.join(',')}::${escapeData(`${where}${issue.message}${hint}`)}`;
}
