/**
 * librdkafka's own "Local: Queue full" against the real broker: one row of the failure table
 * (errors.ts) makes it the 429 with Retry-After that serve-producer's in-flight budget answers,
 * on every produce route, in each route family's own error shape.
 *
 * The queue is full deterministically, not by racing a flood: librdkafka's queue may hold 1 KiB
 * (-X queue.buffering.max.kbytes=1), and librdkafka refuses a record that would pass its bound
 * even when the queue is empty, so every record of 2 KiB meets "Queue full" while small ones go
 * through. (Holding a record in a queue of one message, -X queue.buffering.max.messages=1, needs
 * a record the broker keeps retrying; on one broker, Kafka 4 delivered even to a topic with
 * min.insync.replicas=2 within 30 ms.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import type { RunningServer } from '../support/http-server.js';
import { postJson, startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const topic = `qf-${randomBytes(4).toString('hex')}`;
/** larger than librdkafka's whole queue in this server */
const big = 'x'.repeat(2048);
let server: RunningServer;

beforeAll(async () => {
  await createTopic(broker, topic, 1);
  server = await startProducerServer(['--topic', topic, '-X', 'queue.buffering.max.kbytes=1'], { ...broker });
});

afterAll(() => server?.process.kill('SIGKILL'));

const v2 = (path: string, records: unknown[]) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': JSON_V2 }, body: JSON.stringify({ records }) });

describe("librdkafka's full queue is a 429 with Retry-After on every produce route (real broker)", () => {
  it("streamforge's routes: /produce and /api/v1/events/user 429 in our shape, /produce/batch 207 with each item's 429", async () => {
    for (const path of ['/produce', '/api/v1/events/user']) {
      const res = await postJson(`${server.url}${path}`, path === '/produce' ? { topic, message: big } : { data: { big } });
      expect([path, res.status, res.headers.get('retry-after')]).toEqual([path, 429, '1']);
      expect(res.body).toMatchObject({ success: false, outcome: 'not_written', error: { code: 'SF_HTTP_BUSY' } });
      expect((res.body.error as { message: string }).message).toMatch(/local producer queue is full/);
    }
    const batch = await postJson(`${server.url}/produce/batch`, [
      { topic, message: big },
      { topic, message: 'small' },
    ]);
    expect(batch.status).toBe(207);
    expect(batch.body.results).toEqual([
      expect.objectContaining({ status: 429, outcome: 'not_written', error: expect.objectContaining({ code: 'SF_HTTP_BUSY' }) }),
      expect.objectContaining({ status: 200, offset: 0 }),
    ]);
  });

  it("the gateways' routes: v2 and v3 429 with Retry-After and error_code 42901; v3's batch reports 42901 per entry", async () => {
    for (const path of [`/topics/${topic}`, `/topics/${topic}/partitions/0`]) {
      const res = await v2(path, [{ value: big }, { value: big }]);
      expect([path, res.status, res.headers.get('retry-after'), res.headers.get('content-type')]).toEqual([
        path,
        429,
        '1',
        expect.stringMatching(/^application\/vnd\.kafka\.v2\+json/),
      ]);
      expect(await res.json()).toEqual({ error_code: 42901, message: expect.stringMatching(/queue is full/) });
    }
    const mixed = (await (await v2(`/topics/${topic}`, [{ value: big }, { value: 'small' }])).json()) as { offsets: unknown[] };
    expect(mixed.offsets).toEqual([
      expect.objectContaining({ offset: null, error_code: 50003, error: expect.stringMatching(/queue is full/) }),
      expect.objectContaining({ offset: 1, error_code: null }),
    ]);
    const v3 = await postJson(`${server.url}/v3/clusters/any/topics/${topic}/records`, { value: { type: 'STRING', data: big } });
    expect([v3.status, v3.headers.get('retry-after'), v3.body.error_code]).toEqual([429, '1', 42901]);
    const lines = await fetch(`${server.url}/v3/clusters/any/topics/${topic}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"value":{"type":"STRING","data":"${big}"}}\n{"value":{"type":"STRING","data":"${big}"}}`,
    });
    const reports = (await lines.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { error_code: number });
    expect(reports.map((r) => r.error_code)).toEqual([42901, 42901]);
    const batch = await postJson(`${server.url}/v3/clusters/any/topics/${topic}/records:batch`, {
      entries: [
        { id: 'a', value: { type: 'STRING', data: big } },
        { id: 'b', value: { type: 'STRING', data: big } },
      ],
    });
    expect(batch.status).toBe(207);
    expect(batch.body).toMatchObject({
      successes: [],
      failures: [
        { id: 'a', error_code: 42901 },
        { id: 'b', error_code: 42901 },
      ],
    });
  });

  it("only the small records were written (/produce's string as it is, v2's as JSON); every produce route documents the 429", async () => {
    expect((await readTopic(broker, topic)).map((r) => r.payload)).toEqual(['small', '"small"']);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const produceRoutes = Object.entries(doc.paths).filter(
      ([path, ops]) => ops.post && (path.startsWith('/produce') || path.startsWith('/api/v1/events') || /\/topics\/\{topic\}/.test(path)),
    );
    expect(produceRoutes.length).toBeGreaterThanOrEqual(8);
    for (const [path, ops] of produceRoutes)
      expect([path, Object.keys(ops.post?.responses ?? {})]).toEqual([path, expect.arrayContaining(['429'])]);
  });
});
