#!/usr/bin/env node
// npm run bench:producer — serve-producer under load (autocannon in its own process, loopback,
// ~200-byte messages), side by side in the same run with its ceilings: for single requests the
// HTTP ceiling (the same fastify answering at once, bench-http-ceiling.mjs) and our own app over
// a publisher that answers at once (our HTTP layer without Kafka); at the fixed rate also
// serve-producer's producer alone (bench-kafka-rate.mjs: Kafka without HTTP); for batches
// node-rdkafka used directly and Kafka's own ProducerPerformance, and batches again with the
// NODE_OPTIONS the Kubernetes Deployment sets. Plus the server's resident memory under load.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { autocannon, startProducer } from './bench-serve-producer.mjs';
import { tracingOverhead } from './bench-tracing.mjs';
import { idempotencyOverhead, keyTableMemory } from './bench-idempotency.mjs';
import { containerCpus } from '../dist/http/process/container-cpus.js';
import {
  brokerDown,
  brokerUp,
  cpuSeconds,
  createTopic,
  deleteTopics,
  freePort,
  kafkaTool,
  log,
  plaintextEnv,
  reportRatio,
  root,
} from './bench-common.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const DIRECT_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200000);
// another build to measure with the same yardsticks (a before/after comparison)
const BIN = process.env.BENCH_PRODUCER_BIN ?? `${root}/bin/streamforge`;
/**
 * bench:check's short run: one round of each, only what its ratios need (the HTTP ceiling,
 * /produce, /produce/batch, the Kafka floor at the fixed rate, node-rdkafka directly), no table
 */
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 2;
/** --workers' default here (the server reads the cgroup limit the same way) */
const CPUS = containerCpus(64);

/** A yardstick server of bench-http-ceiling.mjs ('noop' or 'app'), listening. */
async function startYardstick(mode, topic) {
  const port = await freePort();
  const child = spawn(process.execPath, [`${root}/scripts/bench-http-ceiling.mjs`, mode, String(port), topic], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const closed = new Promise((r) => child.on('close', r));
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('listening') && resolve());
    child.on('close', () => reject(new Error(`the ${mode} yardstick did not start`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

const startServer = (env, extra) => startProducer(BIN, env, extra);

// What deploy/kubernetes/producer-deployment.yaml runs serve-producer with (its young generation)
const DEPLOYED_NODE_OPTIONS = /name: NODE_OPTIONS, value: '([^']+)'/.exec(
  readFileSync(`${root}/deploy/kubernetes/producer-deployment.yaml`, 'utf8'),
)?.[1];
if (!DEPLOYED_NODE_OPTIONS) throw new Error('producer-deployment.yaml sets no NODE_OPTIONS');

async function main() {
  const startedBroker = brokerUp();
  const env = plaintextEnv();
  const topic = `bench-producer-${randomBytes(3).toString('hex')}`;
  for (const t of [topic, `${topic}-direct`, `${topic}-perf`]) createTopic(env.KAFKA_BOOTSTRAP_SERVERS, t, 3);
  // one process where a row compares with one-process yardsticks; (b') runs the defaults
  const ONE = ['--workers', '1'];
  let server = await startServer(env, ONE);
  let peakRss = 0;
  try {
    const message = { user_id: 123, action: 'login', data: 'x'.repeat(120), ts: '2024-01-15T10:30:00Z' };
    const one = JSON.stringify({ topic, key: 'user-123', message });
    const common = ['-m', 'POST', '-H', 'content-type=application/json'];

    // (a) and its ceilings alternate, twice, each warmed up for 3 s first (not counted), and
    // every run is kept: single requests are where the machine's noise shows most.
    const singleRuns = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const run = {};
      for (const [name, start] of [
        ['ceiling', () => startYardstick('noop', topic)],
        ...(QUICK ? [] : [['app', () => startYardstick('app', topic)]]),
        ['produce', async () => ({ url: server.url, stop: async () => undefined })],
      ]) {
        log(`(a) POST /produce, 64 connections, ${DURATION} s: ${name} (round ${round} of ${ROUNDS})`);
        const target = await start();
        const args = [...common, '-c', '64', '-b', one, `${target.url}/produce`];
        await autocannon(args, 3);
        run[name] = await autocannon(args);
        await target.stop();
      }
      singleRuns.push(run);
    }
    // (a') open loop (bench-fixed-rate.mjs), each target warmed up for 3 s first: the HTTP
    // ceiling and our app without Kafka at the same rate say how much of the latency is not Kafka's,
    // and (k) below how much is
    const fixedRate = (target, seconds) =>
      JSON.parse(
        execFileSync(process.execPath, [`${root}/scripts/bench-fixed-rate.mjs`, `${target}/produce`, one, '2000', String(seconds), '64'], {
          encoding: 'utf8',
        }),
      );
    const fixedRuns = {};
    for (const [name, start] of [
      ...(QUICK
        ? []
        : [
            ['ceiling', () => startYardstick('noop', topic)],
            ['app', () => startYardstick('app', topic)],
          ]),
      ['produce', async () => ({ url: server.url, pid: server.pid, stop: async () => undefined })],
    ]) {
      log(`(a') POST /produce at a fixed 2000 requests/s, open loop, 64 connections: ${name}`);
      const target = await start();
      fixedRate(target.url, 3);
      // the server's CPU per answered request at this rate: what an answer costs, apart from
      // how long it waits (librdkafka's threads included, the broker's not)
      const cpu0 = cpuSeconds(target.pid);
      fixedRuns[name] = fixedRate(target.url, DURATION);
      fixedRuns[name].cpuUs = ((cpuSeconds(target.pid) - cpu0) * 1e6) / fixedRuns[name].answered;
      await target.stop();
    }
    // (k) the Kafka floor of (a'): serve-producer's producer alone at the same rate, no HTTP
    log(`(k) serve-producer's KafkaProducer alone at a fixed 2000 messages/s, no HTTP`);
    const kafkaAlone = JSON.parse(
      execFileSync(
        process.execPath,
        [`${root}/scripts/bench-kafka-rate.mjs`, env.KAFKA_BOOTSTRAP_SERVERS, topic, JSON.stringify(message), '2000', String(DURATION)],
        { encoding: 'utf8' },
      ),
    );
    const fixed = fixedRuns.produce;
    peakRss = Math.max(peakRss, server.peakRss());
    const batchBody = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ topic, key: `user-${i}`, message })));
    // (b), (b') and (c) alternate, twice, and each keeps its better run: a single run of any of
    // them can be slowed by the machine (the ceiling alone varied from 176k to 269k per second).
    const better = (a, b) => (a && a.requests.average >= b.requests.average ? a : b);
    // Throughput is what the server reaches at the concurrency that saturates it: at 32
    // connections two workers still wait on acknowledgements with CPU to spare, so 32 and 64
    // are both measured and the better counts. A long-running server is measured warm: 3 s of
    // the same load first, not counted.
    const peakBatch = async (url) => {
      const args = (c) => [...common, '-c', String(c), '-b', batchBody, `${url}/produce/batch`];
      await autocannon(args(32), 3);
      let best;
      for (const c of [32, 64]) best = better(best, { ...(await autocannon(args(c))), connections: c });
      return best;
    };
    // (c): the same messages produced with node-rdkafka directly, in one process
    const produceDirectly = (mode = 'reports') =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            `${root}/scripts/bench-direct-produce.mjs`,
            env.KAFKA_BOOTSTRAP_SERVERS,
            `${topic}-direct`,
            String(DIRECT_MESSAGES),
            String(Buffer.byteLength(one) - 40),
            mode,
          ],
          { encoding: 'utf8' },
        ),
      );
    let batch;
    let batchTuned;
    let batch2;
    let direct;
    let peakRss2 = 0;
    let peakRssTuned = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) server = await startServer(env, ONE);
      log(`(b) POST /produce/batch, 100 messages per request (round ${round} of ${ROUNDS})`);
      batch = better(batch, await peakBatch(server.url));
      peakRss = Math.max(peakRss, server.peakRss());
      await server.stop();
      if (QUICK) {
        server = undefined;
        direct = produceDirectly();
        break;
      }
      log(`(b'') the same with the Deployment's NODE_OPTIONS (${DEPLOYED_NODE_OPTIONS}) (round ${round} of ${ROUNDS})`);
      server = await startServer({ ...env, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS }, ONE);
      batchTuned = better(batchTuned, await peakBatch(server.url));
      peakRssTuned = Math.max(peakRssTuned, server.peakRss());
      await server.stop();
      log(`(b') POST /produce/batch, 100 messages per request, serve-producer's defaults: --workers ${CPUS} (round ${round} of ${ROUNDS})`);
      server = await startServer(env, []);
      batch2 = better(batch2, await peakBatch(server.url));
      peakRss2 = Math.max(peakRss2, server.peakRss());
      await server.stop();
      server = undefined;
      log(`(c) node-rdkafka directly, ${DIRECT_MESSAGES} messages (round ${round} of ${ROUNDS})`);
      const run = produceDirectly();
      if (!direct || run.per_second > direct.per_second) direct = run;
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const singleRatio = median(singleRuns.map((r) => r.produce.requests.average / r.ceiling.requests.average));
    reportRatio('/produce single requests / the HTTP ceiling (req/s)', singleRatio, `${singleRuns.length} round(s)`);
    reportRatio(
      '/produce/batch / node-rdkafka directly (messages/s)',
      (batch.requests.average * 100) / direct.per_second,
      `${(batch.requests.average * 100).toFixed(0)} vs ${direct.per_second.toFixed(0)} messages/s`,
    );
    reportRatio(
      "/produce at 2000 req/s: the producer alone's p50 / /produce's p50",
      kafkaAlone.p50 / fixed.p50,
      `${kafkaAlone.p50.toFixed(2)} vs ${fixed.p50.toFixed(2)} ms`,
    );
    const tracing = await tracingOverhead({ bin: BIN, env, topic, rounds: QUICK ? 1 : 3, duration: DURATION });
    reportRatio(
      '/produce with one trace in ten sampled / tracing off (req/s)',
      tracing.tenthRatio,
      `server CPU per request ${tracing.cpuUsTenth.toFixed(0)} vs ${tracing.cpuUsOff.toFixed(0)} us`,
    );
    reportRatio(
      '/produce with tracing on (always_on, exported to Jaeger) / tracing off (req/s)',
      tracing.ratio,
      `${tracing.on.toFixed(0)} vs ${tracing.off.toFixed(0)} req/s; rounds ${tracing.ratios.map((r) => r.toFixed(2)).join(', ')}`,
    );
    const keyed = await idempotencyOverhead({ bin: BIN, env, topic, rounds: QUICK ? 1 : 3, duration: DURATION });
    reportRatio(
      '/produce with an Idempotency-Key / without (req/s)',
      keyed.single.ratio,
      `${keyed.single.keyed.toFixed(0)} vs ${keyed.single.plain.toFixed(0)} req/s; rounds ${keyed.single.ratios.map((r) => r.toFixed(2)).join(', ')}`,
    );
    reportRatio(
      '/produce/batch (100) with an Idempotency-Key / without (records/s)',
      keyed.batch.ratio,
      `${(keyed.batch.keyed * 100).toFixed(0)} vs ${(keyed.batch.plain * 100).toFixed(0)} records/s; rounds ${keyed.batch.ratios.map((r) => r.toFixed(2)).join(', ')}`,
    );
    const keyMemory = keyTableMemory();
    if (QUICK) return;
    log(`(d) node-rdkafka directly without delivery reports, ${DIRECT_MESSAGES} messages`);
    const silent = produceDirectly('no-reports');
    log(`(c) Kafka ProducerPerformance, ${DIRECT_MESSAGES} records`);
    const perf = kafkaTool('ProducerPerformance', [
      '--topic',
      `${topic}-perf`,
      '--num-records',
      String(DIRECT_MESSAGES),
      '--record-size',
      '200',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
      'acks=all',
      'compression.type=snappy',
      'enable.idempotence=true',
    ]);
    const perfLine = perf.stdout.trim().split('\n').at(-1) ?? '';
    const perfRate = Number(/([\d.]+) records\/sec/.exec(perfLine)?.[1] ?? NaN);

    const batchMsgs = batch.requests.average * 100;
    const batchMsgs2 = batch2.requests.average * 100;
    const batchMsgsTuned = batchTuned.requests.average * 100;
    const ok = (x, t) => (x ? `PASS (${t})` : `FAIL (${t})`);
    // the open loop's p99 is judged against its two floors measured in this run
    const p99Floor = fixedRuns.app.p99 + kafkaAlone.p99;
    const reqs = (r) => `${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`;
    const rows = [
      ...singleRuns.flatMap((r, i) => [
        [`(h) HTTP ceiling: fastify answering at once, 64 connections (run ${i + 1})`, reqs(r.ceiling), 'yardstick'],
        [`(h') our app without Kafka (a publisher answering at once) (run ${i + 1})`, reqs(r.app), ''],
        [
          `(a) /produce, 64 connections (run ${i + 1})`,
          `${reqs(r.produce)}, non-2xx ${r.produce.non2xx}`,
          ok(
            r.produce.requests.average >= 0.7 * r.app.requests.average,
            `>= 0.7x of the app without Kafka: ${(r.produce.requests.average / r.app.requests.average).toFixed(2)}x`,
          ),
        ],
      ]),
      ...[
        ['ceiling', '(h) HTTP ceiling at a fixed 2000 req/s'],
        ['app', "(h') our app without Kafka at a fixed 2000 req/s"],
      ].map(([name, label]) => [
        label,
        `p50 ${fixedRuns[name].p50.toFixed(2)} ms, p99 ${fixedRuns[name].p99.toFixed(2)} ms, ${fixedRuns[name].cpuUs.toFixed(0)} us of server CPU per request`,
        'yardstick',
      ]),
      [
        "(k) serve-producer's producer alone at a fixed 2000 msg/s (no HTTP)",
        `p50 ${kafkaAlone.p50.toFixed(2)} ms, p99 ${kafkaAlone.p99.toFixed(2)} ms, ${kafkaAlone.cpuUs.toFixed(0)} us of CPU per message`,
        'yardstick',
      ],
      [
        "(a') /produce at a fixed 2000 req/s (open loop)",
        `${fixed.reached.toFixed(0)} req/s reached, p50 ${fixed.p50.toFixed(2)} ms, p90 ${fixed.p90.toFixed(2)} ms, p99 ${fixed.p99.toFixed(2)} ms, p99.9 ${fixed.p999.toFixed(2)} ms, ${fixed.cpuUs.toFixed(0)} us of server CPU per request, non-2xx ${fixed.non2xx}`,
        ok(
          fixed.p50 <= 1.5 && fixed.p99 <= p99Floor && fixed.reached >= 1950,
          `p50 <= 1.5 ms, p99 <= ${p99Floor.toFixed(2)} ms (the app without Kafka's p99 + the producer alone's p99), 2000 reached`,
        ),
      ],
      [
        '(t) /produce, 64 connections, one process, tracing on (always_on, every span exported to a local Jaeger), beside tracing off',
        `${tracing.on.toFixed(0)} req/s on, ${tracing.off.toFixed(0)} req/s off (medians of ${tracing.ratios.length} rounds; ratios ${tracing.ratios.map((r) => r.toFixed(2)).join(', ')}); server CPU per request ${tracing.cpuUsOn.toFixed(0)} vs ${tracing.cpuUsOff.toFixed(0)} us`,
        // restated from 0.8x (docs/benchmarks.md, "Tracing"): on 2 cores the collector shares them
        ok(tracing.ratio >= 0.6, `>= 0.6x of tracing off (restated from 0.8x): ${tracing.ratio.toFixed(2)}x`),
      ],
      [
        "(t') the same, one trace in ten sampled (parentbased_traceidratio 0.1), beside tracing off",
        `${tracing.tenthRatio.toFixed(2)}x of tracing off; server CPU per request ${tracing.cpuUsTenth.toFixed(0)} us`,
        `${tracing.tenthRatio.toFixed(2)}x (figure; no target)`,
      ],
      [
        '(i) /produce, 64 connections, one process, a new Idempotency-Key on every request, beside none',
        `${keyed.single.keyed.toFixed(0)} req/s keyed, ${keyed.single.plain.toFixed(0)} without (medians of ${keyed.single.ratios.length} rounds; ratios ${keyed.single.ratios.map((r) => r.toFixed(2)).join(', ')}); p99 ${keyed.single.p99Keyed} vs ${keyed.single.p99Plain} ms; server CPU per request ${keyed.single.cpuUsKeyed.toFixed(0)} vs ${keyed.single.cpuUsPlain.toFixed(0)} us`,
        // restated from 0.5x (docs/benchmarks.md, "Idempotency-Key"): on 2 cores the broker's
        // transactions and the claims' round trips take the machine
        ok(keyed.single.ratio >= 0.2, `>= 0.2x of without (restated from 0.5x): ${keyed.single.ratio.toFixed(2)}x`),
      ],
      [
        "(i') /produce/batch of 100, the same",
        `${(keyed.batch.keyed * 100).toFixed(0)} records/s keyed, ${(keyed.batch.plain * 100).toFixed(0)} without (ratios ${keyed.batch.ratios.map((r) => r.toFixed(2)).join(', ')}); p99 ${keyed.batch.p99Keyed} vs ${keyed.batch.p99Plain} ms; server CPU per request ${keyed.batch.cpuUsKeyed.toFixed(0)} vs ${keyed.batch.cpuUsPlain.toFixed(0)} us`,
        ok(keyed.batch.ratio >= 0.7, `>= 0.7x of without: ${keyed.batch.ratio.toFixed(2)}x`),
      ],
      [
        "(m) one replica's key table, 1,000,000 live keys with /produce answers",
        `${keyMemory.heap_mb.toFixed(0)} MB of heap, ${keyMemory.bytes_per_key.toFixed(0)} bytes a key`,
        'figure (docs/benchmarks.md: what a replica holds at a given rate)',
      ],
      [
        '(b) /produce/batch, 100 per request (best of 2)',
        `${batchMsgs.toFixed(0)} messages/s (${batch.connections} connections, ${batch.requests.average.toFixed(1)} req/s, p99 ${batch.latency.p99} ms, non-2xx ${batch.non2xx})`,
        `${((100 * batchMsgs) / direct.per_second).toFixed(0)}% of direct (shown: the target is the defaults', below)`,
      ],
      [
        `(b'') /produce/batch, one process, NODE_OPTIONS=${DEPLOYED_NODE_OPTIONS} as deployed (best of 2)`,
        `${batchMsgsTuned.toFixed(0)} messages/s (${batchTuned.connections} connections, p99 ${batchTuned.latency.p99} ms, non-2xx ${batchTuned.non2xx}), ${(batchMsgsTuned / batchMsgs).toFixed(2)}x of (b), peak RSS ${peakRssTuned.toFixed(0)} MB`,
        `${((100 * batchMsgsTuned) / direct.per_second).toFixed(0)}% of direct`,
      ],
      [
        `(b') /produce/batch, serve-producer's defaults: --workers ${CPUS}, the CPUs it may use (best of 2)`,
        `${batchMsgs2.toFixed(0)} messages/s (${batch2.connections} connections, ${batch2.requests.average.toFixed(1)} req/s, p99 ${batch2.latency.p99} ms, non-2xx ${batch2.non2xx})`,
        // restated from 60% (docs/benchmarks.md, "Batches"): node-rdkafka's report per record is the floor
        ok(batchMsgs2 >= 0.5 * direct.per_second, `>= 50% of direct: ${((100 * batchMsgs2) / direct.per_second).toFixed(0)}%`),
      ],
      [
        '(c) node-rdkafka directly, one process (best of 2)',
        `${direct.per_second.toFixed(0)} messages/s, ${direct.cpu_us_per_message.toFixed(2)} us of CPU per message`,
        'the ceiling',
      ],
      [
        '(d) the same without delivery reports (no offsets: what a bulk report would leave)',
        `${silent.per_second.toFixed(0)} messages/s, ${silent.cpu_us_per_message.toFixed(2)} us of CPU per message`,
        `the reports cost ${(direct.cpu_us_per_message - silent.cpu_us_per_message).toFixed(2)} us a message`,
      ],
      ['(c) Kafka ProducerPerformance', `${perfRate.toFixed(0)} records/s`, 'yardstick'],
      ['serve-producer peak RSS under load, one process', `${peakRss.toFixed(0)} MB`, ok(peakRss <= 250, '<= 250 MB')],
      [`serve-producer --workers ${CPUS} (the defaults), all processes`, `${peakRss2.toFixed(0)} MB`, ''],
    ];
    console.log(['| run | result | target |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
  } finally {
    await server?.stop();
    deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [topic, `${topic}-direct`, `${topic}-perf`]);
    brokerDown(startedBroker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
