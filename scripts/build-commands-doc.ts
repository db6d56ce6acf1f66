/**
 * `npm run docs:commands`: writes docs/commands.md from the CLI's own help (the commander program the CLI runs), so the
 * reference cannot drift from the flags: test/docs.test.ts fails when the committed file differs from a fresh one.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';

/** Help is wrapped at this width whatever the terminal, so the file is the same on every machine. */
const HELP_WIDTH = 100;

/** Every command of the program, depth first, with its full name (`users import`), the implicit `help` left out. */
function commands(command: Command, prefix: string[] = []): { name: string[]; command: Command }[] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const name = [...prefix, sub.name()];
      return [{ name, command: sub }, ...commands(sub, name)];
    });
}

function helpOf(command: Command): string {
  command.configureHelp({ ...command.configureHelp(), helpWidth: HELP_WIDTH });
  return command.helpInformation().trimEnd();
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** docs/commands.md as the CLI's help gives it today. */
export function commandsMarkdown(): string {
  const program = buildProgram();
  const all = commands(program);
  const lines = [
    '# Commands',
    '',
    "<!-- Generated from the CLI's own help by `npm run docs:commands` (scripts/build-commands-doc.ts); test/docs.test.ts checks it is current. Edit the help in src/cli/, not this file. -->",
    '',
    'Every command and flag, as `npx groundwork COMMAND --help` prints them. Exit codes: 0 ok, 1 error, 2 changes present (with `plan --detailed-exitcode`). Every command targets the local sandbox unless you pass `--target aws`.',
    '',
    ...all.map(({ name }) => `${'  '.repeat(name.length - 1)}- [groundwork ${name.join(' ')}](#${headingAnchor(`groundwork ${name.join(' ')}`)})`),
    '',
    '## groundwork',
    '',
    '```text',
    helpOf(program),
    '```',
  ];
  for (const { name, command } of all) {
    lines.push('', `${name.length > 1 ? '###' : '##'} groundwork ${name.join(' ')}`, '', '```text', helpOf(command), '```');
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('../docs/commands.md', import.meta.url));
  writeFileSync(out, commandsMarkdown());
  process.stdout.write(`wrote ${out}\n`);
}
