/**
 * The Idempotency-Key plugin over a fake store (the protocol against Kafka is the integration
 * suites'): every produce route honours the key, a won claim's records go through the lease and
 * its answer is the one kept, a replay answers as it was kept, and what the store refuses is
 * answered in the route's own error shape.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpError } from '../../../../src/errors.js';
import type { Begun, KeyedRequests, Lease } from '../../../../src/http/idempotency/idempotency-store.js';
import type { Delivery, OutgoingMessage } from '../../../../src/kafka/producer.js';
import { TransactionError } from '../../../../src/kafka/transaction-error.js';
import { buildTestApp, closeTestApps, post } from '../../../support/producer-app.js';

afterEach(closeTestApps);

class FakeStore implements KeyedRequests {
  readonly begun: Array<{ key: string; fp: string }> = [];
  readonly sent: OutgoingMessage[] = [];
  readonly kept: Array<{ status: number; contentType: string; body: string } | undefined> = [];
  next: (key: string) => Begun | Error = () => ({ kind: 'lease', lease: this.lease() });
  commitFails: TransactionError | undefined;

  lease(): Lease {
    return {
      member: {
        send: async (msgs) => {
          this.sent.push(...msgs);
          return msgs.map((m, i): Delivery => ({ topic: m.topic, partition: 0, offset: 100 + i, timestamp: 0 }));
        },
        finish: async () => undefined,
      },
      settle: async (answer) => {
        this.kept.push(answer);
        if (this.commitFails) throw this.commitFails;
      },
    };
  }

  async begin(key: string, fp: string): Promise<Begun> {
    this.begun.push({ key, fp });
    const r = this.next(key);
    if (r instanceof Error) throw r;
    return r;
  }
}

const routes: Array<{ url: string; body: string; type?: string }> = [
  { url: '/produce', body: JSON.stringify({ topic: 't', message: { n: 1 } }) },
  { url: '/produce/batch', body: JSON.stringify([{ topic: 't', message: { n: 1 } }]) },
  { url: '/api/v1/events/user', body: JSON.stringify({ data: { user_id: 'u', action: 'login' } }) },
  { url: '/topics/t', body: JSON.stringify({ records: [{ value: 1 }] }), type: 'application/vnd.kafka.json.v2+json' },
  { url: '/topics/t/partitions/1', body: JSON.stringify({ records: [{ value: 1 }] }), type: 'application/vnd.kafka.json.v2+json' },
  { url: '/v3/clusters/c/topics/t/records', body: '{"value":{"type":"JSON","data":1}}' },
  { url: '/v3/clusters/c/topics/t/records:batch', body: JSON.stringify({ entries: [{ id: '1', value: { type: 'JSON', data: 1 } }] }) },
];

describe('the Idempotency-Key plugin', () => {
  it.each(routes)('$url: the records go through the lease, and the answer sent is the one kept', async (r) => {
    const store = new FakeStore();
    const { app, publisher } = await buildTestApp({ idempotency: store });
    const res = await post(app, r.url, r.body, { 'idempotency-key': '"k-1"', ...(r.type ? { 'content-type': r.type } : {}) });
    expect(res.statusCode).toBeLessThan(300);
    expect(store.begun).toEqual([{ key: 'k-1', fp: expect.any(String) }]);
    expect(store.sent.length).toBeGreaterThan(0);
    expect(publisher.sent).toEqual([]);
    expect(store.kept).toEqual([{ status: res.statusCode, contentType: String(res.headers['content-type']), body: res.body }]);
  });

  it.each(routes)('$url: a replay is answered as kept, and nothing is produced', async (r) => {
    const store = new FakeStore();
    store.next = () => ({
      kind: 'replay',
      answer: { fp: 'f', status: 207, contentType: 'application/json; charset=utf-8', body: '{"kept":true}', at: 0, nonce: 'n' },
    });
    const { app, publisher } = await buildTestApp({ idempotency: store });
    const res = await post(app, r.url, r.body, { 'idempotency-key': 'k-2', ...(r.type ? { 'content-type': r.type } : {}) });
    expect([res.statusCode, res.body, res.headers['idempotent-replayed']]).toEqual([207, '{"kept":true}', 'true']);
    expect([store.sent, publisher.sent]).toEqual([[], []]);
  });

  it("the store's 409 is answered in the route's own shape, with Retry-After", async () => {
    const store = new FakeStore();
    store.next = (key) => HttpError.of('idempotency-in-progress', `a request with Idempotency-Key ${key} is still in progress`);
    const { app } = await buildTestApp({ idempotency: store });
    const ours = await post(app, '/produce', routes[0]?.body ?? '', { 'idempotency-key': 'k' });
    expect([ours.statusCode, ours.headers['retry-after'], ours.json().error.code]).toEqual([409, '1', 'SF_IDEMPOTENCY_IN_PROGRESS']);
    const v2 = await post(app, '/topics/t', routes[3]?.body ?? '', {
      'idempotency-key': 'k',
      'content-type': 'application/vnd.kafka.json.v2+json',
    });
    expect([v2.statusCode, v2.json().error_code]).toEqual([409, 40901]);
  });

  it('a commit that fails is answered as the failure, not as the records it would have written', async () => {
    const store = new FakeStore();
    store.commitFails = new TransactionError('aborted', 'the transaction was aborted');
    const { app } = await buildTestApp({ idempotency: store });
    const aborted = await post(app, '/produce', routes[0]?.body ?? '', { 'idempotency-key': 'k' });
    expect([aborted.statusCode, aborted.json().outcome]).toEqual([503, 'not_written']);
    store.commitFails = new TransactionError('unknown', 'no answer');
    const unknown = await post(app, '/produce', routes[0]?.body ?? '', { 'idempotency-key': 'k2' });
    expect([unknown.statusCode, unknown.json().outcome]).toEqual([504, 'unknown']);
  });

  it('requests without the header, and routes that write nothing, never reach the store', async () => {
    const store = new FakeStore();
    const { app, publisher } = await buildTestApp({ idempotency: store });
    expect((await post(app, '/produce', routes[0]?.body ?? '')).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health', headers: { 'idempotency-key': 'k' } })).statusCode).toBe(200);
    expect(store.begun).toEqual([]);
    expect(publisher.sent).toHaveLength(1);
  });

  it('a server with --no-idempotency refuses the header (400) instead of ignoring it', async () => {
    const { app, publisher } = await buildTestApp();
    const res = await post(app, '/produce', routes[0]?.body ?? '', { 'idempotency-key': 'k' });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'SF_HTTP_VALIDATION']);
    expect(publisher.sent).toEqual([]);
  });

  it('the fingerprint covers the path as sent: the same body to another topic is another request', async () => {
    const store = new FakeStore();
    const { app } = await buildTestApp({ idempotency: store });
    const v2 = { 'idempotency-key': 'k', 'content-type': 'application/vnd.kafka.json.v2+json' };
    await post(app, '/topics/a', routes[3]?.body ?? '', v2);
    await post(app, '/topics/b', routes[3]?.body ?? '', v2);
    await post(app, '/topics/b', routes[3]?.body ?? '', v2);
    const [a, b, again] = store.begun.map((x) => x.fp);
    expect(a).not.toBe(b);
    expect(again).toBe(b);
  });

  it('a keyed v3 body read whole is bounded by --body-limit (413), claiming nothing', async () => {
    const store = new FakeStore();
    const { app } = await buildTestApp({ idempotency: store });
    const big = JSON.stringify({ value: { type: 'JSON', data: 'x'.repeat(1024 * 1024 + 10) } });
    const res = await post(app, '/v3/clusters/c/topics/t/records', big, { 'idempotency-key': 'k' });
    expect(res.statusCode).toBe(413);
    expect(store.begun).toEqual([]);
  });
});
