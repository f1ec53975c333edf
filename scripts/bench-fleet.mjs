#!/usr/bin/env node
// A simulated fleet for bench:monitor: QUEUES queues with realistic lifecycles on the events
// topic (started, loading every ~10 s with growing records_written, then finished, error or
// interrupted after 1-4 minutes, or silence: a killed pod), each ended queue replaced by a new
// one, and pongs for every ping addressed to a queue that is still alive. The events have the
// fleet's shape (docs/protocol.md), half of the pongs the legacy one (no command_id).
// Usage: bench-fleet.mjs <brokers> <control-topic> <events-topic> <queues> <seconds>
// Prints {"events", "pongs", "queues_started"} at the end.
import Kafka from 'node-rdkafka';

const [brokers, controlTopic, eventsTopic, queuesArg = '1000', secondsArg = '60'] = process.argv.slice(2);
const QUEUES = Number(queuesArg);
const SECONDS = Number(secondsArg);
const now = () => Date.now() / 1000;
const rand = (a, b) => a + Math.random() * (b - a);

const producer = new Kafka.Producer({ 'bootstrap.servers': brokers, 'linger.ms': 5, dr_cb: false, 'socket.nagle.disable': true });
await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
producer.setPollInterval(50);
let events = 0;
let pongs = 0;
const send = (e) => {
  events++;
  for (;;) {
    try {
      producer.produce(eventsTopic, null, Buffer.from(JSON.stringify(e)), e.queue_id);
      return;
    } catch {
      producer.poll();
    }
  }
};

const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'ADAUSDT', 'DOGEUSDT'];
const types = ['api', 'ws', 'dummy'];
/** queue id -> { records, alive, nextLoading, endsAt, end } */
const queues = new Map();
let generation = 0;
/** The envelope every event carries (docs/protocol.md). */
function envelope(q, event) {
  const t = now();
  return { event, queue_id: q.id, symbol: q.symbol, type: q.type, producer: `loader-${q.type}`, sent_at: t, timestamp: t };
}
function statusEvent(q, event, extra = {}) {
  return {
    ...envelope(q, event),
    status: event,
    message: `${event} ${q.id}`,
    finished: ['finished', 'error', 'interrupted'].includes(event),
    records_written: q.records,
    time_range: '2024-06-01:2024-06-02',
    kafka_topic: `${q.id}-data`,
    ...extra,
  };
}
function startQueue(delayS) {
  const n = generation++;
  const symbol = symbols[n % symbols.length];
  const q = {
    id: `loader-${symbol.toLowerCase()}-${types[n % 3]}-2024-06-01-${n.toString(36).padStart(5, '0')}`,
    symbol,
    type: types[n % 3],
    records: 0,
    alive: true,
    startsAt: now() + delayS,
    started: false,
    nextLoading: 0,
    endsAt: now() + delayS + rand(60, 240),
    // 80% finish, 8% fail, 7% are interrupted, 5% go silent (a killed pod: no terminal event)
    end: (() => {
      const r = Math.random();
      return r < 0.8 ? 'finished' : r < 0.88 ? 'error' : r < 0.95 ? 'interrupted' : 'silent';
    })(),
  };
  queues.set(q.id, q);
}
// the fleet starts spread over the first 10 s, as Jobs do when a queue manager fans out
for (let i = 0; i < QUEUES; i++) startQueue(rand(0, 10));

const tick = setInterval(() => {
  const t = now();
  for (const q of queues.values()) {
    if (!q.alive) continue;
    if (!q.started) {
      if (t < q.startsAt) continue;
      q.started = true;
      q.nextLoading = t + rand(5, 10);
      send(statusEvent(q, 'started'));
      continue;
    }
    if (t >= q.endsAt) {
      q.alive = false;
      if (q.end !== 'silent')
        send(statusEvent(q, q.end, q.end === 'error' ? { error_message: 'upstream API answered 502 three times' } : {}));
      queues.delete(q.id);
      startQueue(rand(0, 2));
      continue;
    }
    if (t >= q.nextLoading) {
      q.records += Math.floor(rand(100, 1000));
      q.nextLoading = t + rand(8, 12);
      send(statusEvent(q, 'loading'));
    }
  }
}, 100);

// pongs, as the services send them: each live queue answers pings addressed to it
const consumer = new Kafka.KafkaConsumer(
  { 'bootstrap.servers': brokers, 'group.id': `bench-fleet-${process.pid}`, 'enable.auto.commit': false, 'fetch.wait.max.ms': 10 },
  { 'auto.offset.reset': 'latest' },
);
await new Promise((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
consumer.subscribe([controlTopic]);
consumer.setDefaultConsumeLoopTimeoutDelay(0);
consumer.consume();
consumer.on('data', (m) => {
  let c;
  try {
    c = JSON.parse(m.value.toString());
  } catch {
    return;
  }
  const q = queues.get(c.queue_id);
  if (c.command !== 'ping' || !q || !q.started || !q.alive) return;
  pongs++;
  const pong = envelope(q, 'pong');
  Object.assign(pong, { ping_ts: c.sent_at, ponged_at: pong.sent_at });
  // half of the fleet is legacy: no command_id in its pongs
  if (pongs % 2 === 0 && c.command_id) pong.command_id = c.command_id;
  send(pong);
});

setTimeout(() => {
  clearInterval(tick);
  producer.flush(5000, () => {
    console.log(JSON.stringify({ events, pongs, queues_started: generation }));
    // node-rdkafka's consumer disconnect can wait forever on messages handed over and not yet
    // taken (src/kafka/reader.ts): the figures are out, the process ends here
    process.exit(0);
  });
}, SECONDS * 1000);
