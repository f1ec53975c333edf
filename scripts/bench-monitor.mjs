#!/usr/bin/env node
// npm run bench:monitor — the monitor following a simulated fleet of 1,000 queues with realistic
// lifecycles (scripts/bench-fleet.mjs) plus a few real dummies, probing every 5 s: its peak
// resident memory, how long a /metrics scrape takes, and its probes' round trip to the real
// dummies against `streamforge ping`'s to the same dummies, in the same run on the same broker.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
  rssMb,
} from './bench-common.mjs';

const bin = `${root}/bin/streamforge`;
const QUEUES = Number(process.env.BENCH_QUEUES ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 75);
const WARMUP_S = 15;
const DUMMIES = 3;
const PROBE_INTERVAL = '5s';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const jsonLines = (text) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return {};
      }
    });

function child(args, env, opts = {}) {
  const p = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  p.out = '';
  p.stdout.on('data', (d) => (p.out += d.toString()));
  p.done = false;
  p.closed = new Promise((r) => p.on('close', r)).then(() => (p.done = true));
  return p;
}

function scrapeMs(port) {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', `http://127.0.0.1:${port}/metrics`]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(Number(out) * 1000) : reject(new Error(`curl exited ${code}`))));
  });
}

async function untilReady(url, what) {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${what} did not become ready`);
}

async function main() {
  const startedBroker = brokerUp();
  const env = plaintextEnv();
  const id = `bench-monitor-${randomBytes(3).toString('hex')}`;
  const childEnv = childEnvFor(env, id, 'warn');
  const [control, events] = [`${id}-control`, `${id}-events`];
  const procs = [];
  try {
    for (const t of [control, events]) createTopic(env.KAFKA_BOOTSTRAP_SERVERS, t, 3);
    const port = await freePort();
    // debug: the monitor logs each answered probe's round trip, which this bench reads
    // BENCH_MONITOR_PROFILE=dir: a CPU profile of the monitor, written when it stops
    const profile = process.env.BENCH_MONITOR_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_MONITOR_PROFILE}`] : [];
    const monitor = child(
      [
        ...profile,
        bin,
        'monitor',
        '--metrics-port',
        String(port),
        '--metrics-host',
        '127.0.0.1',
        '--probe-interval',
        PROBE_INTERVAL,
        '--probe-timeout',
        '2s',
        '--stale',
        '30s',
        '--forget-after',
        '30s',
      ],
      { ...childEnv, LOG_LEVEL: 'debug' },
    );
    procs.push(monitor);
    await untilReady(`http://127.0.0.1:${port}/readyz`, 'the monitor');
    const dummyIds = Array.from({ length: DUMMIES }, (_, i) => `${id}-dummy-${i}`);
    for (const q of dummyIds) {
      const mport = await freePort();
      procs.push(
        child(
          [
            bin,
            'dummy',
            '--queue-id',
            q,
            '--simulate-loading',
            '--loading-interval',
            '10s',
            '--metrics-port',
            String(mport),
            '--metrics-host',
            '127.0.0.1',
          ],
          childEnv,
        ),
      );
      await untilReady(`http://127.0.0.1:${mport}/readyz`, `dummy ${q}`);
    }
    log(`fleet: ${QUEUES} simulated queues for ${SECONDS} s, ${DUMMIES} real dummies; monitor probing every ${PROBE_INTERVAL}`);
    const fleet = child(
      [`${root}/scripts/bench-fleet.mjs`, env.KAFKA_BOOTSTRAP_SERVERS, control, events, String(QUEUES), String(SECONDS)],
      childEnv,
    );
    procs.push(fleet);

    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(monitor.pid))), 500);
    // scraped during the warm-up as well, as Prometheus would (the first scrape of a queue
    // builds its lines; later ones reuse them)
    for (let t = 0; t < WARMUP_S; t += 5) {
      await sleep(5000);
      await scrapeMs(port);
    }
    const windowStart = monitor.out.length;
    log('measuring: scrapes every 5 s, ping beside the probes');
    const ping = child(
      [
        bin,
        'ping',
        '--queue-id',
        dummyIds[0],
        '--repeat',
        String(Math.floor(((SECONDS - WARMUP_S - 10) * 1000) / 250)),
        '--interval',
        '0.25',
        '--json',
      ],
      childEnv,
    );
    const scrapes = [];
    // not while ping's own start-up (node + librdkafka) takes the CPU
    await sleep(2000);
    let last = '';
    while (!fleet.done) {
      // scraped by another process: curl's total time
      scrapes.push(await scrapeMs(port));
      last = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await Promise.race([sleep(5000), fleet.closed]);
    }
    await ping.closed;
    clearInterval(rssTimer);
    const fleetSummary = JSON.parse(fleet.out.trim().split('\n').at(-1));
    const pingSummary = JSON.parse(ping.out.trim().split('\n').at(-1));
    const pingP50 = pingSummary.queues[0].rtt_ms.p50;
    const answeredLines = jsonLines(monitor.out.slice(windowStart)).filter((l) => l.msg === 'probe answered');
    const probeRtts = answeredLines.filter((l) => dummyIds.includes(l.queue_id)).map((l) => l.rtt_ms);
    const fleetRtts = answeredLines.filter((l) => !dummyIds.includes(l.queue_id)).map((l) => l.rtt_ms);
    const probeP50 = pct(probeRtts, 50);
    const seriesLines = last.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const queuesNow = last.split('\n').filter((l) => l.startsWith('streamforge_queue_info{')).length;
    const sum = (name) =>
      last
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const answered = sum('streamforge_probes_total{') - 0;
    reportRatio(
      'monitor: ping p50 / its probe p50 to the same dummies',
      pingP50 / probeP50,
      `${pingP50.toFixed(2)} vs ${probeP50.toFixed(2)} ms`,
    );
    const rows = [
      `| measure | value | yardstick | target |`,
      `|---|---|---|---|`,
      `| monitor peak resident memory (MB) | ${peakRss.toFixed(1)} | | <= 150 ${peakRss <= 150 ? 'PASS' : 'FAIL'} |`,
      `| /metrics scrape (curl's total), p50 / max over ${scrapes.length} (ms) | ${pct(scrapes, 50).toFixed(1)} / ${Math.max(...scrapes).toFixed(1)} | | max <= 100 ${Math.max(...scrapes) <= 100 ? 'PASS' : 'FAIL'} |`,
      `| probe round trip to the real dummies, p50 (ms; ${probeRtts.length} probes) | ${probeP50.toFixed(2)} | ping p50 ${pingP50.toFixed(2)} (${pingSummary.queues[0].received} pings) | ratio ${(probeP50 / pingP50).toFixed(2)} <= 1.5 ${probeP50 / pingP50 <= 1.5 ? 'PASS' : 'FAIL'} |`,
      `| probe round trip to the simulated queues (one process answers them all), p50 / p90 (ms; ${fleetRtts.length} probes) | ${pct(fleetRtts, 50).toFixed(2)} / ${pct(fleetRtts, 90).toFixed(2)} | | |`,
      `| probe / ping round trip to the real dummies, p90 (ms) | ${pct(probeRtts, 90).toFixed(2)} / ${pingSummary.queues[0].rtt_ms.p95.toFixed(2)} (ping's p95) | | |`,
      `| every scrape, in order (ms) | ${scrapes.map((x) => x.toFixed(0)).join(', ')} | | |`,
      `| queues tracked at the end / series in the last scrape | ${queuesNow} / ${seriesLines} | | |`,
      `| fleet: queues started / events / pongs sent | ${fleetSummary.queues_started} / ${fleetSummary.events} / ${fleetSummary.pongs} | | |`,
      `| probes counted (answered + late + lost, all queues) | ${answered} | | |`,
    ];
    console.log(rows.join('\n'));
  } finally {
    for (const p of procs) if (!p.done) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.closed));
    deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [control, events]);
    brokerDown(startedBroker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
