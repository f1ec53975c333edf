#!/usr/bin/env node
// npm run bench:watch — (1) 500,000 events preloaded: `watch --json --from-beginning
// --exit-at-end` throughput side by side in the same run, alternating, with two yardsticks on the
// same topic: `kcat -C -e -J` (librdkafka in C) and the floor, a bare node-rdkafka consume loop
// writing the same lines (bench-watch-floor.mjs); (2) the terminal view in a real terminal (tmux) with 5,000 events/s arriving for 30 s: its
// resident memory, and how far the newest event on screen trails the newest event sent.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Kafka from 'node-rdkafka';
import {
  brokerDown,
  brokerUp,
  childEnvFor,
  createTopic,
  deleteTopics,
  log,
  plaintextEnv,
  reportRatio,
  root,
  rssMb,
} from './bench-common.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
/** how long the terminal view runs under load; 0 leaves it out (bench:check does) */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function event(i, queue) {
  const now = Date.now() / 1000;
  return JSON.stringify({
    event: 'loading',
    queue_id: queue,
    symbol: 'BTCUSDT',
    type: 'api',
    producer: 'bench',
    sent_at: now,
    timestamp: now,
    status: 'loading',
    message: `loading ${i}`,
    finished: false,
    records_written: i,
    time_range: null,
    kafka_topic: null,
  });
}

async function producer(brokers) {
  const p = new Kafka.Producer({
    'bootstrap.servers': brokers,
    dr_cb: true,
    'linger.ms': 20,
    'queue.buffering.max.messages': 1_000_000,
    'compression.codec': 'lz4',
  });
  await new Promise((resolve, reject) => p.connect({}, (err) => (err ? reject(err) : resolve())));
  p.setPollInterval(20);
  return p;
}

async function preload(brokers, topic, n) {
  const p = await producer(brokers);
  let acked = 0;
  const done = new Promise((resolve) => p.on('delivery-report', () => ++acked === n && resolve()));
  for (let i = 0; i < n; i++) {
    const q = `bench-queue-${i % 50}`;
    for (;;) {
      try {
        p.produce(topic, null, Buffer.from(event(i, q)), q, Date.now());
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }
  await done;
  await new Promise((r) => p.disconnect(r));
}

function timed(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(cmd, args, { env, maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, lines: out.toString().split('\n').filter(Boolean).length };
}

async function tuiRun(env, brokers, events) {
  const session = `sf-bench-watch-${process.pid}`;
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  execFileSync('tmux', [
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '160',
    '-y',
    '45',
    `cd ${root} && env ${exports} node ${process.env.WATCH_NODE_OPTIONS ?? ''} bin/streamforge watch; echo "watch exited with $?"; sleep 600`,
  ]);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    // the watch process itself (not the shell around it), found by its unique topic name
    const pid = Number(execFileSync('pgrep', ['-f', 'bin/streamforge watch'], { encoding: 'utf8' }).trim().split('\n').at(-1));
    if (!pid)
      throw new Error(`watch is not running:\n${execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' })}`);
    const p = await producer(brokers);
    let peakRss = 0;
    let worstLagMs = 0;
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
      for (; sent < due; sent++) {
        const q = `live-queue-${sent % 20}`;
        p.produce(events, null, Buffer.from(event(sent, q)), q, Date.now());
      }
      await new Promise((r) => setTimeout(r, 10));
      if ((Date.now() - t0) % 1000 < 12 && Date.now() - t0 > 2000) {
        peakRss = Math.max(peakRss, rssMb(pid));
        // the newest log line's time (the record timestamp) against the clock now
        const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
        const times = [...screen.matchAll(/(\d\d):(\d\d):(\d\d)\.(\d\d\d) loading/g)].map((m) => {
          const d = new Date();
          d.setUTCHours(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
          return d.getTime();
        });
        if (times.length > 0) {
          const lag = Date.now() - Math.max(...times);
          if (process.env.BENCH_VERBOSE) log(`lag ${lag} ms`);
          worstLagMs = Math.max(worstLagMs, lag);
        }
      }
    }
    await new Promise((r) => p.disconnect(r));
    return { sent, peakRss, worstLagMs };
  } finally {
    try {
      execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

async function main() {
  const started = brokerUp();
  try {
    const env = plaintextEnv();
    const id = `bench-watch-${randomBytes(3).toString('hex')}`;
    const events = `${id}-events`;
    createTopic(env.KAFKA_BOOTSTRAP_SERVERS, events, 3);
    createTopic(env.KAFKA_BOOTSTRAP_SERVERS, `${id}-control`, 3);
    log(`preloading ${EVENTS} events`);
    await preload(env.KAFKA_BOOTSTRAP_SERVERS, events, EVENTS);
    const childEnv = childEnvFor(env, id);
    // Alternating rounds, the median of each: one run of any can be slowed by the machine.
    const contestants = {
      kcat: ['kcat', ['-C', '-b', env.KAFKA_BOOTSTRAP_SERVERS, '-t', events, '-o', 'beginning', '-e', '-J', '-q']],
      floor: [process.execPath, [`${root}/scripts/bench-watch-floor.mjs`, env.KAFKA_BOOTSTRAP_SERVERS, events]],
      watch: [process.execPath, [`${root}/bin/streamforge`, 'watch', '--json', '--from-beginning', '--exit-at-end']],
    };
    const runs = { kcat: [], floor: [], watch: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, [cmd, args]] of Object.entries(contestants)) {
        log(`${name} (round ${round} of ${ROUNDS})`);
        const run = timed(cmd, args, childEnv);
        if (run.lines !== EVENTS) throw new Error(`${name} printed ${run.lines} lines of ${EVENTS}`);
        runs[name].push(run);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rate = (name) => median(runs[name].map((r) => r.lines / r.seconds));
    const perRound = (name) => median(runs.watch.map((w, i) => runs[name][i].seconds / w.seconds));
    const [wRate, kRate, fRate] = [rate('watch'), rate('kcat'), rate('floor')];
    const [vsKcat, vsFloor] = [perRound('kcat'), perRound('floor')];
    reportRatio('watch --json / kcat -C -e -J (events/s)', vsKcat, `${wRate.toFixed(0)} vs ${kRate.toFixed(0)} events/s`);
    reportRatio(
      'watch --json / bare node-rdkafka loop that parses (events/s)',
      vsFloor,
      `${wRate.toFixed(0)} vs ${fRate.toFixed(0)} events/s`,
    );
    const all = (name) => runs[name].map((r) => `${r.seconds.toFixed(2)} s`).join(', ');
    const rows = [
      [
        `watch --json, ${EVENTS} events (median of ${ROUNDS})`,
        `${wRate.toFixed(0)} events/s (${all('watch')})`,
        `>= 50,000/s ${wRate >= 50_000 ? 'PASS' : 'FAIL'}`,
      ],
      [
        'bare node-rdkafka consume loop, same lines, payloads parsed (the floor)',
        `${fRate.toFixed(0)} events/s (${all('floor')})`,
        `watch >= 0.9x of the floor: ${vsFloor.toFixed(2)}x ${vsFloor >= 0.9 ? 'PASS' : 'FAIL'}`,
      ],
      [
        'kcat -C -e -J, same topic',
        `${kRate.toFixed(0)} events/s (${all('kcat')})`,
        // no verdict: kcat is the yardstick read beside it; the accepted target is the floor's (docs/benchmarks.md)
        `watch / kcat: ${vsKcat.toFixed(2)}x (median of the rounds' ratios; shown, not judged)`,
      ],
    ];
    const live = `${id}-live`;
    if (SECONDS > 0) {
      createTopic(env.KAFKA_BOOTSTRAP_SERVERS, live, 3);
      log(`terminal view: ${RATE} events/s for ${SECONDS} s`);
      const tui = await tuiRun({ ...childEnv, QUEUE_EVENTS_TOPIC: live }, env.KAFKA_BOOTSTRAP_SERVERS, live);
      rows.push(
        [
          `terminal view, ${RATE}/s for ${SECONDS} s`,
          `peak RSS ${tui.peakRss.toFixed(0)} MB`,
          `<= 200 MB ${tui.peakRss <= 200 ? 'PASS' : 'FAIL'}`,
        ],
        [
          'newest event on screen behind the clock',
          `worst ${tui.worstLagMs} ms (${tui.sent} events sent)`,
          `<= 1000 ms ${tui.worstLagMs <= 1000 ? 'PASS' : 'FAIL'}`,
        ],
      );
    }
    console.log(['| run | result | target |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
    deleteTopics(env.KAFKA_BOOTSTRAP_SERVERS, [events, `${id}-control`, live]);
  } finally {
    brokerDown(started);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
