/**
 * How `changeset version` writes each changeset into CHANGELOG.md (.changeset/config.json names this module): the
 * changeset's text as one list item, without the commit hash the default format puts first (the text says what changed
 * for a user; the history is in git), continuation lines indented under it and blank lines kept blank.
 */
export default {
  getReleaseLine: async (changeset) => {
    const [first = '', ...rest] = changeset.summary.split('\n').map((line) => line.trimEnd());
    return [`- ${first}`, ...rest.map((line) => (line ? `  ${line}` : ''))].join('\n');
  },
  getDependencyReleaseLine: async () => '',
};
