import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { findFreePort } from '../../src/sandbox/emulator.js';
import { seededRandom } from '../../src/sandbox/seeded-random.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  readonly target: string;
  /** Share of calls answered with a fault. @default 0 */
  readonly failureRate?: number;
  readonly seed?: number;
  /** Called with the running count of every request received. */
  readonly onRequest?: (count: number) => void;
  /** A deterministic fault: return an answer for the requests it should get (before forwarding), undefined to pass them on. */
  readonly answer?: (operation: string, body: string) => InjectedAnswer | undefined;
}

/** An answer the proxy gives instead of forwarding: an AWS error, or a recorded JSON response (JSON protocols only). */
export type InjectedAnswer =
  | {
      readonly status: number;
      /** The AWS error name (for example ConstraintViolationException). */
      readonly errorType: string;
      readonly message: string;
    }
  | { readonly status: 200; readonly json: unknown };

/** What the proxy saw. */
export interface FaultProxyStats {
  requests: number;
  faults: { throttled: number; failedBefore: number; failedAfter: number };
  /** Requests per AWS operation (X-Amz-Target or Action), for API-call counts. */
  readonly operations: Map<string, number>;
  /** Milliseconds the upstream spent per operation, summed. */
  readonly upstreamMs: Map<string, number>;
}

/** A running proxy. */
export interface FaultProxy {
  readonly endpoint: string;
  readonly stats: FaultProxyStats;
  close(): Promise<void>;
}

function operationOf(request: IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1];
  if (action) return action;
  return `${request.method} ${(request.url ?? '').split('?')[0]}`;
}

/**
 * An HTTP proxy between the SDK and the emulator that answers a seeded share of calls with faults:
 * throttling (JSON APIs) or a 500 before forwarding, and a 500 after forwarding (the call happened, the client does not know).
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = seededRandom(options.seed ?? 1);
  const failureRate = options.failureRate ?? 0;
  const stats: FaultProxyStats = { requests: 0, faults: { throttled: 0, failedBefore: 0, failedAfter: 0 }, operations: new Map(), upstreamMs: new Map() };
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    stats.requests++;
    const operation = operationOf(request, body.toString('utf8'));
    stats.operations.set(operation, (stats.operations.get(operation) ?? 0) + 1);
    options.onRequest?.(stats.requests);
    const injected = options.answer?.(operation, body.toString('utf8'));
    if (injected && 'json' in injected) {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(injected.json));
      return;
    }
    if (injected) {
      // Query-protocol services (STS, IAM) send forms and read XML errors; the others read JSON.
      if (String(request.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
        const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
        response.writeHead(injected.status, { 'content-type': 'text/xml' });
        response.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>${injected.errorType}</Code><Message>${xmlEscape(injected.message)}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
        );
        return;
      }
      response.writeHead(injected.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': injected.errorType });
      response.end(JSON.stringify({ __type: injected.errorType, message: injected.message }));
      return;
    }
    const json = String(request.headers['content-type'] ?? '').includes('x-amz-json');
    const roll = random();
    let mode = roll < failureRate ? (json && random() < 0.4 ? 'throttle' : random() < 0.5 ? 'before' : 'after') : 'pass';
    // The first faults go to the kinds not injected yet, so every run exercises all three (by chance alone, a short run
    // can miss one: seen once in CI, with no throttle among a dozen faults).
    if (mode !== 'pass') {
      if (json && stats.faults.throttled === 0) mode = 'throttle';
      else if (stats.faults.failedBefore === 0) mode = 'before';
      else if (stats.faults.failedAfter === 0) mode = 'after';
    }
    if (mode === 'throttle') {
      stats.faults.throttled++;
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'TooManyRequestsException' });
      response.end(JSON.stringify({ __type: 'TooManyRequestsException', message: 'Rate exceeded (injected by the test proxy)' }));
      return;
    }
    if (mode === 'before') {
      stats.faults.failedBefore++;
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('injected failure before forwarding');
      return;
    }
    const headers = { ...request.headers } as Record<string, string>;
    delete headers['content-length'];
    const sent = performance.now();
    const upstream = await fetch(`${options.target}${request.url}`, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
    });
    const upstreamBody = Buffer.from(await upstream.arrayBuffer());
    stats.upstreamMs.set(operation, (stats.upstreamMs.get(operation) ?? 0) + performance.now() - sent);
    if (mode === 'after') {
      stats.faults.failedAfter++;
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('injected failure after forwarding');
      return;
    }
    const outHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(key)) outHeaders[key] = value;
    });
    response.writeHead(upstream.status, outHeaders);
    response.end(upstreamBody);
  });
  const port = await findFreePort(0);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
