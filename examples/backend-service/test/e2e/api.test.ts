import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// Runs against a deployed instance: BASE_URL is set by the delivery workflow (staging) or by whoever runs it.
const base = process.env.BASE_URL;
if (!base) throw new Error('BASE_URL is not set: point it at a running instance, for example BASE_URL=http://127.0.0.1:8080 npm run test:e2e');

describe(`the backend at ${base}`, () => {
  it('is healthy', async () => {
    const response = await fetch(`${base}/health`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'ok');
  });

  it('keeps an item it created', async () => {
    const name = `e2e-${Date.now()}`;
    const created = await fetch(`${base}/api/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    assert.equal(created.status, 201);
    const list = (await (await fetch(`${base}/api/items`)).json()) as { items: { name: string }[] };
    assert.ok(list.items.some((i) => i.name === name));
  });
});
