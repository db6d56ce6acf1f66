import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { GroundworkError } from '../../errors.js';

/**
 * Who may reach the console. A page of another site cannot: the `Host` must be one the console answers (DNS
 * rebinding sends the attacker's name), and every `/api` route needs the cookie the page gets for the launch's token.
 */
export interface ConsoleAccess {
  /** The secret of this launch (the printed URL carries it); `POST /api/login` trades it for the session cookie. */
  readonly token: string;
  /**
   * The `Host` values answered, lower-case `name:port` (`127.0.0.1:8080`); read per request, since the port is known
   * only once the server listens. A host without a port in the set matches a request on the scheme's default port.
   */
  readonly hosts: () => ReadonlySet<string>;
}

/** The route that trades the token for the cookie: the one `/api` route that needs no cookie. */
export const LOGIN_PATH = '/api/login';
/** The import route's body limit: the 5 MB of CSV it accepts, JSON-escaped. */
export const IMPORT_BODY_LIMIT = 6 * 1024 * 1024;
/** Every other route's body limit. */
export const BODY_LIMIT = 64 * 1024;
const IMPORT_PATH = '/api/people/import';

/** A new per-launch token: 256 random bits, URL-safe. */
export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The `Host` values of a console on loopback port `port`, plus any named explicitly (`--host`); a name without a port gets `port`. */
export function loopbackHosts(port: number, extra: readonly string[] = []): Set<string> {
  const withPort = (name: string) => (/^(\[[0-9a-f:.]+\]|[^:[\]]+):\d+$/i.test(name) ? name : `${name}:${port}`).toLowerCase();
  return new Set(['127.0.0.1', 'localhost', '[::1]', ...extra].map(withPort));
}

/** The console's URL with its token, as `groundwork console` prints it (the one place the token is shown). */
export function urlWithToken(baseUrl: string, token: string): string {
  return `${baseUrl}/?token=${encodeURIComponent(token)}`;
}

/** Compares two secrets in constant time (over their SHA-256, so their lengths leak nothing either). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The session cookie's name: per port, so two consoles on one machine (cookies ignore ports) do not replace each other's. */
export function sessionCookieName(url: URL): string {
  return url.port ? `groundwork_console_${url.port}` : 'groundwork_console';
}

/**
 * Refuses a request whose `Host` (and URL, which an absolute request target sets) is not one the console answers:
 * a DNS-rebinding page reaches 127.0.0.1 under its own name, and is refused before anything else runs.
 */
export function hostGuard(access: ConsoleAccess): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const allowed = access.hosts();
    const answered = (host: string) => allowed.has(host) || (url.port === '' && allowed.has(host.replace(/:(80|443)$/, '')));
    const header = c.req.header('host')?.toLowerCase();
    for (const host of [header, url.host]) {
      if (host !== undefined && !answered(host)) {
        throw new GroundworkError('HOST_REJECTED', `the console does not answer for host "${host.slice(0, 100)}"`, {
          hint: `open it as ${[...allowed].join(', ')}; another name needs groundwork console --host NAME`,
        });
      }
    }
    await next();
  };
}

/** Refuses every `/api` request but the login without the launch's session cookie (401); a token in the query is not enough. */
export function sessionGuard(access: ConsoleAccess): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === LOGIN_PATH) return next();
    const cookie = getCookie(c, sessionCookieName(new URL(c.req.url)));
    if (cookie === undefined || !sameSecret(cookie, access.token)) {
      throw new GroundworkError('CONSOLE_UNAUTHENTICATED', cookie === undefined ? 'this request has no console session' : 'this console session is not valid', {
        hint: 'open the URL with the token that groundwork console printed (a new launch prints a new one)',
      });
    }
    await next();
  };
}

/** Sets the session cookie when `token` is this launch's: HttpOnly (no script reads it), SameSite=Strict, Secure over HTTPS. */
export function openSession(c: Context, access: ConsoleAccess, token: string): void {
  if (!sameSecret(token, access.token)) {
    throw new GroundworkError('CONSOLE_UNAUTHENTICATED', 'this token is not the one this console printed', {
      hint: 'open the URL with the token that groundwork console printed (a new launch prints a new one)',
    });
  }
  const url = new URL(c.req.url);
  setCookie(c, sessionCookieName(url), access.token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: url.protocol === 'https:' });
}

/**
 * Refuses a body over the limit before it is parsed: a declared `Content-Length` at once, a chunked body as soon as
 * its bytes pass the limit (the rest is never read). The import route takes up to 6 MB, every other one 64 KB.
 */
export function bodyLimits(): MiddlewareHandler {
  const refuse = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new GroundworkError('BODY_TOO_LARGE', `the request body is over ${limit / 1024} KB`, {
          hint: limit === IMPORT_BODY_LIMIT ? 'split the CSV into files of under 5 MB' : 'send a smaller body',
        });
      },
    });
  const large = refuse(IMPORT_BODY_LIMIT);
  const small = refuse(BODY_LIMIT);
  return (c, next) => (c.req.path === IMPORT_PATH ? large(c, next) : small(c, next));
}
