import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addAccountToConfig } from './vend-account.js';

const file = 'groundwork.yaml';
const original = readFileSync(file, 'utf8');
const comments = (text: string) => text.split('\n').filter((l) => l.trimStart().startsWith('#'));

describe('addAccountToConfig (vend-account)', () => {
  it('adds the account after the last one, every other byte untouched, and the config stays valid', () => {
    const edit = addAccountToConfig(original, file, { name: 'analytics', organizationalUnit: 'Playground', monthlyBudgetUsd: 150 });
    expect(edit.changed).toBe(true);
    const added = ['    - name: analytics', '      organizationalUnit: Playground', '      monthlyBudgetUsd: 150', ''].join('\n');
    const at = edit.text.indexOf(added);
    expect(at).toBeGreaterThan(0);
    // The untouched parts, byte for byte: everything before the new item and everything after it.
    expect(edit.text.slice(0, at)).toBe(original.slice(0, at));
    expect(edit.text.slice(at + added.length)).toBe(original.slice(at));
    expect(comments(edit.text)).toEqual(comments(original));
    expect(edit.config.organization.accounts.at(-1)).toMatchObject({
      name: 'analytics',
      organizationalUnit: 'Playground',
      monthlyBudgetUsd: 150,
      environment: 'analytics',
    });
  });

  it('keeps a trailing comment with the last account, and handles a file without a final newline', () => {
    const text = [
      'organization:',
      '  organizationalUnits:',
      '    - name: Stage',
      '  accounts:',
      '      - name: prod   # the money maker',
      "        organizationalUnit: 'Stage'",
    ].join('\n');
    const edit = addAccountToConfig(text, 'mini.yaml', { name: 'staging', organizationalUnit: 'Stage', environment: 'staging' });
    expect(edit.text).toBe(`${text}\n      - name: staging\n        organizationalUnit: Stage\n        environment: staging\n`);
    expect(edit.config.organization.accounts.map((a) => a.name)).toEqual(['prod', 'staging']);
  });

  it('changes nothing when the same account is asked for again', () => {
    const once = addAccountToConfig(original, file, { name: 'analytics', organizationalUnit: 'Playground' });
    const twice = addAccountToConfig(once.text, file, { name: 'analytics', organizationalUnit: 'Playground' });
    expect(twice).toMatchObject({ changed: false, text: once.text });
  });

  it('refuses bad inputs with the config’s own rules, naming the input, and writes nothing', () => {
    expect(() => addAccountToConfig(original, file, { name: 'data', organizationalUnit: 'Sandbox' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: [expect.stringMatching(/^input organizational-unit: unknown OU "Sandbox"/)] }),
    );
    expect(() => addAccountToConfig(original, file, { name: 'data', organizationalUnit: 'Playground', email: 'aws+prod@example.com' })).toThrow(
      expect.objectContaining({
        details: [expect.stringMatching(/^input owner-email: e-mail "aws\+prod@example\.com" is already used by organization\.accounts\[0\]/)],
      }),
    );
    expect(() => addAccountToConfig(original, file, { name: 'prod', organizationalUnit: 'Playground' })).toThrow(
      /account "prod" already exists, in OU Stage, not Playground/,
    );
  });
});
