/**
 * The shutdown drain on a real socket (no broker: the publisher is held by the test, as Kafka
 * holds an acknowledgement): a request in flight gets its answer before the server closes.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { buildTestApp, closeTestApps } from '../../../support/producer-app.js';

afterEach(closeTestApps);

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('app.drain()', () => {
  it('waits until a request in flight has its answer, then closes; nothing in flight after', async () => {
    const { app, publisher } = await buildTestApp();
    let release: () => void = () => undefined;
    publisher.hold = new Promise((r) => (release = r));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/produce`;
    const answer = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 't', message: { n: 1 } }),
    });
    while (publisher.held === 0) await ticks(1);
    expect(app.activeRequests()).toBe(1);

    let drained = false;
    const drain = app.drain().then(() => (drained = true));
    await ticks(20);
    // still waiting for the acknowledgement: the server has not dropped the request
    expect(drained).toBe(false);
    expect(app.activeRequests()).toBe(1);

    release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, topic: 't', offset: 0 });
    await drain;
    expect(app.activeRequests()).toBe(0);
    expect(publisher.sent).toHaveLength(1);
    await expect(fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).rejects.toThrow();
  });
});
