#!/usr/bin/env node
// The Kafka floor of bench:producer's fixed-rate row: serve-producer's own producer (the
// KafkaProducer of dist/, with the settings serve-producer starts it with), in one process,
// no HTTP, sending the same value at a fixed rate, evenly spaced as bench-fixed-rate.mjs does.
// Each send is timed from the call to its acknowledgement. What /produce's latency cannot go
// below on this machine and broker.
// Usage: bench-kafka-rate.mjs <brokers> <topic> <value> <messages/s> <seconds>; prints JSON
// {reached, p50, p90, p99, p999, max, answered, cpuUs} (cpuUs: its CPU per acknowledged message).
import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { atFixedRate, latencySummary } from './bench-common.mjs';

const [brokers, topic, valueText, rateArg, secondsArg] = process.argv.slice(2);
const { KafkaProducer } = await import('../dist/kafka/producer.js');
const { createLogger } = await import('../dist/observability/logger.js');
const { serveProducerSettings: defaults } = await import('../dist/commands/serve-producer.js');

const conn = { brokers, securityProtocol: 'PLAINTEXT', saslMechanism: 'SCRAM-SHA-512', extra: {}, connectTimeoutMs: 10_000 };
// serve-producer's defaults, and the statistics and metadata probe of src/http/process/server.ts
const producer = await KafkaProducer.connect(conn, {
  clientId: 'bench-kafka-rate',
  logger: createLogger({ level: 'warn', format: 'json', stream: process.stderr }),
  profile: {
    kind: 'ingest',
    deliveryTimeoutMs: defaults.produceTimeout.default,
    compression: defaults.compression.default,
    partitioner: defaults.partitioner.default,
    batchSize: defaults.kafkaBatchSize.default,
    maxRetries: defaults.maxRetries.default,
  },
  statsIntervalMs: 1000,
  refuseWhileDown: true,
  metadataProbe: { everyMs: 5000, staleAfterMs: 15_000 },
});
const value = Buffer.from(valueText);
const rate = Number(rateArg);

/** `seconds` of sends at `rate`: each acknowledged send's latency in ms, and the time it took. */
async function run(seconds) {
  const times = [];
  const send = () => {
    const t0 = performance.now();
    return producer.send({ topic, key: 'user-123', value }).then(() => times.push(performance.now() - t0));
  };
  return { times, elapsed: await atFixedRate(rate, seconds, send) };
}

await run(3); // warm-up, not counted
const cpu0 = cpuUsage();
const { times, elapsed } = await run(Number(secondsArg));
const cpu = cpuUsage(cpu0);
await producer.close();
console.log(JSON.stringify({ ...latencySummary(times, elapsed), cpuUs: (cpu.user + cpu.system) / times.length }));
