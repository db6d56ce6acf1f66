import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsMarkdown, headingAnchor } from '../scripts/build-commands-doc.js';
import { SHARED_PATHS } from './helpers/paths.js';

const root = SHARED_PATHS.root;
const SKIP = new Set(['node_modules', '.git', '.groundwork', 'dist', 'cdk.out', 'test-results', 'coverage']);

/** Every Markdown file of the repository (README, docs/ and its runbooks, the templates' README, the guardrails'). */
function markdownFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [relative(root, path)] : [];
  });
}

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchors a file offers, as GitHub renders it: one per heading (repeats get -1, -2, …), plus explicit ids. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8');
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading = ''] of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = headingAnchor(heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_]/g, ''));
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  for (const [, id = ''] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id);
  return anchors;
}

/** Every relative link of a Markdown file: inline links and images, with their target and optional anchor. */
function relativeLinks(file: string): { target: string; anchor?: string }[] {
  const text = prose(readFileSync(join(root, file), 'utf8'));
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, href = '']) => href)
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href))
    .map((href) => {
      const [path = '', anchor] = href.split('#');
      return { target: path === '' ? file : join(dirname(file), decodeURIComponent(path)), ...(anchor === undefined ? {} : { anchor }) };
    });
}

describe('the Markdown files', () => {
  const files = markdownFiles();

  it('are found: the README, docs/, the runbooks and the caller templates README among them', () => {
    for (const file of ['README.md', 'docs/architecture.md', 'docs/runbooks/delivery.md', 'workflows-templates/README.md']) expect(files).toContain(file);
  });

  it('link only to files that exist, and to headings that exist in them', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of relativeLinks(file)) {
        const at = `${file} → ${relative(root, join(root, link.target))}${link.anchor === undefined ? '' : `#${link.anchor}`}`;
        if (!existsSync(join(root, link.target))) {
          broken.push(`${at}: no such file`);
        } else if (link.anchor && link.target.endsWith('.md') && statSync(join(root, link.target)).isFile() && !anchorsOf(link.target).has(link.anchor)) {
          broken.push(`${at}: no such heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('every page under docs/ is reachable from the README by following links', () => {
    const reached = new Set(['README.md']);
    const queue = ['README.md'];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      for (const { target } of relativeLinks(file)) {
        const path = relative(root, join(root, target));
        if (path.endsWith('.md') && existsSync(join(root, path)) && !reached.has(path)) {
          reached.add(path);
          queue.push(path);
        }
      }
    }
    expect(files.filter((file) => file.startsWith('docs/') && !reached.has(file))).toEqual([]);
  });

  it('README is read in two minutes: under 8,000 characters, with the two commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.length).toBeLessThan(8000);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});

describe('docs/commands.md', () => {
  it('is what the CLI’s own help says today (npm run docs:commands regenerates it)', () => {
    expect(readFileSync(join(root, 'docs', 'commands.md'), 'utf8'), 'docs/commands.md is stale: run npm run docs:commands').toBe(commandsMarkdown());
  });

  it('has a section for every command and subcommand, each reachable from its table of contents', () => {
    const text = readFileSync(join(root, 'docs', 'commands.md'), 'utf8');
    const anchors = anchorsOf('docs/commands.md');
    for (const [, anchor = ''] of text.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors).toContain(anchor);
    for (const name of ['groundwork up', 'groundwork users import', 'groundwork emulator status', 'groundwork auth code'])
      expect(text).toContain(`# ${name}\n`);
  });
});

describe('the anchors GitHub gives headings', () => {
  it('lower-cases, drops punctuation, and turns spaces into hyphens', () => {
    expect(headingAnchor('Pinning and upgrades')).toBe('pinning-and-upgrades');
    expect(headingAnchor('Opening it: the token')).toBe('opening-it-the-token');
    expect(headingAnchor('The test suite (issue #23)')).toBe('the-test-suite-issue-23');
    expect(headingAnchor('groundwork users migrate-iam')).toBe('groundwork-users-migrate-iam');
  });
});
