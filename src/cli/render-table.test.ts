import { describe, expect, it } from 'vitest';
import { renderTable } from './render-table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    expect(
      renderTable([
        ['NAME', 'ID'],
        ['prod', '123456789012'],
        ['dev', '1'],
      ]),
    ).toBe('NAME  ID\nprod  123456789012\ndev   1');
  });

  it('right-aligns amount columns, indents, and counts characters rather than bytes', () => {
    expect(
      renderTable(
        [
          ['día', '1.00'],
          ['prod', '120.50'],
        ],
        { align: ['left', 'right'], indent: '  ' },
      ),
    ).toBe('  día     1.00\n  prod  120.50');
  });

  it('prints nothing for no rows', () => {
    expect(renderTable([])).toBe('');
  });
});
