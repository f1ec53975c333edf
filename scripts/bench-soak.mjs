#!/usr/bin/env node
// serve-producer for ten minutes under mixed load: well-behaved clients (POST /produce at a fixed
// rate, /produce/batch of 100) beside hostile ones (an ?async=true flood of 16 loops of
// 1,000-record bodies, v2 bodies of 87,000 records, bodies dripped a byte every 2 s, idle
// keep-alive connections, invalid UTF-8, unknown topics). Prints RSS at start and end and its
// slope, the well-behaved clients' p99 beside a run of them alone (the yardstick, same run),
// statuses by count, /health probes missed, and records acknowledged against records found in
// Kafka (Kafka's own GetOffsetShell). The second round (bench-soak-probes.mjs): v3 streams that
// outlive --read-timeout, a made-up topic name for every unknown-topic request, and TLS sockets
// that never say hello, on an HTTPS server of their own. Usage: bench-soak.mjs [soak seconds,
// default 600].
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  atFixedRate,
  brokerDown,
  brokerUp,
  createTopic,
  deleteTopics,
  freePort,
  kafkaTool,
  latencySummary,
  log,
  plaintextEnv,
  root,
  rssMb,
  reportRatio,
} from './bench-common.mjs';
import { longStreams, silentTls } from './bench-soak-probes.mjs';

const SOAK_S = Number(process.argv[2] ?? process.env.SOAK_SECONDS ?? 600);
const ALONE_S = Math.max(10, Math.min(60, Math.round(SOAK_S / 10)));
const RATE = 200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const started = brokerUp();
const env = plaintextEnv();
const brokers = env.KAFKA_BOOTSTRAP_SERVERS;
const id = `soak-${randomBytes(3).toString('hex')}`;
const topics = { good: `${id}-good`, batch: `${id}-batch`, flood: `${id}-flood`, streams: `${id}-streams` };
for (const t of Object.values(topics)) createTopic(brokers, t, 3);

const port = await freePort();
// one process, as the soak's figures since it began (--workers' default follows the CPUs)
const server = spawn(
  process.execPath,
  [`${root}/bin/streamforge`, 'serve-producer', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
  {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let logBytes = 0;
server.stdout.on('data', (d) => (logBytes += d.length));
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/ready`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 300) throw new Error('serve-producer did not become ready');
  await sleep(100);
}

const statuses = {};
const count = (kind, status) => {
  statuses[kind] ??= {};
  statuses[kind][status] = (statuses[kind][status] ?? 0) + 1;
};
// each kind of client on its own connections, as separate clients would be
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const hostileAgent = new Agent({ keepAlive: true, maxSockets: 8 });
/** One POST; resolves with its status and its latency in ms ('error': the connection failed; 'timeout': no answer in 30 s). */
const post = (path, body, type = 'application/json', a = agent) =>
  new Promise((settle) => {
    const t0 = performance.now();
    const req = request(
      {
        agent: a,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        timeout: 30_000,
        headers: { 'content-type': type, 'content-length': body.length },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => settle({ status: res.statusCode, ms: performance.now() - t0 }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      settle({ status: 'timeout', ms: performance.now() - t0 });
    });
    req.on('error', () => settle({ status: 'error', ms: performance.now() - t0 }));
    req.end(body);
  });

let acknowledged = { good: 0, batch: 0, flood: 0 };
/** unknown-topic requests so far, each to a name of its own */
let madeUp = 0;
/** The well-behaved clients for `seconds`: their /produce latencies. */
async function wellBehaved(seconds) {
  const times = [];
  const one = Buffer.from(JSON.stringify({ topic: topics.good, key: 'k', message: { n: 1, pad: 'x'.repeat(200) } }));
  const hundred = Buffer.from(JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ topic: topics.batch, message: { i } }))));
  const batches = atFixedRate(10, seconds, async () => {
    const r = await post('/produce/batch', hundred);
    count('well-behaved /produce/batch', r.status);
    if (r.status === 200) acknowledged.batch += 100;
  });
  const elapsed = await atFixedRate(RATE, seconds, async () => {
    const r = await post('/produce', one);
    count('well-behaved /produce', r.status);
    if (r.status === 200) {
      acknowledged.good++;
      times.push(r.ms);
    }
  });
  await batches;
  return latencySummary(times, elapsed);
}

/** Hostile clients until `stop()`. */
/** 16 loops of ?async=true v2 bodies of 1,000 records, on 16 connections of their own, while `running()`. */
function asyncFlood(running, loops) {
  const floodAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const flood = Buffer.from(JSON.stringify({ records: Array.from({ length: 1000 }, () => ({ value: 0 })) }));
  for (let i = 0; i < 16; i++) {
    loops.push(
      (async () => {
        while (running()) {
          const r = await post(`/topics/${topics.flood}?async=true`, flood, 'application/vnd.kafka.json.v2+json', floodAgent);
          count('async flood (1,000 records)', r.status);
          if (r.status === 204) acknowledged.flood += 1000;
          if (r.status === 429) await sleep(10);
        }
      })(),
    );
  }
  return floodAgent;
}

/**
 * The well-behaved clients for `seconds` beside the async flood alone, sent by a process of its
 * own (in this one, its event loop was part of the latencies measured): what the flood's share
 * of the server and of librdkafka's queue costs them.
 */
async function besideTheFlood(seconds, topic = topics.flood) {
  const flood = spawn(process.execPath, [`${root}/scripts/bench-soak-flood.mjs`, String(port), topic], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  flood.stdout.on('data', (d) => (out += d));
  const summary = await wellBehaved(seconds);
  flood.kill('SIGTERM');
  await new Promise((r) => flood.on('close', r));
  const statuses = JSON.parse(out || '{}');
  const kind =
    topic === topics.flood
      ? 'async flood beside the well-behaved (1,000 records)'
      : 'the same flood to a topic that does not exist (the floor)';
  for (const [status, n] of Object.entries(statuses)) {
    for (let i = 0; i < n; i++) count(kind, status);
  }
  acknowledged.flood += (statuses['204'] ?? 0) * 1000;
  return summary;
}

function hostile() {
  let running = true;
  const loops = [];
  const floodAgent = asyncFlood(() => running, loops);
  // 1 MiB of {"value":0}: 87,000 records
  const huge = Buffer.from(JSON.stringify({ records: Array.from({ length: 87_000 }, () => ({ value: 0 })) }));
  for (let i = 0; i < 2; i++) {
    loops.push(
      (async () => {
        while (running)
          count('v2 body of 87,000 records', (await post(`/topics/${topics.flood}`, huge, 'application/vnd.kafka.json.v2+json')).status);
      })(),
    );
  }
  const poisoned = Buffer.concat([
    Buffer.from(`{"topic":"${topics.good}","key":"`),
    Buffer.from('fffec328eda080', 'hex'),
    Buffer.from('","message":1}'),
  ]);
  loops.push(
    (async () => {
      while (running) {
        count('invalid UTF-8', (await post('/produce', poisoned, 'application/json', hostileAgent)).status);
        // a name made up for every request: each would have been a series of its own
        count(
          'unknown topic (a new name each time)',
          (
            await post(
              '/produce',
              Buffer.from(JSON.stringify({ topic: `${id}-nope-${++madeUp}`, message: 1 })),
              'application/json',
              hostileAgent,
            )
          ).status,
        );
        await sleep(5);
      }
    })(),
  );
  // slow bodies: a byte every 2 s, reopened when the server closes them
  const drips = new Set();
  const drip = () => {
    if (!running) return;
    const s = connect(port, '127.0.0.1');
    let head = '';
    s.on('data', (d) => (head += d.toString('latin1')));
    s.on('error', () => undefined);
    s.write('POST /produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const t = setInterval(() => s.writable && s.write(' '), 2000);
    drips.add(s);
    s.on('close', () => {
      clearInterval(t);
      drips.delete(s);
      count('slow body (a byte every 2 s)', /^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 'closed');
      drip();
    });
  };
  for (let i = 0; i < 20; i++) drip();
  // idle keep-alive connections, reopened when closed
  const idle = () => {
    if (!running) return;
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    // read the answer: an unread socket never sees the server's FIN, nor closes
    s.resume();
    s.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    s.on('close', () => {
      count('idle keep-alive', 'closed by the server');
      setTimeout(idle, 100);
    });
    drips.add(s);
  };
  for (let i = 0; i < 100; i++) idle();
  // v3 streams of a record every 500 ms: each outlives --read-timeout (15 s) and is ended by it
  longStreams({
    port,
    topic: topics.streams,
    n: 4,
    everyMs: 500,
    running: () => running,
    count: (o) => count('v3 stream past --read-timeout', o),
  });
  return async () => {
    running = false;
    for (const s of drips) s.destroy();
    await Promise.all(loops);
    floodAgent.destroy();
    hostileAgent.destroy();
  };
}

/** RSS every second and /health every 500 ms, until `stop()`. */
function watch() {
  const rss = [];
  let misses = 0;
  let probes = 0;
  const t0 = performance.now();
  const r = setInterval(() => rss.push([(performance.now() - t0) / 1000, rssMb(server.pid)]), 1000);
  const h = setInterval(() => {
    probes++;
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      if (res.statusCode !== 200) misses++;
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => misses++);
    req.end();
  }, 500);
  return () => {
    clearInterval(r);
    clearInterval(h);
    const n = rss.length;
    const mx = rss.reduce((a, [x]) => a + x, 0) / n;
    const my = rss.reduce((a, [, y]) => a + y, 0) / n;
    const slope = rss.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / rss.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    // the slope of the second half: after the first minutes' growth to the working set
    const half = rss.slice(Math.floor(n / 2));
    const hx = half.reduce((a, [x]) => a + x, 0) / half.length;
    const hy = half.reduce((a, [, y]) => a + y, 0) / half.length;
    const halfSlope = half.reduce((a, [x, y]) => a + (x - hx) * (y - hy), 0) / half.reduce((a, [x]) => a + (x - hx) ** 2, 0);
    return {
      start: rss[0]?.[1],
      end: rss.at(-1)?.[1],
      peak: Math.max(...rss.map(([, y]) => y)),
      slopeMbPerMin: slope * 60,
      secondHalfSlopeMbPerMin: halfSlope * 60,
      probes,
      misses,
    };
  };
}

/** Records in a topic: the sum of its partitions' end offsets (Kafka's GetOffsetShell). */
function recordsIn(topic) {
  const out = kafkaTool('GetOffsetShell', ['--bootstrap-server', brokers, '--topic', topic, '--time', '-1']).stdout;
  return out
    .split('\n')
    .filter(Boolean)
    .reduce((a, line) => a + Number(line.split(':')[2] ?? 0), 0);
}

log(`well-behaved clients alone for ${ALONE_S} s (the yardstick)`);
const alone = await wellBehaved(ALONE_S);
log(`well-behaved clients beside the async flood alone for ${ALONE_S} s (fairness)`);
const besideFlood = await besideTheFlood(ALONE_S);
const aloneAgain = await wellBehaved(ALONE_S);
log(
  `well-behaved clients beside the same flood to a topic that does not exist for ${ALONE_S} s (the floor: the flood's HTTP work without Kafka)`,
);
const besideFloor = await besideTheFlood(ALONE_S, `${id}-absent`);
log(`soak: well-behaved and hostile clients for ${SOAK_S} s`);
const stopWatch = watch();
let tlsRunning = true;
const tls = await silentTls({
  env,
  port: await freePort(),
  n: 500,
  readTimeout: '15s',
  running: () => tlsRunning,
  count: (o) => count('silent TLS sockets (500 open at a time, HTTPS server of their own)', o),
});
const stopHostile = hostile();
const mixed = await wellBehaved(SOAK_S);
await stopHostile();
tlsRunning = false;
tls.stop();
const memory = stopWatch();
// async records still in flight: wait until Kafka has them or the producer has given up
await sleep(15_000);
const found = { good: recordsIn(topics.good), batch: recordsIn(topics.batch), flood: recordsIn(topics.flood) };
const metricsText = await fetch(`${base}/metrics`).then((r) => r.text());
const asyncFailed = [...metricsText.matchAll(/^producer_async_failed_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
server.kill('SIGTERM');
const exit = await new Promise((r) => server.on('close', (code) => r(code)));
deleteTopics(brokers, Object.values(topics));
brokerDown(started);

const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
// fairness: the yardstick is the better of the two runs alone (before and after the flood)
const aloneP99 = Math.min(alone.p99, aloneAgain.p99);
reportRatio(
  'soak: well-behaved p99 alone / beside an async flood (target >= 1/3)',
  aloneP99 / besideFlood.p99,
  `${f(besideFlood.p99, 2)} ms beside the flood, ${f(aloneP99, 2)} ms alone`,
);
reportRatio('soak: RSS at the start / the peak', memory.start / memory.peak, `${memory.start?.toFixed(0)} vs ${memory.peak.toFixed(0)} MB`);
reportRatio(
  'soak: /health probes answered / sent',
  (memory.probes - memory.misses) / memory.probes,
  `${memory.probes - memory.misses} of ${memory.probes}`,
);
console.log(`soak ${SOAK_S} s, ${new Date().toISOString().slice(0, 10)}`);
console.log(
  `RSS (MB): start ${f(memory.start)}, end ${f(memory.end)}, peak ${f(memory.peak)}; slope ${f(memory.slopeMbPerMin, 2)} MB/min (second half ${f(memory.secondHalfSlopeMbPerMin, 2)})`,
);
console.log(`/health: ${memory.probes - memory.misses} of ${memory.probes} probes answered 200`);
const fairness = besideFlood.p99 / aloneP99;
console.log(
  `| fairness: well-behaved /produce p99 beside an async flood | ${f(besideFlood.p99, 2)} ms | alone ${f(aloneP99, 2)} ms | ${f(fairness, 2)}x <= 3x: ${fairness <= 3 ? 'PASS' : 'FAIL'} |`,
);
console.log(
  `| fairness: well-behaved /produce p99 beside an async flood, over the floor | ${f(besideFlood.p99, 2)} ms | beside the flood to no topic ${f(besideFloor.p99, 2)} ms | ${f(besideFlood.p99 / besideFloor.p99, 2)}x <= 3x: ${besideFlood.p99 / besideFloor.p99 <= 3 ? 'PASS' : 'FAIL'} |`,
);
console.log(`floor: beside the same flood to a topic that does not exist: p50/p99 ${f(besideFloor.p50, 2)}/${f(besideFloor.p99, 2)} ms`);
console.log(
  `fairness: well-behaved POST /produce at ${RATE}/s beside the async flood alone: p50/p99 ${f(besideFlood.p50, 2)}/${f(besideFlood.p99, 2)} ms; alone ${f(alone.p50, 2)}/${f(alone.p99, 2)} ms before it and ${f(aloneAgain.p50, 2)}/${f(aloneAgain.p99, 2)} ms after (p99 ratio ${f(besideFlood.p99 / aloneP99, 2)}x, target <= 3x)`,
);
console.log(
  `well-behaved POST /produce at ${RATE}/s: p50/p99 ${f(mixed.p50, 2)}/${f(mixed.p99, 2)} ms under the hostile clients, ${f(alone.p50, 2)}/${f(alone.p99, 2)} ms alone (p99 ratio ${f(mixed.p99 / alone.p99, 2)}x)`,
);
for (const [kind, byStatus] of Object.entries(statuses)) {
  console.log(
    `  ${kind}: ${Object.entries(byStatus)
      .map(([s, n]) => `${s} x${n}`)
      .join(', ')}`,
  );
}
console.log(
  `records acknowledged vs in Kafka: /produce ${acknowledged.good} vs ${found.good}; /produce/batch ${acknowledged.batch} vs ${found.batch}; async (204) ${acknowledged.flood} accepted vs ${found.flood}, ${asyncFailed} counted as failed after acceptance`,
);
console.log(
  `/metrics after ${madeUp} made-up topic names: ${f(metricsText.length / 1024, 0)} KiB, ${metricsText.split('\n').filter((l) => l.includes('-nope-')).length} series naming one`,
);
console.log(`silent TLS server: at most ${tls.peakFds()} open descriptors`);
console.log(`log: ${f(logBytes / 1024, 0)} KiB at warn; exit ${exit} after SIGTERM`);
