/**
 * Idempotency-Key against the real broker: a repeat on every produce route gets the first
 * answer (Idempotent-Replayed) and the topic holds the records once (read with kcat, which reads
 * read_committed); another request with the key 422, concurrent ones one 200 and 409s or the
 * same 200; two replicas share their keys; a key expires; a claim whose holder went silent is
 * taken over (after fencing its transactional id), a young one is not; a replica restarted
 * under the same id takes its own claims back at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import Kafka from 'node-rdkafka';
import { requireBroker } from '../support/broker.js';
import { type CliProcess } from '../support/cli-process.js';
import { postJson, startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';
import { fingerprintOf } from '../../src/http/idempotency/fingerprint.js';
import { encodeClaim } from '../../src/http/idempotency/table-records.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

async function server(prefix: string, args: string[] = []) {
  const s = await startProducerServer(['--no-enrich', '--workers', '1', '--idempotency-topic', prefix, ...args], { ...broker });
  running.push(s.process);
  return s;
}

const keyed = (key: string) => ({ 'idempotency-key': `"${key}"` });

/** Writes a record the way another replica would (a plain producer of our own). */
async function writeRecord(topic: string, key: string, value: string): Promise<void> {
  const producer = new Kafka.Producer({ 'bootstrap.servers': broker.KAFKA_BOOTSTRAP_SERVERS ?? '', dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(10);
  await new Promise<void>((resolve, reject) => {
    producer.once('delivery-report', (err) => (err ? reject(err) : resolve()));
    producer.produce(topic, null, Buffer.from(value), key);
  });
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
}

describe('Idempotency-Key', () => {
  it('a repeat on every produce route gets the first answer, and the records are in Kafka once', async () => {
    const topic = unique('idem-routes');
    await createTopic(broker, topic, 3);
    const { url } = await server(unique('idem'));
    const v2 = { 'content-type': 'application/vnd.kafka.json.v2+json' };
    const cases: Array<{ path: string; body: string; headers?: Record<string, string>; records: number }> = [
      { path: '/produce', body: JSON.stringify({ topic, key: 'a', message: { n: 1 } }), records: 1 },
      {
        path: '/produce/batch',
        body: JSON.stringify([
          { topic, message: { n: 2 } },
          { topic, message: { n: 3 } },
          { topic: 'no-such-topic-x', message: {} },
        ]),
        records: 2,
      },
      { path: `/topics/${topic}`, body: JSON.stringify({ records: [{ value: { n: 4 } }, { value: { n: 5 } }] }), headers: v2, records: 2 },
      {
        path: `/v3/clusters/any/topics/${topic}/records`,
        body: '{"value":{"type":"JSON","data":{"n":6}}}{"value":{"type":"JSON","data":{"n":7}}}',
        records: 2,
      },
      {
        path: `/v3/clusters/any/topics/${topic}/records:batch`,
        body: JSON.stringify({ entries: [{ id: 'a', value: { type: 'JSON', data: { n: 8 } } }] }),
        records: 1,
      },
    ];
    for (const c of cases) {
      const key = randomUUID();
      const first = await postJson(`${url}${c.path}`, c.body, { ...keyed(key), ...(c.headers ?? {}) });
      expect([200, 207]).toContain(first.status);
      for (let i = 0; i < 2; i++) {
        const again = await postJson(`${url}${c.path}`, c.body, { ...keyed(key), ...(c.headers ?? {}) });
        expect(again.status).toBe(first.status);
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      }
      expect(first.headers.get('idempotent-replayed')).toBeNull();
    }
    const ns = (await readTopic(broker, topic)).map((r) => (JSON.parse(r.payload ?? 'null') as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // typed events too
    const key = randomUUID();
    const event = { data: { user_id: 'u1', action: 'login' } };
    const e1 = await postJson(`${url}/api/v1/events/user`, event, keyed(key));
    const e2 = await postJson(`${url}/api/v1/events/user`, event, keyed(key));
    expect(e1.status).toBe(200);
    expect(e2.body).toEqual(e1.body);
  });

  it('refuses another request with a used key (422), bad keys, ?async=true and streamed v3 bodies (400), writing nothing', async () => {
    const topic = unique('idem-refuse');
    await createTopic(broker, topic, 1);
    const { url } = await server(unique('idem'));
    const key = randomUUID();
    expect((await postJson(`${url}/produce`, { topic, message: { n: 1 } }, keyed(key))).status).toBe(200);
    const other = await postJson(`${url}/produce`, { topic, message: { n: 2 } }, keyed(key));
    expect(other.status).toBe(422);
    expect((other.body.error as { code: string }).code).toBe('SF_IDEMPOTENCY_KEY_REUSED');
    // the same body on another route is another request
    expect((await postJson(`${url}/produce/batch`, [{ topic, message: { n: 1 } }], keyed(key))).status).toBe(422);
    for (const bad of ['""', '"unclosed', 'x'.repeat(256), 'caf\u00e9']) {
      const r = await postJson(`${url}/produce`, { topic, message: { n: 3 } }, { 'idempotency-key': bad });
      expect([r.status, bad]).toEqual([400, bad]);
      expect(r.body.detail).toMatch(/Idempotency-Key/);
    }
    const async = await postJson(
      `${url}/topics/${topic}?async=true`,
      { records: [{ value: { n: 4 } }] },
      {
        ...keyed(randomUUID()),
        'content-type': 'application/vnd.kafka.json.v2+json',
      },
    );
    expect(async.status).toBe(400);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/v3/clusters/any/topics/${topic}/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...keyed(randomUUID()) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"value":{"type":"JSON","data":{"n":5}}}');
    });
    expect(chunked).toBe(400);
    const ns = (await readTopic(broker, topic)).map((r) => (JSON.parse(r.payload ?? 'null') as { n: number }).n);
    expect(ns).toEqual([1]);
  });

  it('concurrent requests with one key: one is served, the rest get 409 or its answer, and one record is written', async () => {
    const topic = unique('idem-race');
    await createTopic(broker, topic, 1);
    const prefix = unique('idem');
    const a = await server(prefix, ['--replica-id', 'a']);
    const b = await server(prefix, ['--replica-id', 'b']);
    // both started: their first keyed requests start the idempotency parts
    await postJson(`${a.url}/produce`, { topic, message: { warm: 'a' } }, keyed(randomUUID()));
    await postJson(`${b.url}/produce`, { topic, message: { warm: 'b' } }, keyed(randomUUID()));
    const key = randomUUID();
    const body = { topic, message: { n: 1 } };
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => postJson(`${(i % 2 ? a : b).url}/produce`, body, keyed(key))));
    const ok = answers.filter((r) => r.status === 200);
    expect(answers.filter((r) => r.status !== 200 && r.status !== 409)).toEqual([]);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok)
      expect({ partition: r.body.partition, offset: r.body.offset }).toEqual({
        partition: ok[0]?.body.partition,
        offset: ok[0]?.body.offset,
      });
    // once served, every replica answers it, the other one included
    for (const s of [a, b]) {
      for (let i = 0; ; i++) {
        const r = await postJson(`${s.url}/produce`, body, keyed(key));
        if (r.status === 200) {
          expect(r.body.offset).toBe(ok[0]?.body.offset);
          break;
        }
        expect(r.status).toBe(409);
        expect(i).toBeLessThan(100);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    const written = (await readTopic(broker, topic)).filter((r) => (JSON.parse(r.payload ?? '{}') as { n?: number }).n === 1);
    expect(written).toHaveLength(1);
  });

  it('a key expires after --idempotency-ttl: the same request then writes again', async () => {
    const topic = unique('idem-ttl');
    await createTopic(broker, topic, 1);
    const { url } = await server(unique('idem'), ['--idempotency-ttl', '1s']);
    const key = randomUUID();
    const first = await postJson(`${url}/produce`, { topic, message: { n: 1 } }, keyed(key));
    await new Promise((r) => setTimeout(r, 1500));
    const later = await postJson(`${url}/produce`, { topic, message: { n: 1 } }, keyed(key));
    expect([first.status, later.status]).toEqual([200, 200]);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.offset).not.toBe(first.body.offset);
    expect(await readTopic(broker, topic)).toHaveLength(2);
  });

  it('takes over a claim whose holder went silent (fencing its transactional id), not a young one; a restarted replica takes its own back at once', async () => {
    const topic = unique('idem-takeover');
    await createTopic(broker, topic, 1);
    const prefix = unique('idem');
    const { url } = await server(prefix, ['--replica-id', 'r1', '--idempotency-transaction-timeout', '2s']);
    await postJson(`${url}/produce`, { topic, message: { warm: 1 } }, keyed(randomUUID()));
    const body = JSON.stringify({ topic, message: { n: 1 } });
    const fp = fingerprintOf('POST', '/produce', 'application/json', body);
    const claim = (owner: string, at: number) => encodeClaim({ fp, owner, nonce: `${randomUUID()}.0`, at });
    // a claim by a replica that is gone, 8 s old (past 2 s + 5 s)
    const silent = randomUUID();
    await writeRecord(`${prefix}-claims`, silent, claim(`${prefix}-gone-0`, Date.now() - 8000));
    // a claim made just now by a replica that is still working on it
    const young = randomUUID();
    await writeRecord(`${prefix}-claims`, young, claim(`${prefix}-busy-0`, Date.now()));
    // this replica's own claim from its previous life
    const own = randomUUID();
    await writeRecord(`${prefix}-claims`, own, claim(`${prefix}-r1-0`, Date.now()));
    await new Promise((r) => setTimeout(r, 500));
    const took = await postJson(`${url}/produce`, body, keyed(silent));
    expect(took.status).toBe(200);
    const busy = await postJson(`${url}/produce`, body, keyed(young));
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    const mine = await postJson(`${url}/produce`, body, keyed(own));
    expect(mine.status).toBe(200);
    expect((await readTopic(broker, topic)).filter((r) => (JSON.parse(r.payload ?? '{}') as { n?: number }).n === 1)).toHaveLength(2);
  });
});
