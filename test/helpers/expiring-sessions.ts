import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { findFreePort } from '../../src/sandbox/emulator.js';

/**
 * A proxy in front of the emulator whose sessions really expire. moto accepts any DurationSeconds and never refuses a
 * credential, so this proxy does what STS and every service do with sessions: STS's DurationSeconds limits (900 to
 * 43,200 s, at most 3,600 s for a session assumed with a role session's credentials: role chaining), an expired web
 * identity token (ExpiredTokenException), and any call signed with a session past its Expiration (ExpiredToken /
 * ExpiredTokenException, the codes and message AWS answers). Time runs faster here: a session of D seconds lasts
 * D × `msPerSessionSecond` milliseconds, and the Expiration STS answers is that instant, so the caller sees the truth.
 */
export interface ExpiringSessions {
  readonly endpoint: string;
  /** STS calls, in order: the action and the DurationSeconds asked. */
  readonly issued: { action: string; durationSeconds: number; accessKeyId: string }[];
  /** Calls refused because their session had expired (operation names). */
  readonly refused: string[];
  close(): Promise<void>;
}

const EXPIRED_MESSAGE = 'The security token included in the request is expired';

function operationOf(request: IncomingMessage, body: string): { operation: string; query: boolean } {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return { operation: target.split('.').pop() ?? target, query: false };
  const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1];
  return { operation: action ?? `${request.method} ${request.url}`, query: Boolean(action) };
}

function formValue(body: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|&)${name}=([^&]*)`).exec(body);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1].replace(/\+/g, ' '));
}

function refuse(response: ServerResponse, query: boolean, status: number, code: string, message: string): void {
  if (query) {
    response.writeHead(status, { 'content-type': 'text/xml' });
    response.end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  } else {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code });
    response.end(JSON.stringify({ __type: code, message }));
  }
}

/** Starts the proxy on loopback, forwarding to `target` (the emulator, or a proxy with recorded answers in front of it). */
export async function startExpiringSessions(options: { target: string; msPerSessionSecond: number }): Promise<ExpiringSessions> {
  /** Sessions this proxy saw STS issue: access key → when it expires (ms) and whether it is a role session. */
  const sessions = new Map<string, { expiresAt: number }>();
  const issued: ExpiringSessions['issued'] = [];
  const refused: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { operation, query } = operationOf(request, body);
    const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
    const session = accessKeyId ? sessions.get(accessKeyId) : undefined;
    // STS answers ExpiredToken (query protocol), the JSON services ExpiredTokenException; both 400.
    if (session && Date.now() >= session.expiresAt) {
      refused.push(operation);
      return refuse(response, query, 400, query ? 'ExpiredToken' : 'ExpiredTokenException', EXPIRED_MESSAGE);
    }
    let durationSeconds = 0;
    if (operation === 'AssumeRole' || operation === 'AssumeRoleWithWebIdentity') {
      durationSeconds = Number(formValue(body, 'DurationSeconds') ?? '3600');
      if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
        return refuse(
          response,
          true,
          400,
          'ValidationError',
          `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${durationSeconds < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'}`,
        );
      }
      if (operation === 'AssumeRole' && session && durationSeconds > 3600) {
        return refuse(
          response,
          true,
          400,
          'ValidationError',
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      if (operation === 'AssumeRoleWithWebIdentity') {
        const token = formValue(body, 'WebIdentityToken') ?? '';
        const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { exp?: number };
        if (!claims.exp || claims.exp * 1000 <= Date.now()) {
          return refuse(response, true, 400, 'ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time');
        }
      }
    }
    const upstream = await fetch(new URL(request.url ?? '/', options.target), {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).flatMap(([k, v]) => (k === 'host' || k === 'content-length' || v === undefined ? [] : [[k, String(v)]])),
      ),
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
    });
    let text = await upstream.text();
    if (durationSeconds > 0 && upstream.ok) {
      const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
      const expiresAt = Date.now() + durationSeconds * options.msPerSessionSecond;
      if (key) {
        sessions.set(key, { expiresAt });
        issued.push({ action: operation, durationSeconds, accessKeyId: key });
      }
      text = text.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(expiresAt).toISOString()}</Expiration>`);
    }
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) headers[name] = value;
    });
    response.writeHead(upstream.status, headers);
    response.end(text);
  });
  const port = await findFreePort(0);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    issued,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
