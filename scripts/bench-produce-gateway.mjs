#!/usr/bin/env node
// npm run bench:produce — the gateway routes beside serve-producer's own, in the same run on the
// same server and topic: POST /topics/{t} (REST Proxy v2 / Bridge, json) with one record against
// POST /produce, and with 100 records against POST /produce/batch; POST /v3/.../records with one
// record beside them. The same ~200-byte message, 64 connections, autocannon in its own process.
// Runs are short and many, in rounds of every target (A B C ..., then ... C B A: the order
// alternates), because the same target varies by 15% from one 10 s run to the next here (the
// broker shares the two cores). Each gateway route is compared with ours within each round,
// and the median of those ratios is the verdict: within 10% (>= 0.90). Every run is printed.
// Schema-typed records too, against a Schema Registry of its own: 100 Avro records of a 10-field
// schema (by schema id, as a client sends after its first request) beside the same 100 records
// as json v2, at >= 0.70x.
import { randomBytes } from 'node:crypto';
import { autocannon, startProducer } from './bench-serve-producer.mjs';
import {
  brokerDown,
  brokerUp,
  createTopic,
  deleteTopics,
  log,
  plaintextEnv,
  registryDown,
  registryUp,
  reportRatio,
  root,
} from './bench-common.mjs';

/** A 10-field record: the Avro schema, and a value in Avro's JSON encoding that is also plain JSON. */
const eventSchema = {
  type: 'record',
  name: 'ClickEvent',
  namespace: 'bench',
  fields: [
    { name: 'user_id', type: 'long' },
    { name: 'session', type: 'string' },
    { name: 'action', type: 'string' },
    { name: 'page', type: 'string' },
    { name: 'referrer', type: 'string' },
    { name: 'duration_ms', type: 'int' },
    { name: 'score', type: 'double' },
    { name: 'premium', type: 'boolean' },
    { name: 'country', type: 'string' },
    { name: 'ts', type: 'long' },
  ],
};
const event = (i) => ({
  user_id: 100000 + i,
  session: 's-8f14e45fceea167a',
  action: 'click',
  page: '/products/42',
  referrer: 'https://example.com/',
  duration_ms: 1200 + i,
  score: 0.75,
  premium: i % 2 === 0,
  country: 'NO',
  ts: 1733480000000 + i,
});

/** Registers the schemas with one request (as a client's first), and gives the ids later requests send. */
async function avroIds(url, topic) {
  const res = await fetch(`${url}/topics/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kafka.avro.v2+json' },
    body: JSON.stringify({ key_schema: '"string"', value_schema: JSON.stringify(eventSchema), records: [{ key: 'k', value: event(0) }] }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`registering the bench schema: ${res.status} ${JSON.stringify(body)}`);
  return { key_schema_id: body.key_schema_id, value_schema_id: body.value_schema_id };
}

const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

async function main() {
  const startedBroker = brokerUp();
  const env = plaintextEnv();
  const topic = `bench-gateway-${randomBytes(3).toString('hex')}`;
  createTopic(env.KAFKA_BOOTSTRAP_SERVERS, topic, 3);
  // one process: both sides of each ratio share it
  const registry = registryUp();
  const server = await startProducer(`${root}/bin/streamforge`, env, ['--workers', '1', '--schema-registry-url', registry]);
  try {
    const clusterId = (await (await fetch(`${server.url}/v3/clusters`)).json()).data[0].cluster_id;
    const message = { user_id: 123, action: 'login', data: 'x'.repeat(120), ts: '2024-01-15T10:30:00Z' };
    const records = (n) => Array.from({ length: n }, (_, i) => ({ key: `user-${i}`, value: message }));
    const events = Array.from({ length: 100 }, (_, i) => ({ key: `user-${i}`, value: event(i) }));
    const ids = await avroIds(server.url, topic);
    const json = 'content-type=application/json';
    const v2 = 'content-type=application/vnd.kafka.json.v2+json';
    const cases = {
      produce: { path: '/produce', type: json, body: { topic, key: 'user-123', message } },
      v2One: { path: `/topics/${topic}`, type: v2, body: { records: [{ key: 'user-123', value: message }] } },
      v3One: {
        path: `/v3/clusters/${clusterId}/topics/${topic}/records`,
        type: json,
        body: { key: { type: 'STRING', data: 'user-123' }, value: { type: 'JSON', data: message } },
      },
      batch: { path: '/produce/batch', type: json, body: records(100).map((r) => ({ topic, key: r.key, message: r.value })) },
      v2Batch: { path: `/topics/${topic}`, type: v2, body: { records: records(100) } },
      json10: { path: `/topics/${topic}`, type: v2, body: { records: events } },
      avro10: { path: `/topics/${topic}`, type: 'content-type=application/vnd.kafka.avro.v2+json', body: { ...ids, records: events } },
    };
    const run = async (name, warm) => {
      const c = cases[name];
      const args = ['-m', 'POST', '-H', c.type, '-c', '64', '-b', JSON.stringify(c.body), `${server.url}${c.path}`];
      if (warm) await autocannon(args, 3);
      const r = await autocannon(args, DURATION);
      if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} answers were not 2xx`);
      return r;
    };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = {};
      const order = ['produce', 'v2One', 'v3One', 'batch', 'v2Batch', 'json10', 'avro10'];
      for (const name of round % 2 === 1 ? order : order.reverse()) {
        log(`${name} (${cases[name].path}), 64 connections, ${DURATION} s (round ${round} of ${ROUNDS})`);
        r[name] = await run(name, round === 1);
      }
      rounds.push(r);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const of = (name, key) => rounds.map((r) => key(r[name]));
    const rate = (name) => median(of(name, (x) => x.requests.average));
    const against = { produce: 'POST /produce', batch: 'POST /produce/batch', json10: 'the same 100 records as json v2' };
    const row = (label, name, per, yardstick, target = 0.9) => {
      const runs = of(name, (x) => (x.requests.average * per).toFixed(0)).join(' / ');
      const unit = per === 1 ? 'req/s' : 'records/s';
      const result = `median ${(rate(name) * per).toFixed(0)} ${unit}, p99 median ${median(of(name, (x) => x.latency.p99))} ms (runs: ${runs})`;
      if (!yardstick) return [label, result, 'yardstick'];
      const ratios = rounds.map((r) => r[name].requests.average / r[yardstick].requests.average);
      const ratio = median(ratios);
      reportRatio(`${label} / ${against[yardstick]} (records/s)`, ratio, `median of ${rounds.length} rounds`);
      const spread = `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
      const verdict = ratio >= target ? 'PASS' : 'FAIL';
      return [label, result, `${verdict} (>= ${target.toFixed(2)}x: median of the rounds' ratios ${ratio.toFixed(2)}x, ${spread})`];
    };
    const rows = [
      row('POST /produce, one message', 'produce', 1),
      row('POST /topics/{t}, one record, json v2', 'v2One', 1, 'produce'),
      row('POST /v3/.../records, one record', 'v3One', 1, 'produce'),
      row('POST /produce/batch, 100 messages', 'batch', 100),
      row('POST /topics/{t}, 100 records, json v2', 'v2Batch', 100, 'batch'),
      row('POST /topics/{t}, 100 records of 10 fields, json v2', 'json10', 100),
      row('POST /topics/{t}, the same 100 records, avro v2 (schema ids)', 'avro10', 100, 'json10', 0.7),
    ];
    console.log(['| run | result | target |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n'));
  } finally {
    await server.stop();
    registryDown();
    deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [topic]);
    brokerDown(startedBroker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
