/**
 * A producer whose `send` resolves once Kafka has acknowledged the message, with the partition
 * and offset the broker really assigned. Closing flushes first and checks the flush, because
 * node-rdkafka's own disconnect flushes with a fixed timeout and ignores the result.
 */
import { performance } from 'node:perf_hooks';
import Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaError } from '../errors.js';
import { LogThrottle } from '../observability/log-throttle.js';
import type { Logger } from '../observability/logger.js';
import {
  connectionProps,
  POLL_CADENCE_MS,
  PRODUCE_TIMEOUT_GRACE_MS,
  REPORT_WAIT,
  producerProps,
  redactProps,
  splitTopicProps,
  type LibrdkafkaProps,
  type ProducerProfile,
} from './client-props.js';
import { connectClient, disconnectWithin } from './connect.js';
import {
  buildClient,
  isRdkafkaError,
  kafkaUnavailable,
  mapProduceError,
  metadataUnavailable,
  normaliseEventError,
  outcomeUnknown,
} from './error-map.js';
import { fetchClusterIdentity, type ClusterIdentity } from './cluster-id.js';
import { MetadataFreshness } from './metadata-freshness.js';
import { transactionControl, transactionProps, type TransactionControl } from './transactions.js';
import { fetchPartitions, fetchTopics, type PartitionSource, type TopicInfo } from './topics.js';

const ALL_BROKERS_DOWN = Kafka.CODES.ERRORS.ERR__ALL_BROKERS_DOWN;

/** What became of messages: the totals a shutdown reports, and late news of timed-out ones. */
export interface ProducerTally {
  acknowledged: number;
  failed: number;
  /** answered "outcome unknown" (the deadline passed, or librdkafka gave up on them in flight) */
  unknown: number;
  /** of the unknown ones: delivery reports that came after the answer, by topic */
  readonly late: Map<string, { acknowledged: number; failed: number }>;
}

export interface OutgoingMessage {
  readonly topic: string;
  /** null: a tombstone */
  readonly value: Buffer | string | null;
  readonly key?: Buffer | string | null;
  readonly partition?: number;
  readonly headers?: ReadonlyArray<Record<string, string | Buffer>>;
  /** the record's timestamp (ms since the epoch); the time of sending when absent */
  readonly timestamp?: number;
}

export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number | undefined;
}

export interface ProducerOptions {
  readonly clientId: string;
  readonly logger: Logger;
  /** what the producer is for; src/kafka/client-props.ts maps it to librdkafka's properties */
  readonly profile: ProducerProfile;
  /** librdkafka statistics interval; enables `queueDepth` */
  readonly statsIntervalMs?: number;
  /**
   * While librdkafka reports every broker down, fail new messages at once as never sent,
   * instead of queueing them (an HTTP client waiting for an answer; a service that can wait
   * for the broker to come back leaves this off).
   */
  readonly refuseWhileDown?: boolean;
  /**
   * Ask the cluster for metadata this often, and refuse new messages as never sent once the
   * probes of about `staleAfterMs` failed in a row (librdkafka does not always report brokers
   * down: a cluster that lost its controller quorum still accepts connections). Judged on the
   * probes' answers, not on a JavaScript clock (metadata-freshness.ts).
   */
  readonly metadataProbe?: { readonly everyMs: number; readonly staleAfterMs: number };
  /** log the acknowledged/failed/unknown totals at info on close (a server); else at debug */
  readonly reportOnClose?: boolean;
  /** a transactional producer (transactions.ts): its id, and the broker's timeout for one transaction */
  readonly transactional?: { readonly id: string; readonly timeoutMs: number };
}

/**
 * A hard bound on waiting for acknowledgements, a little past the profile's delivery timeout:
 * librdkafka's message.timeout.ms does not fire in every state (an idempotent producer still
 * waiting for its producer id when the cluster lost its controller quorum waits on); past this,
 * unacknowledged messages fail as "outcome unknown".
 */
const DEADLINE_GRACE_MS = PRODUCE_TIMEOUT_GRACE_MS;

/** One sendMany call: its results fill in as delivery reports arrive. */
interface Batch {
  readonly results: Array<Delivery | KafkaError>;
  remaining: number;
  readonly done: (results: Array<Delivery | KafkaError>) => void;
}

/** A message awaiting its delivery report: a slot in a batch, not a promise of its own. */
interface Pending {
  readonly topic: string;
  readonly batch: Batch;
  readonly index: number;
  /** performance.now() when it was handed to librdkafka: the deadline counts from here */
  readonly sentAt: number;
}

function settle(batch: Batch, index: number, result: Delivery | KafkaError): void {
  batch.results[index] = result;
  if (--batch.remaining === 0) batch.done(batch.results);
}

export class KafkaProducer implements PartitionSource {
  readonly #client: Kafka.Producer;
  readonly #logger: Logger;
  /** per-message lines (deadline passed, late report): a few per minute, then a count */
  readonly #perMessageLog: LogThrottle;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;
  #queueDepth = 0;
  #deadlineMs: number | undefined;
  /** messages past the deadline, answered "unknown", whose delivery report may still come */
  readonly #expired = new Map<number, string>();
  /** librdkafka said all brokers are down, and none has been seen up since */
  #brokersDown = false;
  #refuseWhileDown = false;
  #reportOnClose = false;
  /** for the closing line: a process may run more than one producer */
  #clientId = '';
  #probe: NodeJS.Timeout | undefined;
  /** polls at POLL_CADENCE_MS.busy while any message awaits its delivery report */
  #busyPoller: NodeJS.Timeout | undefined;
  /** a flush slice waits for delivery reports on libuv's thread pool (#waitForReportsAside) */
  #waitingAside = false;
  /** when the last message was handed to librdkafka (performance.now()) */
  #lastSendAt = Number.NEGATIVE_INFINITY;
  #freshness: MetadataFreshness | undefined;
  readonly #tally: ProducerTally = { acknowledged: 0, failed: 0, unknown: 0, late: new Map() };
  /** asked once, on first use (cluster-id.ts) */
  readonly #identity: () => Promise<ClusterIdentity>;
  /** begin, commit, abort: only a producer connected with `transactional` has them */
  transactions: TransactionControl | undefined;

  private constructor(client: Kafka.Producer, logger: Logger, identity: () => Promise<ClusterIdentity>) {
    this.#client = client;
    this.#logger = logger;
    this.#perMessageLog = new LogThrottle({ logger, burst: 10, intervalMs: 60_000, now: () => performance.now() });
    this.#identity = identity;
    client.on('delivery-report', (err, report) => this.#onDelivery(err, report));
    client.on('event.error', (err) => {
      if (normaliseEventError(err).code === ALL_BROKERS_DOWN) this.#brokersDown = true;
      logger.warn('kafka producer error', { code: err.code, error: err.message });
    });
    client.on('event.stats', (stats: { message?: string }) => {
      try {
        // msg_cnt: messages in librdkafka's queues, not yet acknowledged
        const parsed = JSON.parse(stats.message ?? '{}') as { msg_cnt?: number; brokers?: Record<string, { state?: string }> };
        this.#queueDepth = parsed.msg_cnt ?? this.#queueDepth;
        if (Object.values(parsed.brokers ?? {}).some((b) => b.state === 'UP')) this.#brokersDown = false;
      } catch {
        // a malformed statistics blob only costs one gauge update
      }
    });
  }

  static async connect(conn: KafkaConnection, opts: ProducerOptions): Promise<KafkaProducer> {
    const props: LibrdkafkaProps = {
      ...producerProps(opts.profile),
      ...connectionProps(conn, opts.clientId),
      dr_cb: true,
      ...(opts.statsIntervalMs ? { 'statistics.interval.ms': opts.statsIntervalMs } : {}),
      ...(opts.transactional ? transactionProps(opts.transactional.id, opts.transactional.timeoutMs) : {}),
    };
    opts.logger.debug('connecting producer', { props: redactProps(props) });
    const { global, topic } = splitTopicProps(props);
    const client = buildClient(() => new Kafka.Producer(global, topic));
    await connectClient(client, conn, opts.logger, 'producer');
    // errors and statistics while idle; delivery reports are polled for faster while awaited
    client.setPollInterval(POLL_CADENCE_MS.idle);
    let identity: Promise<ClusterIdentity> | undefined;
    const producer = new KafkaProducer(client, opts.logger, () => {
      // a failed attempt is not kept: the next caller asks again
      identity ??= fetchClusterIdentity(conn, opts.clientId, opts.logger).catch((err: unknown) => {
        identity = undefined;
        throw err;
      });
      return identity;
    });
    if (opts.profile.kind !== 'plain') producer.#deadlineMs = opts.profile.deliveryTimeoutMs + DEADLINE_GRACE_MS;
    producer.#refuseWhileDown = opts.refuseWhileDown ?? false;
    producer.#reportOnClose = opts.reportOnClose ?? false;
    producer.#clientId = opts.clientId;
    if (opts.metadataProbe) producer.#startMetadataProbe(opts.metadataProbe, conn.brokers);
    if (opts.transactional) {
      producer.transactions = transactionControl(client);
      await producer.transactions.init(conn.connectTimeoutMs).catch(async (err: unknown) => {
        await producer.close(1000).catch(() => undefined);
        throw err;
      });
    }
    return producer;
  }

  #startMetadataProbe(probe: { readonly everyMs: number; readonly staleAfterMs: number }, brokers: string): void {
    const freshness = MetadataFreshness.forPeriod(probe.everyMs, probe.staleAfterMs);
    this.#freshness = freshness;
    let outstanding = false;
    this.#probe = setInterval(() => {
      // one probe at a time: a late timer must not stack probes behind a slow one
      if (outstanding) return;
      outstanding = true;
      void this.metadataAnswers(Math.min(3000, probe.everyMs)).then((ok) => {
        outstanding = false;
        freshness.record(ok);
        if (!ok) this.#logger.warn('Kafka did not answer a metadata request', { brokers, failed_in_a_row: freshness.failuresInARow });
      });
    }, probe.everyMs);
    this.#probe.unref();
  }

  /**
   * False when the metadata probe (if any) failed its `staleAfterMs` worth of probes in a row:
   * new messages are then refused as never sent.
   */
  get metadataFresh(): boolean {
    return this.#freshness?.fresh ?? true;
  }

  partitionsOf(topic: string, timeoutMs: number): Promise<number[]> {
    return fetchPartitions(this.#client, topic, timeoutMs);
  }

  /** Every topic of the cluster and its partitions, over the producer's own connection. */
  topics(timeoutMs: number): Promise<TopicInfo[]> {
    // known down: a metadata request would only wait for its timeout (a first request to a topic
    // in an outage once took 5 s to answer 503, where one already known took 2 ms)
    if (this.#refuseWhileDown && this.#brokersDown) return Promise.reject(metadataUnavailable('librdkafka reports every broker down'));
    return fetchTopics(this.#client, timeoutMs);
  }

  /** The cluster's id and controller (a second, short-lived connection the first time). */
  clusterIdentity(): Promise<ClusterIdentity> {
    return this.#identity();
  }

  /** Messages in librdkafka's queues, from its last statistics report. */
  get queueDepth(): number {
    return this.#queueDepth;
  }

  get connected(): boolean {
    return !this.#closed && this.#client.isConnected();
  }

  /**
   * False once librdkafka reported every broker down, until a broker is seen up again (in the
   * statistics, every second) or a message is acknowledged: a message sent now would only wait.
   */
  get brokersUp(): boolean {
    return !this.#brokersDown;
  }

  /** Totals since start, and what became of messages answered "outcome unknown". */
  get tally(): Readonly<ProducerTally> {
    return this.#tally;
  }

  /** True when a broker answered a metadata request in time: the cluster is reachable now. */
  metadataAnswers(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.connected) return resolve(false);
      this.#client.getMetadata({ timeout: timeoutMs }, (err) => resolve(!err));
    });
  }

  /** Messages handed to librdkafka and not yet acknowledged. */
  get inFlight(): number {
    return this.#pending.size;
  }

  async send(msg: OutgoingMessage): Promise<Delivery> {
    const [result] = await this.sendMany([msg]);
    if (result instanceof Error) throw result;
    return result as Delivery;
  }

  /**
   * Many messages, one promise: it resolves when every message has its delivery report, with
   * a Delivery or the error for each, in order. A batch of 100 costs one promise, not 100.
   */
  sendMany(msgs: readonly OutgoingMessage[]): Promise<Array<Delivery | KafkaError>> {
    if (this.#closed) {
      return Promise.reject(new KafkaError('SF_KAFKA', 'not-written', 'the producer is closed', 'this is a bug in streamforge'));
    }
    if (msgs.length === 0) return Promise.resolve([]);
    // Known down: answer at once that nothing was sent, instead of queueing until the deadline.
    if (this.#refuseWhileDown && this.#brokersDown) {
      this.#tally.failed += msgs.length;
      return Promise.resolve(msgs.map((m) => kafkaUnavailable(m.topic, 'librdkafka reports every broker down')));
    }
    if (!this.metadataFresh) {
      this.#tally.failed += msgs.length;
      const why = `no broker answered the last ${this.#freshness?.failuresInARow ?? 0} metadata requests`;
      return Promise.resolve(msgs.map((m) => kafkaUnavailable(m.topic, why)));
    }
    return new Promise((resolve) => {
      const batch: Batch = { results: new Array<Delivery | KafkaError>(msgs.length), remaining: msgs.length, done: resolve };
      const now = Date.now();
      const sentAt = performance.now();
      for (let index = 0; index < msgs.length; index++) {
        const msg = msgs[index] as OutgoingMessage;
        const id = this.#nextId++;
        this.#pending.set(id, { topic: msg.topic, batch, index, sentAt });
        try {
          const value = typeof msg.value === 'string' ? Buffer.from(msg.value) : msg.value;
          this.#client.produce(
            msg.topic,
            msg.partition ?? null,
            value,
            msg.key ?? null,
            msg.timestamp ?? now,
            id,
            msg.headers ? msg.headers.map((h) => ({ ...h })) : undefined,
          );
        } catch (err) {
          this.#pending.delete(id);
          this.#tally.failed++;
          settle(
            batch,
            index,
            isRdkafkaError(err)
              ? mapProduceError(err, msg.topic)
              : new KafkaError('SF_KAFKA_PRODUCE', 'not-written', String(err), 'see the log', { cause: err }),
          );
        }
      }
      this.#pollWhileAwaited();
    });
  }

  /**
   * While any message awaits its delivery report: poll every POLL_CADENCE_MS.busy, and fail
   * what has waited past the deadline. One timer for every message in flight, not one per
   * request: they are checked oldest first (the map keeps send order), so a check stops at the
   * first message still in time.
   */
  #pollWhileAwaited(): void {
    const now = performance.now();
    if (now - this.#lastSendAt >= REPORT_WAIT.minGapMs) this.#waitForReportsAside();
    this.#lastSendAt = now;
    if (this.#busyPoller) return;
    this.#busyPoller = setInterval(() => {
      if (this.#pending.size === 0 || this.#closed) {
        clearInterval(this.#busyPoller);
        this.#busyPoller = undefined;
        return;
      }
      try {
        this.#client.poll();
      } catch {
        // disconnected: close() settles what is left
      }
      if (this.#deadlineMs !== undefined) this.#expireOverdue(performance.now() - this.#deadlineMs);
    }, POLL_CADENCE_MS.busy);
  }

  /**
   * While few messages are in flight, a thread of libuv's pool waits for their reports
   * (node-rdkafka's flush: librdkafka serves the reports there as they arrive and node-rdkafka
   * hands them to this thread at once), instead of them waiting for the next poll. Flushing
   * also makes librdkafka send at once, ignoring linger.ms: right for a lone request, wrong
   * under load, where linger fills batches; hence only when sends are apart
   * (REPORT_WAIT.minGapMs, checked by the caller) and at most REPORT_WAIT.maxInFlight messages
   * are in flight, for REPORT_WAIT.sliceMs at a time, after which the load decides again. The
   * poller goes on beside it (deadlines, and reports under load).
   */
  #waitForReportsAside(): void {
    if (this.#waitingAside || this.#closed || this.#pending.size > REPORT_WAIT.maxInFlight || !this.#client.isConnected()) return;
    this.#waitingAside = true;
    try {
      this.#client.flush(REPORT_WAIT.sliceMs, (err) => {
        this.#waitingAside = false;
        // timed out is the usual end of a slice; any other error leaves the reports to the poller
        if (this.#pending.size > 0 && (!err || err.code === Kafka.CODES.ERRORS.ERR__TIMED_OUT)) this.#waitForReportsAside();
      });
    } catch {
      // disconnected meanwhile: the poller and close() take over
      this.#waitingAside = false;
    }
  }

  /** Fails what was sent before `sentBefore` and is still unacknowledged; a later report finds nothing. */
  #expireOverdue(sentBefore: number): void {
    for (const [id, pending] of this.#pending) {
      if (pending.sentAt > sentBefore) return;
      this.#pending.delete(id);
      // librdkafka still holds it and may yet deliver it: its report, if it comes, is counted late
      this.#expired.set(id, pending.topic);
      this.#tally.unknown++;
      this.#perMessageLog.log('warn', 'no acknowledgement before the deadline: outcome unknown', {
        topic: pending.topic,
        deadline_ms: this.#deadlineMs,
      });
      settle(
        pending.batch,
        pending.index,
        outcomeUnknown(pending.topic, `Kafka did not acknowledge the message within ${this.#deadlineMs} ms; it may still be written`),
      );
    }
  }

  #onDelivery(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    const id = report.opaque as number;
    if (!err) this.#brokersDown = false;
    const pending = this.#pending.get(id);
    if (!pending) return this.#lateReport(id, err);
    this.#pending.delete(id);
    const result = err
      ? mapProduceError(err, pending.topic)
      : { topic: report.topic, partition: report.partition, offset: report.offset, timestamp: report.timestamp };
    if (!err) this.#tally.acknowledged++;
    else if ((result as KafkaError).kind === 'outcome-unknown') this.#tally.unknown++;
    else this.#tally.failed++;
    settle(pending.batch, pending.index, result);
  }

  /** The report of a message already answered "outcome unknown": now it is known. */
  #lateReport(id: number, err: Kafka.LibrdKafkaError | null | undefined): void {
    const topic = this.#expired.get(id);
    if (topic === undefined) return;
    this.#expired.delete(id);
    const late = this.#tally.late.get(topic) ?? { acknowledged: 0, failed: 0 };
    if (err) late.failed++;
    else late.acknowledged++;
    this.#tally.late.set(topic, late);
    this.#perMessageLog.log('warn', 'a message answered "outcome unknown" was delivered late', {
      topic,
      result: err ? 'failed' : 'acknowledged',
      ...(err ? { error: err.message } : {}),
    });
  }

  flush(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.flush(timeoutMs, (err) => {
        if (!err) return resolve();
        reject(
          new KafkaError(
            'SF_KAFKA_PRODUCE',
            'outcome-unknown',
            `${this.#pending.size} message(s) not acknowledged after ${timeoutMs} ms: ${err.message}`,
            'Kafka is unreachable or slow; the messages may be lost',
            { librdkafkaCode: err.code, cause: err },
          ),
        );
      });
    });
  }

  /**
   * Flush, wait for the delivery reports of what the flush sent, then disconnect, all within
   * `timeoutMs` (a shutdown's bound holds whatever the brokers do). Rejects when messages could
   * not be delivered in time. Messages still without a report then are "outcome unknown" (they
   * may be in Kafka), never "failed"; the log says how many of each.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#probe);
    clearInterval(this.#busyPoller);
    this.#busyPoller = undefined;
    const before = { ...this.#tally };
    const end = performance.now() + timeoutMs;
    // the disconnect keeps a share: with the brokers gone, librdkafka's destroy takes its time
    const disconnectMs = Math.min(5000, Math.max(50, Math.floor(timeoutMs / 4)));
    let flushError: unknown;
    try {
      if (this.#pending.size > 0) await this.flush(Math.max(1, timeoutMs - disconnectMs));
    } catch (err) {
      flushError = err;
    }
    // librdkafka has handed its reports to node-rdkafka, which dispatches them to JavaScript
    // asynchronously: poll and yield until they are all here (bounded), or they would be lost.
    const drainUntil = flushError ? 0 : end - disconnectMs;
    while (this.#pending.size > 0 && performance.now() < drainUntil) {
      this.#client.poll();
      await new Promise((r) => setTimeout(r, 5));
    }
    const left = Math.max(disconnectMs, Math.floor(end - performance.now()));
    await disconnectWithin((done) => this.#client.disconnect(done), Math.min(5000, left), this.#logger, 'producer');
    const unknown = this.#pending.size;
    for (const p of this.#pending.values()) {
      settle(p.batch, p.index, outcomeUnknown(p.topic, 'the producer closed before Kafka acknowledged the message; it may be in Kafka'));
    }
    this.#tally.unknown += unknown;
    this.#pending.clear();
    this.#expired.clear();
    this.#perMessageLog.flush();
    this.#logger.log(this.#reportOnClose ? 'info' : 'debug', 'producer closed', {
      client_id: this.#clientId,
      acknowledged_at_shutdown: this.#tally.acknowledged - before.acknowledged,
      failed_at_shutdown: this.#tally.failed - before.failed,
      unknown_at_shutdown: this.#tally.unknown - before.unknown,
      acknowledged_total: this.#tally.acknowledged,
      failed_total: this.#tally.failed,
      unknown_total: this.#tally.unknown,
    });
    if (flushError) throw flushError;
  }
}
