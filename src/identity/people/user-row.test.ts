import { describe, expect, it } from 'vitest';
import { validateUserRow } from './user-row.js';

const groups = new Set(['Operators', 'Developers']);
const ok = ['ana', 'ana@example.com', 'Ana', 'García', 'Ana García', 'Operators;Developers'];

describe('validateUserRow', () => {
  it('accepts a complete row and sorts its groups', () => {
    expect(validateUserRow(ok, groups)).toEqual({
      row: {
        username: 'ana',
        email: 'ana@example.com',
        givenName: 'Ana',
        familyName: 'García',
        displayName: 'Ana García',
        groups: ['Developers', 'Operators'],
      },
      errors: [],
    });
  });

  it('defaults the display name to given and family name', () => {
    expect(validateUserRow(['ana', 'ana@example.com', 'Ana', 'García', '', ''], groups).row?.displayName).toBe('Ana García');
  });

  it('reports every missing required field', () => {
    expect(validateUserRow(['', '', '', '', '', ''], groups).errors).toEqual([
      'username is required',
      'email is required',
      'given_name is required',
      'family_name is required',
    ]);
  });

  it('rejects a malformed e-mail, an unknown group, and stray whitespace', () => {
    expect(validateUserRow(['ana', 'ana-at-example', 'Ana', ' García', '', 'Ops'], groups).errors).toEqual([
      'family_name has leading or trailing spaces',
      'email "ana-at-example" is not a valid e-mail address',
      'group "Ops" does not exist',
    ]);
  });

  it('rejects spaces inside a user name and names over the Identity Store limits', () => {
    expect(validateUserRow(['ana garcia', 'a@example.com', 'A', 'G', '', ''], groups).errors).toEqual([
      'username "ana garcia" has spaces or characters Identity Store does not accept',
    ]);
    expect(validateUserRow(['a'.repeat(129), 'a@example.com', 'A', 'G', '', ''], groups).errors).toEqual([
      'username has 129 characters; Identity Store allows 128',
    ]);
    expect(validateUserRow(['a', 'a@example.com', 'A'.repeat(1025), 'G', '', ''], groups).errors).toEqual([
      'given_name has 1025 characters; Identity Store allows 1024',
    ]);
  });

  it('rejects empty and repeated group entries', () => {
    expect(validateUserRow(['a', 'a@example.com', 'A', 'G', '', 'Operators;;Operators'], groups).errors).toEqual([
      'groups has an empty entry (check for ";;" or a trailing ";")',
      'groups lists the same group twice',
    ]);
  });

  it('rejects a row with the wrong number of fields', () => {
    expect(validateUserRow(['a', 'b'], groups).errors).toEqual(['has 2 field(s); expected 6 (username,email,given_name,family_name,display_name,groups)']);
  });
});
