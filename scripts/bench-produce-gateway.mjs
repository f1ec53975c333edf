#!/usr/bin/env node
// npm run bench:produce — the gateway routes beside serve-producer's own, in the same run on the
// same server and topic: POST /topics/{t} (REST Proxy v2 / Bridge, json) with one record against
// POST /produce, and with 100 records against POST /produce/batch; POST /v3/.../records with one
// record beside them. The same ~200-byte message, 64 connections, autocannon in its own process.
// Runs alternate A B A B and every run is kept; the target is the gateway route within 10% of
// ours (a ratio >= 0.90), each round compared with its own neighbour.
import { randomBytes } from 'node:crypto';
import { autocannon, startProducer } from './bench-serve-producer.mjs';
import { brokerDown, brokerUp, createTopic, deleteTopics, log, plaintextEnv, root } from './bench-common.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = 2;

async function main() {
  const startedBroker = brokerUp();
  const env = plaintextEnv();
  const topic = `bench-gateway-${randomBytes(3).toString('hex')}`;
  createTopic(env.KAFKA_BOOTSTRAP_SERVERS, topic, 3);
  const server = await startProducer(`${root}/bin/streamforge`, env, []);
  try {
    const clusterId = (await (await fetch(`${server.url}/v3/clusters`)).json()).data[0].cluster_id;
    const message = { user_id: 123, action: 'login', data: 'x'.repeat(120), ts: '2024-01-15T10:30:00Z' };
    const records = (n) => Array.from({ length: n }, (_, i) => ({ key: `user-${i}`, value: message }));
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
    };
    const run = async (name) => {
      const c = cases[name];
      const args = ['-m', 'POST', '-H', c.type, '-c', '64', '-b', JSON.stringify(c.body), `${server.url}${c.path}`];
      await autocannon(args, 3);
      const r = await autocannon(args, DURATION);
      if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} answers were not 2xx`);
      return r;
    };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = {};
      for (const name of ['produce', 'v2One', 'v3One', 'batch', 'v2Batch']) {
        log(`${name} (${cases[name].path}), 64 connections, ${DURATION} s (round ${round} of ${ROUNDS})`);
        r[name] = await run(name);
      }
      rounds.push(r);
    }
    const reqs = (x, per = 1) =>
      `${(x.requests.average * per).toFixed(0)} ${per === 1 ? 'req/s' : 'records/s'}, p50 ${x.latency.p50} ms, p99 ${x.latency.p99} ms`;
    const within = (a, b) => {
      const ratio = a.requests.average / b.requests.average;
      return `${ratio >= 0.9 ? 'PASS' : 'FAIL'} (>= 0.90x: ${ratio.toFixed(2)}x)`;
    };
    const rows = rounds.flatMap((r, i) => [
      [`POST /produce, one message (run ${i + 1})`, reqs(r.produce), 'yardstick'],
      [`POST /topics/{t}, one record, json v2 (run ${i + 1})`, reqs(r.v2One), within(r.v2One, r.produce)],
      [`POST /v3/.../records, one record (run ${i + 1})`, reqs(r.v3One), within(r.v3One, r.produce)],
      [`POST /produce/batch, 100 messages (run ${i + 1})`, reqs(r.batch, 100), 'yardstick'],
      [`POST /topics/{t}, 100 records, json v2 (run ${i + 1})`, reqs(r.v2Batch, 100), within(r.v2Batch, r.batch)],
    ]);
    console.log(['| run | result | target |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n'));
  } finally {
    await server.stop();
    deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [topic]);
    brokerDown(startedBroker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
