/**
 * Every librdkafka property streamforge sets, and why. Callers outside src/kafka/ say what a
 * client is for (a profile); this module owns the mapping to librdkafka's names. The user's
 * -X properties are applied last, so they override everything here.
 */
import type { KafkaConnection } from '../config/kafka-connection.js';

/** librdkafka's compression codecs, as its compression.codec property names them */
export const compressions = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof compressions)[number];
/** librdkafka's partitioners; the _random ones spread unkeyed records (Kafka's own behaviour) */
export const partitioners = ['consistent_random', 'murmur2_random', 'murmur2', 'consistent', 'fnv1a_random', 'fnv1a', 'random'] as const;
export type Partitioner = (typeof partitioners)[number];

export type LibrdkafkaProps = Record<string, string | number | boolean>;

const secretKey = /password|secret|token|\.pem$|key\.password|oauthbearer\.config/i;

/** A property whose value must never be shown (logs, errors). */
export function isSecretProperty(key: string): boolean {
  return secretKey.test(key);
}

/** Properties safe to log: every secret-looking value masked. */
export function redactProps(props: LibrdkafkaProps): LibrdkafkaProps {
  return Object.fromEntries(Object.entries(props).map(([k, val]) => [k, isSecretProperty(k) ? '[redacted]' : val]));
}

/** How to reach the cluster: what every client of ours starts from, with the user's -X last. */
export function connectionProps(conn: KafkaConnection, clientId: string): LibrdkafkaProps {
  const props: LibrdkafkaProps = {
    'bootstrap.servers': conn.brokers,
    'client.id': clientId,
    'security.protocol': conn.securityProtocol.toLowerCase(),
  };
  if (conn.securityProtocol.startsWith('SASL_')) {
    props['sasl.mechanisms'] = conn.saslMechanism;
    props['sasl.username'] = conn.user ?? '';
    props['sasl.password'] = conn.password ?? '';
  }
  if (conn.caPath) props['ssl.ca.location'] = conn.caPath;
  return { ...props, ...conn.extra };
}

/**
 * librdkafka's topic-level properties (CONFIGURATION.md, "T"; compression.codec also exists
 * globally and the topic one inherits it). node-rdkafka replaces the default topic
 * configuration with its second constructor argument, so one of these given with the global
 * properties is silently dropped: message.timeout.ms and partitioner were, until they went
 * through `splitTopicProps` (librdkafka's `debug: conf` showed no default topic configuration).
 */
const TOPIC_PROPS = new Set([
  'request.required.acks',
  'acks',
  'request.timeout.ms',
  'message.timeout.ms',
  'delivery.timeout.ms',
  'queuing.strategy',
  'produce.offset.report',
  'partitioner',
  'compression.level',
  'auto.commit.enable',
  'auto.commit.interval.ms',
  'auto.offset.reset',
  'offset.store.path',
  'offset.store.sync.interval.ms',
  'offset.store.method',
  'consume.callback.max.messages',
]);

/** Properties as node-rdkafka's constructors want them: the global ones, and the topic ones. */
export function splitTopicProps(props: LibrdkafkaProps): { readonly global: LibrdkafkaProps; readonly topic: LibrdkafkaProps } {
  const global: LibrdkafkaProps = {};
  const topic: LibrdkafkaProps = {};
  for (const [key, value] of Object.entries(props)) (TOPIC_PROPS.has(key) ? topic : global)[key] = value;
  return { global, topic };
}

/**
 * How late past its delivery timeout a message may be answered "outcome unknown": librdkafka
 * times it out at message.timeout.ms, and the producer's own deadline (for the states in which
 * librdkafka does not) comes this much later, checked every POLL_CADENCE_MS.busy.
 */
export const PRODUCE_TIMEOUT_GRACE_MS = 1000;

/** What a producer is for. */
export type ProducerProfile =
  /**
   * Commands and lifecycle events: tiny, latency-bound (ping measures it), idempotent, and
   * given up after `deliveryTimeoutMs`.
   */
  | { readonly kind: 'control'; readonly deliveryTimeoutMs: number }
  /**
   * HTTP ingestion: acks=all and idempotent (a 200 carries a real offset), batched and
   * compressed as configured, answered within `deliveryTimeoutMs` either way.
   */
  | {
      readonly kind: 'ingest';
      readonly deliveryTimeoutMs: number;
      readonly compression: Compression;
      /** librdkafka's partitioner: murmur2_random places keys as Java clients do */
      readonly partitioner: Partitioner;
      readonly batchSize: number;
      readonly maxRetries: number;
      /** librdkafka's queue bounds: the HTTP layer admits no more than this (http/admission.ts) */
      readonly queueMaxMessages?: number;
      readonly queueMaxBytes?: number;
    }
  /** tests and tools: librdkafka's defaults, linger 1 ms */
  | { readonly kind: 'plain' };

/** What serve-producer's producer is tuned by. */
export type IngestProfile = Extract<ProducerProfile, { readonly kind: 'ingest' }>;

/**
 * Messages go out at once, and Nagle's algorithm (which librdkafka leaves on, unlike the Java
 * client) does not hold small requests back.
 */
const lowLatency: LibrdkafkaProps = { 'linger.ms': 0, 'socket.nagle.disable': true };

export function producerProps(profile: ProducerProfile): LibrdkafkaProps {
  switch (profile.kind) {
    case 'control':
      return { ...lowLatency, 'enable.idempotence': true, 'message.timeout.ms': profile.deliveryTimeoutMs };
    case 'ingest':
      return {
        acks: 'all',
        'enable.idempotence': true,
        'compression.codec': profile.compression,
        // which partition a key goes to: librdkafka's consistent_random, or Java's murmur2_random
        partitioner: profile.partitioner,
        'batch.num.messages': profile.batchSize,
        'message.send.max.retries': profile.maxRetries,
        'retry.backoff.ms': 100,
        'retry.backoff.max.ms': 1000,
        // librdkafka waits up to 5 ms by default to fill a batch, and each single-message request
        // waited with it: 1 ms answered /produce at 64 connections 6.6-6.9k req/s against
        // 5.7-5.9k (p50 8 against 10-11 ms at 2000 req/s) with batches as fast (0 made them 15%
        // slower: a request per message)
        'linger.ms': 1,
        // librdkafka's own 5-minute default would keep a client waiting long after it gave up.
        'message.timeout.ms': profile.deliveryTimeoutMs,
        // ... and a topic that does not exist would hold messages for 30 s before failing them.
        // Half the delivery timeout: "no such topic" (nothing written, a 404) must come before
        // the message's own timeout ("may have been written", a 504), which once won the race.
        'topic.metadata.propagation.max.ms': Math.max(100, Math.floor(profile.deliveryTimeoutMs / 2)),
        'socket.nagle.disable': true,
        ...(profile.queueMaxMessages ? { 'queue.buffering.max.messages': profile.queueMaxMessages } : {}),
        ...(profile.queueMaxBytes ? { 'queue.buffering.max.kbytes': Math.ceil(profile.queueMaxBytes / 1024) } : {}),
      };
    case 'plain':
      return { 'linger.ms': 1 };
  }
}

/**
 * How often librdkafka's events (delivery reports, errors, statistics) are polled for: while
 * messages await their delivery reports (`busy`), and while none does (`idle`: errors and
 * statistics only). A delivery report waits in librdkafka until the next poll, so the busy
 * cadence is added to every answer: at 10 ms, POST /produce's p50 was 9-10 ms at 2000 req/s;
 * a poll costs a few microseconds, so 1 ms costs well under 1% of a core while busy, and
 * nothing while idle. At low load the reports do not wait for it (REPORT_WAIT, below).
 */
export const POLL_CADENCE_MS = { busy: 1, idle: 100 } as const;

/**
 * When delivery reports are waited for on libuv's thread pool rather than polled for (the
 * producer's #waitForReportsAside): when a send comes at least `minGapMs` after the one before
 * (fewer than 4,000 sends a second) and at most `maxInFlight` messages are in flight, in slices
 * of `sliceMs`. POST /produce at a fixed 2000 req/s, alternating runs on one broker: p50
 * 1.03-1.56 ms with it, 2.8-3.4 ms polled at 1 ms. A flush ignores linger.ms, so it costs
 * throughput under load: armed whatever the load, 64 connections lost 5 and 12% and batches 8%;
 * armed on the in-flight count alone, 64 connections still lost about 10% (polling alone was
 * faster in 8 of 10 alternations: at 64 connections the HTTP work, not Kafka, holds most
 * requests, so few are in flight); with the gap as well, 64 connections matched polling alone.
 */
export const REPORT_WAIT = { maxInFlight: 4, sliceMs: 10, minGapMs: 0.25 } as const;

/** What a reader is for. */
export type ReadProfile =
  /** control-plane replies (ping, stop): tiny messages, latency first */
  | 'latency'
  /**
   * A service's command reader: a few megabytes at most between Kafka and the handler, whatever
   * the messages' size (with librdkafka's defaults, 10,000 commands of 1 MB took a dummy from
   * 75 MB to 2.8 GB).
   */
  | 'bounded-memory'
  /** drains a topic as fast as it can (watch --json) */
  | 'bulk'
  /** a long-running screen: shallow prefetch (watch) */
  | 'viewer'
  /**
   * A table every replica reads whole and whose latest records are waited for (Idempotency-Key
   * claims): drained like 'bulk', fetched again after at most 2 ms when idle (at 10 ms a keyed
   * request waited for its claim 5 ms on average).
   */
  | 'table';

export function readerProps(profile: ReadProfile, batches: boolean): LibrdkafkaProps {
  const base: LibrdkafkaProps = {
    // Low fetch wait: control-plane replies are tiny and latency is what ping measures.
    'fetch.wait.max.ms': 10,
    'socket.nagle.disable': true,
    // consume(n) waits for all n messages unless a partition reports its end: with EOF on,
    // a batch comes back as soon as the reader has caught up (else 5,000/s ran 1 s behind).
    ...(batches ? { 'enable.partition.eof': true } : {}),
  };
  switch (profile) {
    case 'latency':
      return base;
    case 'bounded-memory':
      // prefetch at most about 2 MB (librdkafka's default is 64 MB per partition) and fetch
      // again as soon as it drops below that (librdkafka waits 1 s by default)
      return { ...base, 'queued.max.messages.kbytes': 1024, 'fetch.max.bytes': 1024 * 1024, 'fetch.queue.backoff.ms': 5 };
    case 'bulk':
      // librdkafka 2.x waits fetch.queue.backoff.ms (1 s) to fetch again once its queue is full,
      // and this reader drains the queue faster than that: 500k events took 4.2 s with the
      // default and 3.3 s with 1 ms. A smaller queue per partition keeps the memory that costs
      // in check.
      return { ...base, 'fetch.queue.backoff.ms': 1, 'queued.max.messages.kbytes': 8192 };
    case 'table':
      return { ...base, 'fetch.wait.max.ms': 2, 'fetch.queue.backoff.ms': 1, 'queued.max.messages.kbytes': 8192 };
    case 'viewer':
      // a viewer needs no deep prefetch: librdkafka's default is up to 64 MB per partition
      return { ...base, 'queued.max.messages.kbytes': 4096, 'queued.min.messages': 5000 };
  }
}
