import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

/**
 * The example backend: `GET /health`, `GET /api/items`, `POST /api/items {"name"}`. Items live in memory: it is the
 * service the delivery workflows test, build and deploy, not a product.
 */
export function createApp(): Server {
  const items: Item[] = [];
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (request.method === 'GET' && url.pathname === '/health') return send(response, 200, { status: 'ok', version: VERSION });
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
