#!/usr/bin/env node
// The Kafka floor of bench:producer's fixed-rate row: serve-producer's own producer (the
// KafkaProducer of dist/, with the settings serve-producer starts it with), in one process,
// no HTTP, sending the same value at a fixed rate, evenly spaced as bench-fixed-rate.mjs does.
// Each send is timed from the call to its acknowledgement. What /produce's latency cannot go
// below on this machine and broker.
// Usage: bench-kafka-rate.mjs <brokers> <topic> <value> <messages/s> <seconds>; prints JSON
// {p50, p90, p99, p999, max, reached, cpuUs} (cpuUs: this process's CPU per acknowledged message).
import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';

const [brokers, topic, valueText, rateArg, secondsArg] = process.argv.slice(2);
const { KafkaProducer } = await import('../dist/kafka/producer.js');
const { createLogger } = await import('../dist/observability/logger.js');

const conn = { brokers, securityProtocol: 'PLAINTEXT', saslMechanism: 'SCRAM-SHA-512', extra: {}, connectTimeoutMs: 10_000 };
// serve-producer's defaults (src/commands/serve-producer.ts, src/http/server.ts)
const producer = await KafkaProducer.connect(conn, {
  clientId: 'bench-kafka-rate',
  logger: createLogger({ level: 'warn', format: 'json', stream: process.stderr }),
  profile: {
    kind: 'ingest',
    deliveryTimeoutMs: 15_000,
    compression: 'snappy',
    partitioner: 'consistent_random',
    batchSize: 10_000,
    maxRetries: 10,
  },
  statsIntervalMs: 1000,
  refuseWhileDown: true,
  metadataProbe: { everyMs: 5000, staleAfterMs: 15_000 },
});
const value = Buffer.from(valueText);
const rate = Number(rateArg);

/** `seconds` of sends at `rate`; resolves with each acknowledged send's latency in ms. */
function run(seconds) {
  const total = rate * seconds;
  const times = [];
  let sent = 0;
  let settled = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        sent++;
        const t0 = performance.now();
        producer.send({ topic, key: 'user-123', value }).then(
          () => {
            times.push(performance.now() - t0);
            settled++;
          },
          () => settled++,
        );
      }
      if (sent >= total && settled >= total) {
        clearInterval(tick);
        resolve({ times, elapsed: (performance.now() - start) / 1000 });
      }
    }, 1);
  });
}

await run(3); // warm-up, not counted
const cpu0 = cpuUsage();
const { times, elapsed } = await run(Number(secondsArg));
const cpu = cpuUsage(cpu0);
await producer.close();
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
console.log(
  JSON.stringify({
    reached: times.length / elapsed,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: times.at(-1),
    cpuUs: (cpu.user + cpu.system) / times.length,
  }),
);
