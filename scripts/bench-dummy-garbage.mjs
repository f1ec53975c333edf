#!/usr/bin/env node
// npm run bench:dummy-garbage — a dummy's memory while its control topic fills with garbage.
// BENCH_GARBAGE (default 10,000) malformed commands in rotation: 1 MB of random text, JSON
// nested 50,000 levels deep, 4 KB of binary, a truncated command. The dummy must skip each
// one (counted in dummy_invalid_commands_total) and stay under 100 MB RSS. Printed: RSS after
// `started`, the peak (sampled every 100 ms from /proc, and VmHWM), RSS at the end, and the
// same for a yardstick in the same run: a dummy whose control topic carries nothing.
// BENCH_DUMMY_BIN runs another build (e.g. a checkout of an older commit) in place of ours.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import {
  brokerDown,
  brokerUp,
  childEnvFor,
  createTopic,
  deleteTopics,
  freePort,
  log,
  plaintextEnv,
  reportRatio,
  root,
} from './bench-common.mjs';

const bin = process.env.BENCH_DUMMY_BIN ?? `${root}/bin/streamforge`;
const COUNT = Number(process.env.BENCH_GARBAGE ?? 10_000);
const LIMIT_MB = 100;

const status = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

function garbage(i) {
  switch (i % 4) {
    case 0:
      return Buffer.from(
        randomBytes(768 * 1024)
          .toString('base64')
          .slice(0, 1000 * 1000),
      );
    case 1:
      return Buffer.from(`{"command":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    case 2:
      return randomBytes(4096);
    default:
      return Buffer.from('{"command": "ping", "queue_id": "x", "sent_at": 17');
  }
}

async function produceGarbage(brokers, topic) {
  const producer = new Kafka.Producer({
    'bootstrap.servers': brokers,
    'message.max.bytes': 1_100_000,
    'queue.buffering.max.kbytes': 262_144,
  });
  await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInterval(10);
  for (let i = 0; i < COUNT; i++) {
    for (;;) {
      try {
        producer.produce(topic, null, garbage(i), null);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // local queue full: let it drain
      }
    }
  }
  await new Promise((resolve, reject) => producer.flush(60_000, (err) => (err ? reject(err) : resolve())));
  await new Promise((resolve) => producer.disconnect(resolve));
}

async function invalidCount(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^dummy_invalid_commands_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
}

/** A dummy on its own topics; `feed` fills its control topic while its memory is sampled. */
async function run(label, env, feed) {
  const id = `bench-garbage-${label}-${randomBytes(3).toString('hex')}`;
  const childEnv = childEnvFor(env, id, 'warn');
  createTopic(env.KAFKA_BOOTSTRAP_SERVERS, childEnv.QUEUE_CONTROL_TOPIC, 1);
  createTopic(env.KAFKA_BOOTSTRAP_SERVERS, childEnv.QUEUE_EVENTS_TOPIC, 1);
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'dummy', '--queue-id', id, '--metrics-port', String(port), '--log-level', 'info'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (out.length > 1_000_000) out = out.slice(-100_000);
  });
  while (!out.includes('"event":"started"')) {
    if (child.exitCode !== null) throw new Error(`dummy exited ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const startMb = status(child.pid, 'VmRSS');
  let peak = startMb;
  const sampler = setInterval(() => {
    peak = Math.max(peak, status(child.pid, 'VmRSS'));
  }, 100);
  const t0 = performance.now();
  await feed(childEnv.QUEUE_CONTROL_TOPIC);
  // wait until the dummy has skipped every message (or, for the yardstick, a moment)
  while (feed.expect && (await invalidCount(port)) < feed.expect) await new Promise((r) => setTimeout(r, 200));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const skipped = await invalidCount(port);
  const result = {
    label,
    startMb,
    peakMb: Math.max(peak, status(child.pid, 'VmHWM')),
    endMb: status(child.pid, 'VmRSS'),
    skipped,
    seconds,
  };
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [childEnv.QUEUE_CONTROL_TOPIC, childEnv.QUEUE_EVENTS_TOPIC]);
  return result;
}

const started = brokerUp();
try {
  const env = plaintextEnv();
  const garbageFeed = (topic) => produceGarbage(env.KAFKA_BOOTSTRAP_SERVERS, topic);
  garbageFeed.expect = COUNT;
  const quiet = async () => new Promise((r) => setTimeout(r, 3000));
  log(`a dummy reading ${COUNT} malformed commands (1 MB text, 50,000-deep JSON, binary, truncated), beside an idle one`);
  const rows = [await run('idle', env, quiet), await run('garbage', env, garbageFeed)];
  const mb = (x) => x.toFixed(1);
  console.log('| dummy | RSS after started | peak RSS | RSS at the end | skipped | seconds |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.label} | ${mb(r.startMb)} MB | ${mb(r.peakMb)} MB | ${mb(r.endMb)} MB | ${r.skipped} | ${r.seconds.toFixed(1)} |`);
  const g = rows[1];
  reportRatio(
    "dummy under garbage: the idle dummy's peak RSS / its peak RSS",
    rows[0].peakMb / g.peakMb,
    `${mb(rows[0].peakMb)} vs ${mb(g.peakMb)} MB`,
  );
  console.log(`peak under garbage: ${mb(g.peakMb)} MB (limit ${LIMIT_MB} MB), ${mb(g.peakMb - rows[0].peakMb)} MB above the idle dummy`);
  if (g.skipped !== COUNT) console.log(`WARNING: skipped ${g.skipped} of ${COUNT}`);
  process.exitCode = g.peakMb < LIMIT_MB && g.skipped === COUNT ? 0 : 1;
} finally {
  brokerDown(started);
}
