import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { GroundworkError } from '../errors.js';
import { applyDefaults } from './apply-defaults.js';
import { type ConfigIssue, formatIssue, type PathSegment } from './config-issue.js';
import { checkCrossFieldRules } from './cross-field-rules.js';
import type { GroundworkConfig } from './resolved-config.js';
import { GroundworkConfigSchema } from './schema.js';
import { didYouMean } from './suggest.js';

/** Result of checking a config text: the config when it is valid, and every issue found. */
export interface ConfigCheck {
  readonly config?: GroundworkConfig;
  readonly issues: readonly ConfigIssue[];
}

/** Checks config text in three steps (structure, defaults, cross-field rules), collecting every issue with its position. */
export function checkConfigText(text: string, sourceFile: string): ConfigCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => {
      const { line, col } = locate(error.pos[0]);
      return { path: [], message: yamlMessage(error.code, error.message), hint: yamlHint(error.code), line, col };
    });
    return { issues };
  }
  if (doc.contents === null) {
    return { issues: [{ path: [], message: 'the file is empty', hint: 'start from the groundwork.yaml shipped with Groundwork', line: 1, col: 1 }] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { issues: [{ path: [], message: (error as Error).message, hint: 'fix the YAML alias', line: 1, col: 1 }] };
  }

  const position = (issue: ConfigIssue): ConfigIssue => {
    const node = nearestNode(doc.contents as Node, issue.path, issue.key);
    const { line, col } = locate(node?.range?.[0] ?? 0);
    return { ...issue, line, col };
  };

  const parsed = GroundworkConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return { issues: sortIssues(parsed.error.issues.flatMap(fromZodIssue).map(position)) };
  }
  const defaults = applyDefaults(parsed.data, sourceFile);
  if (defaults.issues.length > 0) return { issues: sortIssues(defaults.issues.map(position)) };
  const ruleIssues = checkCrossFieldRules(defaults.config);
  if (ruleIssues.length > 0) return { issues: sortIssues(ruleIssues.map(position)) };
  return { config: defaults.config, issues: [] };
}

/** Loads and checks a config file; throws one GroundworkError listing every issue, each as FILE:LINE:COL path: message (hint). */
export function loadConfig(file: string): GroundworkConfig {
  const sourceFile = resolve(file);
  const shown = file;
  let text: string;
  try {
    if (statSync(sourceFile).isDirectory()) {
      throw new GroundworkError('CONFIG_NOT_FOUND', `config path ${shown} is a directory`, {
        hint: 'pass the YAML file with --config FILE',
        actionHint: "set the step's config input to the YAML file",
      });
    }
    text = readFileSync(sourceFile, 'utf8');
  } catch (error) {
    if (error instanceof GroundworkError) throw error;
    throw new GroundworkError('CONFIG_NOT_FOUND', `config file not found: ${shown}`, {
      hint: 'run from the project folder, or pass --config FILE',
      actionHint: "check out the repository before this step (actions/checkout), or set the step's config input to the file's path",
      cause: error,
    });
  }
  const result = checkConfigText(text, sourceFile);
  if (!result.config) {
    const count = result.issues.length;
    throw new GroundworkError('CONFIG_INVALID', `${shown} has ${count} error${count === 1 ? '' : 's'}`, {
      details: result.issues.map((issue) => formatIssue(shown, issue)),
      hint: 'fix the fields listed above, then run groundwork validate',
      actionHint: 'fix the fields annotated above in a pull request (the foundation checks list each one), then re-run',
    });
  }
  return result.config;
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => ({ path: [...path, key], key, message: `unknown key "${key}"`, hint: didYouMean(key, known) }));
  }
  if (issue.code === 'invalid_type') {
    const received = (issue as { input?: unknown }).input;
    if (received === undefined) return [{ path, message: `is required (expected ${issue.expected})`, hint: 'add the field' }];
    return [{ path, message: `expected ${issue.expected}, got ${describe(received)}`, hint: `write a ${issue.expected}` }];
  }
  return [{ path, message: issue.message }];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const shown = JSON.stringify(value);
  // A whole file read as one string (a config input pointing at the wrong file) is not echoed into the log.
  return shown.length > 80 ? `${typeof value} ${shown.slice(0, 40)}…" (${String(value).length} characters)` : `${typeof value} ${shown}`;
}

/** The keys allowed at a path, read from the zod schema, for "did you mean" hints. */
function knownKeysAt(path: readonly PathSegment[]): string[] {
  let schema: z.core.$ZodType | undefined = GroundworkConfigSchema;
  const unwrap = (s: z.core.$ZodType): z.core.$ZodType => {
    let current = s;
    for (;;) {
      const def = current._zod.def as { type: string; innerType?: z.core.$ZodType };
      if (def.innerType && ['optional', 'default', 'prefault', 'nullable'].includes(def.type)) current = def.innerType;
      else return current;
    }
  };
  for (const segment of path) {
    if (!schema) return [];
    const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    schema = typeof segment === 'number' ? def.element : def.shape?.[segment];
  }
  if (!schema) return [];
  const def = unwrap(schema)._zod.def as { shape?: Record<string, z.core.$ZodType> };
  return Object.keys(def.shape ?? {}).filter((k) => k !== '$schema');
}

/** The node at `path`, or its nearest ancestor that exists; for an unknown key, the key itself. */
function nearestNode(root: Node, path: readonly PathSegment[], key?: string): Node | undefined {
  let node: Node | undefined = root;
  const segments = key === undefined ? path : path.slice(0, -1);
  for (const segment of segments) {
    const child: unknown = isNode(node) && 'get' in node ? (node as unknown as { get(k: unknown, keep: true): unknown }).get(segment, true) : undefined;
    if (!isNode(child)) return node;
    node = child;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (pair && isNode(pair.key)) return pair.key;
  }
  return node;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: this key appears twice in the same mapping';
  if (code === 'TAB_AS_INDENT') return 'tab used for indentation';
  return `YAML syntax error: ${message}`;
}

function yamlHint(code: string): string {
  if (code === 'DUPLICATE_KEY') return 'remove or merge one of the two';
  if (code === 'TAB_AS_INDENT') return 'YAML indents with spaces only; replace the tab with spaces';
  return 'check indentation, colons and brackets around this position';
}
