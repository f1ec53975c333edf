/**
 * The shutdown drain on a real socket (no broker: the publisher is held by the test, as Kafka
 * holds an acknowledgement): a request in flight gets its answer before the server closes.
 */
import { connect, type AddressInfo } from 'node:net';
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

  it('holds --read-timeout while it drains (Node no longer does once the server closes): a body still arriving is answered 408', async () => {
    const { app } = await buildTestApp({ requestTimeoutMs: 300 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write('POST /produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    while (app.activeRequests() === 0) await ticks(1);
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    const drained = app.drain();
    await closed;
    clearInterval(drip);
    await drained;
    // before: held until the shutdown's own deadline, then cut off without an answer
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(received.split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: { code: 'SF_HTTP_TIMEOUT' } });
  });
});
