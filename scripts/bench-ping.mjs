#!/usr/bin/env node
// npm run bench:ping — ping round trips side by side with Kafka's own EndToEndLatency on the
// same broker in the same run (ratios, not absolute times: these machines are noisy), plus
// `streamforge --help` start-up against `node -e 0`, and the dummy's resident memory.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  brokerDown,
  brokerUp,
  childEnvFor,
  createTopic,
  freePort,
  kafkaTool,
  log,
  plaintextEnv,
  reportRatio,
  root,
  rssMb,
} from './bench-common.mjs';

const bin = `${root}/bin/streamforge`;
const PINGS = Number(process.env.BENCH_PINGS ?? 1000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? 0.01);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wallMs(cmd, args, runs = 21) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function endToEndLatency(env, topic) {
  createTopic(env.KAFKA_BOOTSTRAP_SERVERS, topic, 1);
  const r = kafkaTool('EndToEndLatency', [
    '--bootstrap-server',
    env.KAFKA_BOOTSTRAP_SERVERS,
    '--topic',
    topic,
    '--num-records',
    String(PINGS),
    '--producer-acks',
    'all',
    '--record-size',
    '150',
  ]);
  const avg = /Avg latency: ([\d.]+) ms/.exec(r.stdout);
  const pct = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(r.stdout);
  if (!avg || !pct) throw new Error(`EndToEndLatency gave no figures:\n${r.stdout}\n${r.stderr}`);
  return { avg: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]) };
}

async function main() {
  const startedBroker = brokerUp();
  try {
    const env = plaintextEnv();
    const id = `bench-${randomBytes(3).toString('hex')}`;
    const childEnv = childEnvFor(env, id, 'warn');

    log(`Kafka EndToEndLatency: ${PINGS} records of 150 bytes, acks=all`);
    const e2e = endToEndLatency(env, `${id}-e2e`);

    const port = await freePort();
    const dummy = spawn(process.execPath, [bin, 'dummy', '--queue-id', id, '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], {
      env: childEnv,
      stdio: 'inherit',
    });
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error('the dummy did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`streamforge ping: ${PINGS} pings every ${INTERVAL_S * 1000} ms`);
    const ping = spawnSync(
      process.execPath,
      [bin, 'ping', '--queue-id', id, '--repeat', String(PINGS), '--interval', String(INTERVAL_S), '--json', '--expect-pong'],
      { env: childEnv, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const summary = JSON.parse(ping.stdout.trim().split('\n').at(-1));
    const q = summary.queues[0];
    const rss = rssMb(dummy.pid);
    dummy.kill('SIGTERM');
    await new Promise((r) => dummy.on('close', r));

    const help = wallMs(process.execPath, [bin, '--help']);
    const bare = wallMs(process.execPath, ['-e', '0']);

    // EndToEndLatency truncates its percentiles to whole milliseconds: a printed p50 of 1 is a
    // true p50 in [1, 2) ms. Show the ratio against both ends rather than pretend precision.
    const lo = q.rtt_ms.p50 / (e2e.p50 + 1);
    const hi = q.rtt_ms.p50 / e2e.p50;
    const p50Verdict = hi <= 2.5 ? 'PASS' : lo <= 2.5 ? "PASS at the upper end of the tool's ms bucket, FAIL at its lower end" : 'FAIL';
    reportRatio(
      'ping: EndToEndLatency avg (one way) / ping round trip avg',
      e2e.avg / q.rtt_ms.avg,
      `${e2e.avg.toFixed(2)} vs ${q.rtt_ms.avg.toFixed(2)} ms`,
    );
    reportRatio('start-up: node -e 0 / streamforge --help (time)', bare / help, `${bare.toFixed(1)} vs ${help.toFixed(1)} ms`);
    const rows = [
      [
        'ping round trip p50 (ms)',
        q.rtt_ms.p50,
        `EndToEndLatency p50 (one way; whole ms, true value in [${e2e.p50}, ${e2e.p50 + 1}))`,
        e2e.p50,
        undefined,
        undefined,
        `${lo.toFixed(2)} to ${hi === Infinity ? 'unbounded' : hi.toFixed(2)}`,
        `<= 2.5 ${p50Verdict}`,
      ],
      ['ping round trip p99 (ms)', q.rtt_ms.p99, 'EndToEndLatency p99 (one way)', e2e.p99, q.rtt_ms.p99 / e2e.p99, undefined],
      [
        'ping round trip avg (ms)',
        q.rtt_ms.avg,
        'EndToEndLatency avg (one way; from nanoseconds, precise)',
        e2e.avg,
        q.rtt_ms.avg / e2e.avg,
        2.5,
      ],
      ['streamforge --help (ms)', help, 'node -e 0', bare, help / bare, 2],
    ];
    const out = [
      `| measure | streamforge | yardstick | yardstick value | ratio | target |`,
      `|---|---|---|---|---|---|`,
      ...rows.map(([m, v, y, yv, ratio, target, ratioText, verdict]) => {
        const r = ratioText ?? ratio.toFixed(2);
        const t = verdict ?? (target ? `<= ${target} ${ratio <= target ? 'PASS' : 'FAIL'}` : '');
        return `| ${m} | ${v.toFixed(2)} | ${y} | ${yv.toFixed(2)} | ${r} | ${t} |`;
      }),
      `| dummy resident memory after the run (MB) | ${rss.toFixed(1)} | | | | <= 120 ${rss <= 120 ? 'PASS' : 'FAIL'} |`,
      `| pings sent / received / lost | ${q.sent} / ${q.received} / ${q.lost} | | | | 0 lost ${q.lost === 0 ? 'PASS' : 'FAIL'} |`,
    ];
    console.log(out.join('\n'));
  } finally {
    brokerDown(startedBroker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
