import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { CognitoJwtInvalidGroupError, JwtInvalidScopeError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';

/** One item of the example API. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The version shown by /health: the image's build argument, or "dev". */
const VERSION = process.env.VERSION ?? 'dev';

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage, limitBytes = 16_384): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Where access tokens come from: the environment's Cognito pool and its SPA client (the auth template's outputs). */
export interface AuthOptions {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Signing keys to use instead of fetching the pool's published ones (tests). */
  readonly jwks?: Jwks;
}

/** The auth settings from the environment (COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID), or none. */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions | undefined {
  return env.COGNITO_USER_POOL_ID && env.COGNITO_CLIENT_ID ? { userPoolId: env.COGNITO_USER_POOL_ID, clientId: env.COGNITO_CLIENT_ID } : undefined;
}

/** Verifies a request's bearer access token: issuer (the pool), token use, client, expiry, signature, scope, groups. */
function verifierFor(auth: AuthOptions) {
  const options = { userPoolId: auth.userPoolId, tokenUse: 'access' as const, clientId: auth.clientId };
  const reader = CognitoJwtVerifier.create({ ...options, scope: 'backend-service/read' });
  const admin = CognitoJwtVerifier.create({ ...options, groups: 'admins' });
  if (auth.jwks) {
    reader.cacheJwks(auth.jwks);
    admin.cacheJwks(auth.jwks);
  }
  return { reader, admin };
}

/**
 * The example backend: `GET /health`, `GET /api/items`, `POST /api/items {"name"}`, and, with a Cognito pool
 * configured, `GET /api/me` (a valid access token with the `backend-service/read` scope) and `GET /api/admin` (one of
 * the `admins` group). Items live in memory: it is the service the delivery workflows test, build and deploy, not a
 * product.
 */
export function createApp(options: { auth?: AuthOptions } = {}): Server {
  const items: Item[] = [];
  const verifiers = options.auth ? verifierFor(options.auth) : undefined;
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (request.method === 'GET' && url.pathname === '/health') return send(response, 200, { status: 'ok', version: VERSION });
      if (request.method === 'GET' && (url.pathname === '/api/me' || url.pathname === '/api/admin')) {
        if (!verifiers) return send(response, 503, { error: { code: 'AUTH_NOT_CONFIGURED', message: 'set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID' } });
        const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
        if (!token) return send(response, 401, { error: { code: 'UNAUTHORIZED', message: 'send an access token: Authorization: Bearer TOKEN' } });
        try {
          const claims = await (url.pathname === '/api/admin' ? verifiers.admin : verifiers.reader).verify(token);
          return send(response, 200, { sub: claims.sub, username: claims.username, scope: claims.scope, groups: claims['cognito:groups'] ?? [] });
        } catch (error) {
          const forbidden = error instanceof JwtInvalidScopeError || error instanceof CognitoJwtInvalidGroupError;
          return send(response, forbidden ? 403 : 401, { error: { code: forbidden ? 'FORBIDDEN' : 'UNAUTHORIZED', message: (error as Error).message } });
        }
      }
      if (url.pathname === '/api/items' && request.method === 'GET') return send(response, 200, { items });
      if (url.pathname === '/api/items' && request.method === 'POST') {
        const body = (await readJson(request)) as { name?: unknown };
        if (typeof body?.name !== 'string' || body.name.trim() === '' || body.name.length > 100) {
          return send(response, 400, { error: { code: 'INVALID_NAME', message: 'name must be a string of 1-100 characters' } });
        }
        const item: Item = { id: randomUUID(), name: body.name.trim(), createdAt: new Date().toISOString() };
        items.push(item);
        return send(response, 201, item);
      }
      return send(response, 404, { error: { code: 'NOT_FOUND', message: `no route ${request.method} ${url.pathname}` } });
    } catch {
      return send(response, 400, { error: { code: 'BAD_REQUEST', message: 'the body must be JSON of at most 16 KiB' } });
    }
  });
}
