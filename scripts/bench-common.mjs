// What the benchmarks share: the local broker, free ports, Kafka's Java tools, memory readings.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const log = (s) => process.stderr.write(`bench: ${s}\n`);

/** Starts the local broker unless one runs; true when this call started it (and should stop it). */
export function brokerUp() {
  try {
    execFileSync(`${root}/scripts/kafka-local.sh`, ['status'], { stdio: 'ignore' });
    return false;
  } catch {
    log('starting the local broker');
    execFileSync(`${root}/scripts/kafka-local.sh`, ['up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    return true;
  }
}

export function brokerDown(started) {
  if (started) execFileSync(`${root}/scripts/kafka-local.sh`, ['down'], { stdio: 'ignore' });
}

/** A Schema Registry of the benchmark's own (scripts/schema-registry-local.sh, .schema-registry/bench): its URL. */
const benchRegistryEnv = { ...process.env, SCHEMA_REGISTRY_LOCAL_DIR: `${root}/.schema-registry/bench` };
export function registryUp() {
  log('starting a Schema Registry of its own');
  execFileSync(`${root}/scripts/schema-registry-local.sh`, ['up'], { env: benchRegistryEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  return parse(readFileSync(`${root}/.schema-registry/bench/registry.env`, 'utf8')).SCHEMA_REGISTRY_URL;
}

export function registryDown() {
  execFileSync(`${root}/scripts/schema-registry-local.sh`, ['down'], { env: benchRegistryEnv, stdio: 'ignore' });
}

export const plaintextEnv = () => parse(readFileSync(`${root}/.kafka/plaintext.env`, 'utf8'));

/** What a streamforge child process gets: the broker, its own control-plane topics, a log level. */
export const childEnvFor = (env, id, logLevel) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...env,
  QUEUE_CONTROL_TOPIC: `${id}-control`,
  QUEUE_EVENTS_TOPIC: `${id}-events`,
  ...(logLevel ? { LOG_LEVEL: logLevel } : {}),
});

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** One of Kafka's own tools (TopicCommand, EndToEndLatency, ProducerPerformance), quietly. */
export const kafkaTool = (cls, args) =>
  spawnSync(
    'java',
    ['-Dlog4j2.level=WARN', '-Dlog4j2.configurationFile=none', '-cp', `${root}/.kafka/libs/*`, `org.apache.kafka.tools.${cls}`, ...args],
    {
      encoding: 'utf8',
    },
  );

export const createTopic = (brokers, topic, partitions) =>
  kafkaTool('TopicCommand', [
    '--bootstrap-server',
    brokers,
    '--create',
    '--topic',
    topic,
    '--partitions',
    String(partitions),
    '--replication-factor',
    '1',
  ]);

/** The benchmarks' topics go when they are done: 500k-event topics add up on a developer's disk. */
export const deleteTopics = (brokers, topics) =>
  kafkaTool('TopicCommand', ['--bootstrap-server', brokers, '--delete', '--topic', topics.map((t) => t.replace(/[.]/g, '\\.')).join('|')]);

/** CPU time a process has used so far (user + system), in seconds; Linux counts it in 1/100 s. */
export const cpuSeconds = (pid) => {
  // the fields after the command name, which is in parentheses and may contain spaces
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

export const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/**
 * `rate * seconds` calls of `send`, evenly spaced (every millisecond, the ones due by then),
 * open loop: a slow answer does not hold the next send back. `send` returns a promise that
 * settles with its answer; resolves with the seconds it all took, the last answer included.
 */
export function atFixedRate(rate, seconds, send) {
  const total = rate * seconds;
  let sent = 0;
  let settled = 0;
  const start = performance.now();
  const onSettled = () => settled++;
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        sent++;
        send().then(onSettled, onSettled);
      }
      if (sent >= total && settled >= total) {
        clearInterval(tick);
        resolve((performance.now() - start) / 1000);
      }
    }, 1);
  });
}

/** The percentiles (ms) of answered requests' latencies (sorted in place) and the rate reached. */
export function latencySummary(times, elapsedSeconds) {
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return {
    reached: times.length / elapsedSeconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: times.at(-1),
    answered: times.length,
  };
}

/**
 * One ratio for bench:check (scripts/bench-check.mjs): ours against the yardstick measured in
 * the same run, oriented so that higher is better (a speed over the yardstick's, the yardstick's
 * time or memory over ours). Written only when bench:check asks (BENCH_RESULTS names the file).
 */
export function reportRatio(name, ratio, detail) {
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ name, ratio: Number(ratio.toFixed(3)), detail })}\n`);
}
