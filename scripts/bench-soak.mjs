#!/usr/bin/env node
// serve-producer for ten minutes under mixed load: well-behaved clients (POST /produce at a fixed
// rate, /produce/batch of 100) beside hostile ones (an ?async=true flood of 16 loops of
// 1,000-record bodies, v2 bodies of 87,000 records, bodies dripped a byte every 2 s, idle
// keep-alive connections, invalid UTF-8, unknown topics). Prints RSS at start and end and its
// slope, the well-behaved clients' p99 beside a run of them alone (the yardstick, same run),
// statuses by count, /health probes missed, and records acknowledged against records found in
// Kafka (Kafka's own GetOffsetShell). Usage: bench-soak.mjs [soak seconds, default 600].
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

const SOAK_S = Number(process.argv[2] ?? process.env.SOAK_SECONDS ?? 600);
const ALONE_S = Math.max(10, Math.min(60, Math.round(SOAK_S / 10)));
const RATE = 200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const started = brokerUp();
const env = plaintextEnv();
const brokers = env.KAFKA_BOOTSTRAP_SERVERS;
const id = `soak-${randomBytes(3).toString('hex')}`;
const topics = { good: `${id}-good`, batch: `${id}-batch`, flood: `${id}-flood` };
for (const t of Object.values(topics)) createTopic(brokers, t, 3);

const port = await freePort();
const server = spawn(process.execPath, [`${root}/bin/streamforge`, 'serve-producer', '--host', '127.0.0.1', '--port', String(port)], {
  env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
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
function hostile() {
  let running = true;
  const loops = [];
  const floodAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const flood = Buffer.from(JSON.stringify({ records: Array.from({ length: 1000 }, () => ({ value: 0 })) }));
  for (let i = 0; i < 16; i++) {
    loops.push(
      (async () => {
        while (running) {
          const r = await post(`/topics/${topics.flood}?async=true`, flood, 'application/vnd.kafka.json.v2+json', floodAgent);
          count('async flood (1,000 records)', r.status);
          if (r.status === 204) acknowledged.flood += 1000;
          if (r.status === 429) await sleep(10);
        }
      })(),
    );
  }
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
        count(
          'unknown topic',
          (await post('/produce', Buffer.from(JSON.stringify({ topic: `${id}-nope`, message: 1 })), 'application/json', hostileAgent))
            .status,
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
log(`soak: well-behaved and hostile clients for ${SOAK_S} s`);
const stopWatch = watch();
const stopHostile = hostile();
const mixed = await wellBehaved(SOAK_S);
await stopHostile();
const memory = stopWatch();
// async records still in flight: wait until Kafka has them or the producer has given up
await sleep(15_000);
const found = { good: recordsIn(topics.good), batch: recordsIn(topics.batch), flood: recordsIn(topics.flood) };
const asyncFailed = await fetch(`${base}/metrics`)
  .then((r) => r.text())
  .then((t) => [...t.matchAll(/^producer_async_failed_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0));
server.kill('SIGTERM');
const exit = await new Promise((r) => server.on('close', (code) => r(code)));
deleteTopics(brokers, Object.values(topics));
brokerDown(started);

reportRatio('soak: RSS at the start / the peak', memory.start / memory.peak, `${memory.start?.toFixed(0)} vs ${memory.peak.toFixed(0)} MB`);
reportRatio(
  'soak: /health probes answered / sent',
  (memory.probes - memory.misses) / memory.probes,
  `${memory.probes - memory.misses} of ${memory.probes}`,
);
const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
console.log(`soak ${SOAK_S} s, ${new Date().toISOString().slice(0, 10)}`);
console.log(
  `RSS (MB): start ${f(memory.start)}, end ${f(memory.end)}, peak ${f(memory.peak)}; slope ${f(memory.slopeMbPerMin, 2)} MB/min (second half ${f(memory.secondHalfSlopeMbPerMin, 2)})`,
);
console.log(`/health: ${memory.probes - memory.misses} of ${memory.probes} probes answered 200`);
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
console.log(`log: ${f(logBytes / 1024, 0)} KiB at warn; exit ${exit} after SIGTERM`);
