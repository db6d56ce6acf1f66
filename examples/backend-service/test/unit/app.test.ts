import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/app.ts';

describe('the example backend', () => {
  const server = createApp();
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('answers its health check', async () => {
    const response = await fetch(`${base}/health`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'ok');
  });

  it('creates an item and lists it', async () => {
    const created = await fetch(`${base}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: ' first ' }),
    });
    assert.equal(created.status, 201);
    const item = (await created.json()) as { id: string; name: string };
    assert.equal(item.name, 'first');
    const list = (await (await fetch(`${base}/api/items`)).json()) as { items: { id: string }[] };
    assert.deepEqual(
      list.items.map((i) => i.id),
      [item.id],
    );
  });

  it('refuses a missing name, a bad body and an unknown route with a JSON error', async () => {
    const missing = await fetch(`${base}/api/items`, { method: 'POST', body: '{}' });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'INVALID_NAME');
    assert.equal((await fetch(`${base}/api/items`, { method: 'POST', body: 'not json' })).status, 400);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });
});
