/**
 * The gateway dialects against the real broker: what a REST Proxy v2 / Strimzi Bridge client
 * and a REST Proxy v3 client send, answered field by field, and read back with kcat (an
 * independent client) to check that every offset in an answer is the record's real one. The
 * cluster id is checked against Kafka's own ClusterTool.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(60_000);
const broker = requireBroker('plaintext');
const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

let server: RunningServer;
let clusterId: string;
const topic = `kr-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  await createTopic(broker, topic, 3);
  // a produce timeout far longer than any answer here: a 404 that comes back is the metadata's
  server = await startProducerServer(['--produce-timeout', '60s', '--batch-limit', '500'], { ...broker });
  const out = execFileSync(
    'java',
    [
      '-cp',
      `${projectRoot}/.kafka/libs/*`,
      'org.apache.kafka.tools.ClusterTool',
      'cluster-id',
      '--bootstrap-server',
      broker.KAFKA_BOOTSTRAP_SERVERS ?? '',
    ],
    { encoding: 'utf8' },
  );
  clusterId = /Cluster ID: (\S+)/.exec(out)?.[1] ?? 'not found';
}, 120_000);
afterAll(() => server?.process.kill('SIGKILL'));

async function call(method: string, path: string, body?: unknown, type?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    headers: type ? { 'content-type': type } : {},
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    json: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

/** The records at these offsets, as kcat reads them, with headers as [key, value] pairs. */
async function landed(at: ReadonlyArray<{ partition: number; offset: number }>) {
  const all = await readTopic(broker, topic);
  return at.map((o) => {
    const r = all.find((x) => x.partition === o.partition && x.offset === o.offset) as unknown as {
      key: string | null;
      payload: string | null;
      ts: number;
      headers?: string[];
    };
    const h = r?.headers ?? [];
    return {
      key: r?.key,
      payload: r?.payload,
      ts: r?.ts,
      headers: Array.from({ length: h.length / 2 }, (_, i) => [h[2 * i], h[2 * i + 1]]),
    };
  });
}

describe('REST Proxy v2 / Strimzi Bridge', () => {
  it('json records: every offset in the answer is where kcat finds the record, key, value, headers and timestamp as sent', async () => {
    const res = await call(
      'POST',
      `/topics/${topic}`,
      {
        records: [
          { key: 'order-42', value: { amount: 5, items: ['a'] } },
          {
            value: 'a string',
            headers: [
              { key: 'trace', value: b64('t-1') },
              { key: 'trace', value: b64('t-2') },
            ],
            timestamp: 1764670000000,
          },
          { key: 'gone', value: null, partition: 2 },
        ],
      },
      JSON_V2,
    );
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/vnd\.kafka\.v2\+json/);
    const offsets = res.json.offsets as Array<{ partition: number; offset: number; error_code: null; error: null }>;
    expect(offsets).toHaveLength(3);
    for (const o of offsets)
      expect(o).toEqual({ partition: expect.any(Number), offset: expect.any(Number), error_code: null, error: null });
    expect(res.json.key_schema_id).toBeNull();
    expect(res.json.value_schema_id).toBeNull();
    expect(offsets[2]?.partition).toBe(2);
    const [a, b, c] = await landed(offsets);
    expect(a).toMatchObject({ key: '"order-42"', payload: '{"amount":5,"items":["a"]}', headers: [] });
    expect(b).toMatchObject({
      key: null,
      payload: '"a string"',
      ts: 1764670000000,
      headers: [
        ['trace', 't-1'],
        ['trace', 't-2'],
      ],
    });
    // a tombstone: no value at all, which kcat prints as null
    expect(c).toMatchObject({ key: '"gone"', payload: null });
  });

  it('binary records to a path partition: the bytes exactly; a record partition overrides the path', async () => {
    const bytes = Buffer.from([0x00, 0x01, 0x7f, 0x41]);
    const res = await call(
      'POST',
      `/topics/${topic}/partitions/1`,
      {
        records: [
          { key: b64('k'), value: b64(bytes) },
          { value: b64('x'), partition: 0 },
        ],
      },
      BINARY_V2,
    );
    expect(res.status).toBe(200);
    const offsets = res.json.offsets as Array<{ partition: number; offset: number }>;
    expect(offsets.map((o) => o.partition)).toEqual([1, 0]);
    const [a, b] = await landed(offsets);
    expect(Buffer.from(a?.payload ?? '', 'utf8')).toEqual(bytes);
    expect(a?.key).toBe('k');
    expect(b?.payload).toBe('x');
  });

  it('text records stored as they are', async () => {
    const res = await call('POST', `/topics/${topic}`, { records: [{ value: 'line one' }] }, 'application/vnd.kafka.text.v2+json');
    expect(res.status).toBe(200);
    const [a] = await landed(res.json.offsets as Array<{ partition: number; offset: number }>);
    expect(a?.payload).toBe('line one');
  });

  it('an unknown topic: 404/40401 from metadata, long before the 60 s produce timeout', async () => {
    const missing = `kr-missing-${randomBytes(4).toString('hex')}`;
    const res = await call('POST', `/topics/${missing}`, { records: [{ value: 1 }] }, JSON_V2);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error_code: 40401, message: expect.stringContaining(`Topic ${missing} not found`) });
    expect((await call('POST', `/topics/${topic}/partitions/3`, { records: [{ value: 1 }] }, JSON_V2)).json.error_code).toBe(40402);
  });

  it("a compacted topic and a record without a key (kafka-rest#586: 2 min, then 200): 422 at once with the broker's reason", async () => {
    const compacted = `${topic}-compacted`;
    await createTopic(broker, compacted, 1, { 'cleanup.policy': 'compact' });
    const res = await call('POST', `/topics/${compacted}`, { records: [{ value: 'no key' }] }, JSON_V2);
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ error_code: 422, message: expect.stringContaining('Kafka refused the record') });
    // The broker refuses the whole produce batch the keyless record is in (librdkafka fails every
    // record of it, although KIP-467's answer names the bad one). Whether a keyed record sent
    // beside it shares its batch is librdkafka's choice, so the answer must say exactly what is in
    // Kafka either way; each way is made certain by a server of its own: records held together
    // (linger.ms) share a batch, one record per batch (batch.num.messages=1) never does.
    for (const [args, shared] of [
      [['-X', 'linger.ms=200'], true],
      [['-X', 'batch.num.messages=1'], false],
    ] as const) {
      const own = await startProducerServer(['--produce-timeout', '60s', ...args], { ...broker });
      try {
        await mixedBatchAnswer(own.url, `${compacted}-${shared ? 'shared' : 'apart'}`, shared);
      } finally {
        own.process.kill('SIGKILL');
      }
    }
  });

  it('a mixed batch: the record for a missing partition gets its own entry, the others are in Kafka', async () => {
    const res = await call(
      'POST',
      `/topics/${topic}`,
      { records: [{ value: 'first' }, { value: 'lost', partition: 7 }, { value: 'third', partition: 1 }] },
      JSON_V2,
    );
    expect(res.status).toBe(200);
    const [first, lost, third] = res.json.offsets as Array<Record<string, unknown>>;
    expect(lost).toEqual({
      partition: null,
      offset: null,
      error_code: 50002,
      error: expect.stringContaining('Partition 7 of topic'),
      message: (lost as { error: string }).error,
    });
    const [a, c] = await landed([first, third] as Array<{ partition: number; offset: number }>);
    expect(a?.payload).toBe('"first"');
    expect(c?.payload).toBe('"third"');
  });

  it.each([
    ['application/json', { records: [{ value: 1 }] }, 415, 415],
    ['the Avro format', { records: [{ value: 1 }] }, 415, 415],
    ['no records', { records: [] }, 422, 422],
    ['bad base64', { records: [{ value: 'not base64!' }] }, 400, 400],
    ['malformed JSON', '{"records": [{"value": 1}', 400, 400],
  ])('%s: %i, error_code %i, in the {error_code, message} shape', async (name, body, status, code) => {
    const type =
      name === 'application/json'
        ? 'application/json'
        : name === 'the Avro format'
          ? 'application/vnd.kafka.avro.v2+json'
          : name === 'bad base64'
            ? BINARY_V2
            : JSON_V2;
    const res = await call('POST', `/topics/${topic}`, body, type);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error_code: code, message: expect.stringMatching(/\S/) });
  });

  it('?async=true: 204 without a body, and the record still lands', async () => {
    const res = await call('POST', `/topics/${topic}/partitions/0?async=true`, { records: [{ value: 'fire-and-forget' }] }, JSON_V2);
    expect(res.status).toBe(204);
    for (let i = 0; i < 100 && !(await readTopic(broker, topic)).some((r) => r.payload === '"fire-and-forget"'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await readTopic(broker, topic)).filter((r) => r.payload === '"fire-and-forget"').map((r) => r.partition)).toEqual([0]);
  });

  it('the consumer API: 501 naming streamforge watch', async () => {
    const res = await call('POST', '/consumers/my-group', { name: 'c1', format: 'json' }, 'application/vnd.kafka.v2+json');
    expect(res.status).toBe(501);
    expect(res.json.message).toContain('streamforge watch');
  });

  it('discovery: GET /topics lists the topic, GET /topics/{t} and /partitions in the v2 shapes', async () => {
    const list = await call('GET', '/topics');
    expect(list.json).toEqual(expect.arrayContaining([topic]));
    expect(list.json).not.toEqual(expect.arrayContaining(['__consumer_offsets']));
    const t = await call('GET', `/topics/${topic}`);
    expect(t.json).toEqual({
      name: topic,
      configs: {},
      partitions: [0, 1, 2].map((p) => ({ partition: p, leader: 1, replicas: [{ broker: 1, leader: true, in_sync: true }] })),
    });
    expect(await call('GET', `/topics/${topic}/partitions`)).toMatchObject({ status: 200, json: t.json.partitions });
  });
});

describe('REST Proxy v3', () => {
  it("GET /v3/clusters names the cluster id Kafka's own ClusterTool reads", async () => {
    const res = await call('GET', '/v3/clusters');
    expect(res.status).toBe(200);
    expect((res.json.data as Array<Record<string, unknown>>)[0]).toMatchObject({ kind: 'KafkaCluster', cluster_id: clusterId });
    expect((await call('GET', `/v3/clusters/${clusterId}`)).json.cluster_id).toBe(clusterId);
    expect((await call('GET', '/v3/clusters/not-this-one')).status).toBe(404);
  });

  it('one record: its report names the real partition and offset; headers, key and timestamp land as sent', async () => {
    const res = await call(
      'POST',
      `/v3/clusters/${clusterId}/topics/${topic}/records`,
      {
        partition_id: 2,
        headers: [{ name: 'trace', value: b64('v3') }],
        key: { type: 'STRING', data: 'order-7' },
        value: { type: 'JSON', data: { amount: 7 } },
        timestamp: '2026-11-30T10:00:00Z',
      },
      'application/json',
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      error_code: 200,
      cluster_id: clusterId,
      topic_name: topic,
      partition_id: 2,
      offset: expect.any(Number),
      timestamp: '2026-11-30T10:00:00.000Z',
      key: { type: 'STRING', size: 7 },
      value: { type: 'JSON', size: 12 },
    });
    const [r] = await landed([{ partition: 2, offset: res.json.offset as number }]);
    expect(r).toMatchObject({ key: 'order-7', payload: '{"amount":7}', ts: Date.UTC(2026, 10, 30, 10), headers: [['trace', 'v3']] });
  });

  it('a record the broker refuses (a timestamp past message.timestamp.after.max.ms, 1 h): 422 at once, nothing written', async () => {
    const future = new Date(Date.now() + 48 * 3600_000).toISOString();
    const res = await call(
      'POST',
      `/v3/clusters/${clusterId}/topics/${topic}/records`,
      { value: { type: 'STRING', data: 'from the future' }, timestamp: future },
      'application/json',
    );
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ error_code: 422, message: expect.stringContaining('Kafka refused the record') });
    expect((await readTopic(broker, topic)).some((r) => r.payload === 'from the future')).toBe(false);
  });

  it('Avro needs a Schema Registry: 422/42207 naming it, nothing written', async () => {
    const res = await call(
      'POST',
      `/v3/clusters/${clusterId}/topics/${topic}/records`,
      { value: { type: 'AVRO', data: 'x' } },
      'application/json',
    );
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ error_code: 42207, message: expect.stringContaining('Schema Registry') });
  });

  it('an unknown topic is a 404/40401 with its own status, not a 200 with the error inside', async () => {
    const res = await call(
      'POST',
      `/v3/clusters/${clusterId}/topics/kr-none-${randomBytes(3).toString('hex')}/records`,
      { value: { type: 'JSON', data: 1 } },
      'application/json',
    );
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40401);
  });

  it('a streamed body: the first report arrives before the body ends, then one per record, in order', async () => {
    const reports: Array<Record<string, unknown>> = [];
    let contentType = '';
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/v3/clusters/${clusterId}/topics/${topic}/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('error', reject);
      req.write(JSON.stringify({ value: { type: 'STRING', data: 'stream-1' } }));
      req.on('response', (res) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            reports.push(JSON.parse(line) as Record<string, unknown>);
            // the body is still open: the next records go only after the first report came back
            if (reports.length === 1) {
              req.write(`${JSON.stringify({ value: { type: 'BINARY', data: '***' } })}\n`);
              req.end(JSON.stringify({ value: { type: 'STRING', data: 'stream-3' } }));
            }
          }
        });
        res.on('end', () => {
          contentType = res.headers['content-type'] ?? '';
          resolve(res.statusCode ?? 0);
        });
      });
    });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/json/);
    expect(reports.map((r) => r.error_code)).toEqual([200, 400, 200]);
    const [one, three] = await landed(
      [reports[0], reports[2]].map((r) => ({ partition: r?.partition_id as number, offset: r?.offset as number })),
    );
    expect(one?.payload).toBe('stream-1');
    expect(three?.payload).toBe('stream-3');
    expect(reports[1]?.message).toContain('base64');
  });

  it('records:batch: 207, each id in successes or failures, the successes in Kafka', async () => {
    const entries = Array.from({ length: 100 }, (_, i) => ({
      id: `e${i}`,
      value: { type: 'STRING', data: `batch-${i}` },
      ...(i === 50 ? { partition_id: 9 } : {}),
    }));
    const res = await call('POST', `/v3/clusters/${clusterId}/topics/${topic}/records:batch`, { entries }, 'application/json');
    expect(res.status).toBe(207);
    const successes = res.json.successes as Array<{ id: string; partition_id: number; offset: number }>;
    expect(successes).toHaveLength(99);
    expect(res.json.failures).toEqual([{ id: 'e50', error_code: 40402, message: expect.stringContaining('Partition 9') }]);
    const back = await landed(successes.map((s) => ({ partition: s.partition_id, offset: s.offset })));
    expect(back.map((r) => r.payload)).toEqual(successes.map((s) => `batch-${s.id.slice(1)}`));
  });
});

/** A keyless and a keyed record to a compacted topic: 422 with nothing written when they shared a produce batch, else 200 saying which was written. */
async function mixedBatchAnswer(url: string, compacted: string, shared: boolean): Promise<void> {
  await createTopic(broker, compacted, 1, { 'cleanup.policy': 'compact' });
  const post = async (records: unknown[]) => {
    const res = await fetch(`${url}/topics/${compacted}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const mixed = await post([{ value: 'no key' }, { key: 'k', value: 'mixed' }]);
  const keyed = await post([{ key: 'k', value: 'keyed' }]);
  expect(keyed.status).toBe(200);
  const inKafka = (await readTopic(broker, compacted)).map((r) => [r.offset, r.payload]);
  const keyedOffset = (keyed.json.offsets as Array<{ offset: number }>)[0]?.offset;
  if (shared) {
    expect(mixed.status).toBe(422);
    expect(mixed.json).toEqual({ error_code: 422, message: expect.stringContaining('Kafka refused the record') });
    expect(inKafka).toEqual([[keyedOffset, '"keyed"']]);
    return;
  }
  expect(mixed.status).toBe(200);
  const [refused, written] = mixed.json.offsets as Array<{ offset: number | null; error_code: number | null; error: string | null }>;
  expect(refused).toMatchObject({ offset: null, error_code: 50002, error: expect.stringContaining('Kafka refused the record') });
  expect(inKafka).toEqual([
    [written?.offset, '"mixed"'],
    [keyedOffset, '"keyed"'],
  ]);
}
