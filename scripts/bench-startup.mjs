#!/usr/bin/env node
// npm run bench:startup — how long a dummy takes to send `started`, now that its command reader
// keeps its place in a consumer group, side by side in the same run with two yardsticks: the
// dummy without a command reader (--noop: producer and topics only), and what joining the group
// the usual way (subscribe, wait for the rebalance's assignment) takes on the same broker.
//
// Two figures per start: from the spawn to the `started` log line (Node's own start-up
// included), and inside the process from its `starting` line to `started` delivered (the Kafka
// work alone). Medians of BENCH_STARTS runs, the variants alternating so they share the noise.
// BENCH_STARTUP_BIN runs another build (e.g. a checkout of an older commit) in place of ours.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Kafka from 'node-rdkafka';
import { brokerDown, brokerUp, childEnvFor, log, plaintextEnv, reportRatio, root } from './bench-common.mjs';

const bin = process.env.BENCH_STARTUP_BIN ?? `${root}/bin/streamforge`;
const STARTS = Number(process.env.BENCH_STARTS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One dummy start: spawn until `started` is logged, then SIGTERM and wait for the exit. */
function startOnce(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'dummy', '--metrics-port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let result;
    child.stdout.on('data', (d) => {
      out += d;
      if (result) return;
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      const started = lines.find((l) => l.msg === 'event sent' && l.event === 'started');
      if (!started) return;
      const starting = lines.find((l) => l.msg === 'starting');
      result = { spawnMs: performance.now() - t0, inProcessMs: Date.parse(started.time) - Date.parse(starting.time) };
      child.kill('SIGTERM');
    });
    child.on('close', (code) => (result ? resolve(result) : reject(new Error(`dummy exited ${code} before started:\n${out}`))));
  });
}

/**
 * The legacy dummy's restart: a member of the group holds the partitions and is killed
 * (SIGKILL, no LeaveGroup), then a new member joins. The group waits for the dead member's
 * session to expire (librdkafka's session.timeout.ms, 45 s by default) before it assigns.
 */
async function joinAfterKill(env, topic) {
  const group = `bench-join-killed-${randomBytes(4).toString('hex')}`;
  const member = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import Kafka from 'node-rdkafka';
       const c = new Kafka.KafkaConsumer({ 'bootstrap.servers': ${JSON.stringify(env.KAFKA_BOOTSTRAP_SERVERS)}, 'group.id': ${JSON.stringify(group)}, rebalance_cb: (err, a) => { c.assign(a); console.log('assigned'); } }, {});
       c.connect({}, () => { c.subscribe([${JSON.stringify(topic)}]); c.consume(); });`,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => member.stdout.on('data', (d) => String(d).includes('assigned') && resolve()));
  member.kill('SIGKILL');
  await new Promise((resolve) => member.on('close', resolve));
  return joinOnce(env, topic, group);
}

/** The yardstick for a group join: subscribe() and wait for the first assignment. */
function joinOnce(env, topic, group = `bench-join-${randomBytes(4).toString('hex')}`) {
  return new Promise((resolve, reject) => {
    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': env.KAFKA_BOOTSTRAP_SERVERS,
        'group.id': group,
        'enable.auto.commit': false,
        rebalance_cb: true,
      },
      { 'auto.offset.reset': 'latest' },
    );
    let t0;
    consumer.on('rebalance', (err) => {
      if (err.code !== Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) return;
      const ms = performance.now() - t0;
      consumer.disconnect(() => resolve(ms));
    });
    consumer.connect({ timeout: 10_000 }, (err) => {
      if (err) return reject(err);
      t0 = performance.now();
      consumer.subscribe([topic]);
      consumer.consume();
    });
  });
}

async function main() {
  const startedBroker = brokerUp();
  try {
    const env = plaintextEnv();
    const id = `bench-start-${randomBytes(3).toString('hex')}`;
    const childEnv = childEnvFor(env, id, 'info');
    log(`dummy start-up to "started", ${STARTS} starts per variant, alternating (${bin})`);
    await startOnce(['--queue-id', `${id}-warm`], childEnv); // creates the topics, warms the page cache
    const runs = { first: [], resumed: [], noop: [], join: [] };
    await startOnce(['--queue-id', `${id}-again`], childEnv); // the resumed variant's first life
    for (let i = 0; i < STARTS; i++) {
      runs.first.push(await startOnce(['--queue-id', `${id}-new-${i}`], childEnv));
      runs.resumed.push(await startOnce(['--queue-id', `${id}-again`], childEnv));
      runs.noop.push(await startOnce(['--queue-id', `${id}-noop`, '--noop'], childEnv));
      runs.join.push(await joinOnce(env, childEnv.QUEUE_CONTROL_TOPIC));
    }
    const spawnMedian = (xs) => median(xs.map((x) => x.spawnMs));
    reportRatio(
      'dummy start-up: --noop / a later life, spawn to started (time)',
      spawnMedian(runs.noop) / spawnMedian(runs.resumed),
      `${STARTS} starts each`,
    );
    reportRatio(
      'dummy start-up: --noop / a first life, spawn to started (time)',
      spawnMedian(runs.noop) / spawnMedian(runs.first),
      `${STARTS} starts each`,
    );
    // bench:check leaves out the join after a kill: it waits out a 45 s session timeout
    if (process.env.BENCH_QUICK === '1') return;
    log('a group join after its last member was killed (once: it waits out the session timeout)');
    const joinKilledMs = await joinAfterKill(env, childEnv.QUEUE_CONTROL_TOPIC);
    const row = (name, xs) => ({
      variant: name,
      'spawn to started (ms)': Number(median(xs.map((x) => x.spawnMs)).toFixed(1)),
      'starting to started (ms)': median(xs.map((x) => x.inProcessMs)),
    });
    const table = [
      row('dummy, first life of a queue id (no committed offset: end, then committed)', runs.first),
      row('dummy, a later life (resumes the committed offset)', runs.resumed),
      row('yardstick: dummy --noop (no command reader)', runs.noop),
      {
        variant: 'yardstick: a group join alone (subscribe() to the first assignment)',
        'group join (ms)': Number(median(runs.join).toFixed(1)),
      },
      { variant: 'yardstick: the same join after the last member was SIGKILLed', 'group join (ms)': Number(joinKilledMs.toFixed(1)) },
    ];
    console.table(table);
    console.log(JSON.stringify({ bench: 'startup', bin, starts: STARTS, table }));
  } finally {
    brokerDown(startedBroker);
  }
}

await main();
