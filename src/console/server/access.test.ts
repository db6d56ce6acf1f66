import { describe, expect, it } from 'vitest';
import { loopbackHosts, newConsoleToken, sameSecret, urlWithToken } from './access.js';

describe('the console’s access rules', () => {
  it('answers the loopback names on its port, and each --host name (given the port when it has none)', () => {
    expect([...loopbackHosts(8080)]).toEqual(['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']);
    expect([...loopbackHosts(8080, ['DevBox.internal', 'tunnel:9000', '[::1]:9001', '[fe80::1]'])].slice(3)).toEqual([
      'devbox.internal:8080',
      'tunnel:9000',
      '[::1]:9001',
      '[fe80::1]:8080',
    ]);
  });

  it('draws a new 256-bit token each launch, and prints it in the URL only', () => {
    const [a, b] = [newConsoleToken(), newConsoleToken()];
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(urlWithToken('http://127.0.0.1:8080', a)).toBe(`http://127.0.0.1:8080/?token=${a}`);
  });

  it('compares secrets of any length without throwing', () => {
    const token = newConsoleToken();
    expect(sameSecret(token, token)).toBe(true);
    for (const other of ['', 'x', token.slice(1), `${token}x`, newConsoleToken()]) expect(sameSecret(other, token)).toBe(false);
  });
});
