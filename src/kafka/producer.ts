/**
 * A producer whose `send` resolves once Kafka has acknowledged the message, with the partition
 * and offset the broker really assigned. Closing flushes first and checks the flush, because
 * node-rdkafka's own disconnect flushes with a fixed timeout and ignores the result.
 */
import Kafka from 'node-rdkafka';
import { librdkafkaProps, redactProps, type KafkaConnection, type LibrdkafkaProps } from '../config/kafka-connection.js';
import { KafkaError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { connectClient, disconnectWithin } from './connect.js';
import { buildClient, isRdkafkaError, mapProduceError } from './error-map.js';
import { fetchPartitions, type PartitionSource } from './topics.js';

const TIMED_OUT = Kafka.CODES.ERRORS.ERR__MSG_TIMED_OUT;

export interface OutgoingMessage {
  readonly topic: string;
  readonly value: Buffer | string;
  readonly key?: Buffer | string | null;
  readonly partition?: number;
  readonly headers?: ReadonlyArray<Record<string, string | Buffer>>;
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
  /** librdkafka properties for this use, below the user's -X overrides */
  readonly props?: LibrdkafkaProps;
  /** how often delivery reports are polled for */
  readonly pollIntervalMs?: number;
  /** librdkafka statistics interval; enables `queueDepth` */
  readonly statsIntervalMs?: number;
  /**
   * A hard bound on waiting for acknowledgements. librdkafka's message.timeout.ms does not fire
   * in every state (an idempotent producer still waiting for its producer id when the cluster
   * lost its controller quorum waits on); past this, unacknowledged messages fail as timed out.
   */
  readonly deliveryDeadlineMs?: number;
}

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
}

function settle(batch: Batch, index: number, result: Delivery | KafkaError): void {
  batch.results[index] = result;
  if (--batch.remaining === 0) batch.done(batch.results);
}

export class KafkaProducer implements PartitionSource {
  readonly #client: Kafka.Producer;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;
  #queueDepth = 0;
  #deadlineMs: number | undefined;

  private constructor(client: Kafka.Producer, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
    client.on('delivery-report', (err, report) => this.#onDelivery(err, report));
    client.on('event.error', (err) => logger.warn('kafka producer error', { code: err.code, error: err.message }));
    client.on('event.stats', (stats: { message?: string }) => {
      try {
        // msg_cnt: messages in librdkafka's queues, not yet acknowledged
        this.#queueDepth = (JSON.parse(stats.message ?? '{}') as { msg_cnt?: number }).msg_cnt ?? this.#queueDepth;
      } catch {
        // a malformed statistics blob only costs one gauge update
      }
    });
  }

  static async connect(conn: KafkaConnection, opts: ProducerOptions): Promise<KafkaProducer> {
    const props: LibrdkafkaProps = {
      ...opts.props,
      ...librdkafkaProps(conn, opts.clientId),
      dr_cb: true,
      ...(opts.statsIntervalMs ? { 'statistics.interval.ms': opts.statsIntervalMs } : {}),
    };
    opts.logger.debug('connecting producer', { props: redactProps(props) });
    const client = buildClient(() => new Kafka.Producer(props));
    await connectClient(client, conn, opts.logger, 'producer');
    client.setPollInterval(opts.pollIntervalMs ?? 10);
    const producer = new KafkaProducer(client, opts.logger);
    producer.#deadlineMs = opts.deliveryDeadlineMs;
    return producer;
  }

  partitionsOf(topic: string, timeoutMs: number): Promise<number[]> {
    return fetchPartitions(this.#client, topic, timeoutMs);
  }

  /** Messages in librdkafka's queues, from its last statistics report. */
  get queueDepth(): number {
    return this.#queueDepth;
  }

  get connected(): boolean {
    return !this.#closed && this.#client.isConnected();
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
    if (this.#closed) return Promise.reject(new KafkaError('SF_KAFKA', 'the producer is closed', 'this is a bug in streamforge'));
    if (msgs.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const ids: number[] = [];
      let timer: NodeJS.Timeout | undefined;
      const done = (results: Array<Delivery | KafkaError>): void => {
        clearTimeout(timer);
        resolve(results);
      };
      const batch: Batch = { results: new Array<Delivery | KafkaError>(msgs.length), remaining: msgs.length, done };
      const now = Date.now();
      if (this.#deadlineMs !== undefined) {
        timer = setTimeout(() => this.#expire(ids), this.#deadlineMs);
      }
      msgs.forEach((msg, index) => {
        const id = this.#nextId++;
        ids.push(id);
        this.#pending.set(id, { topic: msg.topic, batch, index });
        try {
          const value = typeof msg.value === 'string' ? Buffer.from(msg.value) : msg.value;
          this.#client.produce(
            msg.topic,
            msg.partition ?? null,
            value,
            msg.key ?? null,
            now,
            id,
            msg.headers ? msg.headers.map((h) => ({ ...h })) : undefined,
          );
        } catch (err) {
          this.#pending.delete(id);
          settle(
            batch,
            index,
            isRdkafkaError(err) ? mapProduceError(err, msg.topic) : new KafkaError('SF_KAFKA_PRODUCE', String(err), 'see the log'),
          );
        }
      });
    });
  }

  /** Fails what is still unacknowledged; a delivery report that comes later finds nothing. */
  #expire(ids: readonly number[]): void {
    for (const id of ids) {
      const pending = this.#pending.get(id);
      if (!pending) continue;
      this.#pending.delete(id);
      this.#logger.warn('no acknowledgement before the deadline', { topic: pending.topic, deadline_ms: this.#deadlineMs });
      settle(pending.batch, pending.index, mapProduceError({ code: TIMED_OUT, message: 'Local: Message timed out' }, pending.topic));
    }
  }

  #onDelivery(err: Kafka.LibrdKafkaError | null | undefined, report: Kafka.DeliveryReport): void {
    const id = report.opaque as number;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    settle(
      pending.batch,
      pending.index,
      err
        ? mapProduceError(err, pending.topic)
        : { topic: report.topic, partition: report.partition, offset: report.offset, timestamp: report.timestamp },
    );
  }

  flush(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.flush(timeoutMs, (err) => {
        if (!err) return resolve();
        reject(
          new KafkaError(
            'SF_KAFKA_PRODUCE',
            `${this.#pending.size} message(s) not acknowledged after ${timeoutMs} ms: ${err.message}`,
            'Kafka is unreachable or slow; the messages may be lost',
            err.code,
          ),
        );
      });
    });
  }

  /** Flush, then disconnect. Rejects when messages could not be delivered in time. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#pending.size > 0) await this.flush(timeoutMs);
      // One more poll so that the delivery reports of the flush are dispatched.
      this.#client.poll();
    } finally {
      await disconnectWithin((done) => this.#client.disconnect(done), 5000, this.#logger, 'producer');
      for (const p of this.#pending.values()) {
        settle(p.batch, p.index, new KafkaError('SF_KAFKA_PRODUCE', 'the producer closed before Kafka acknowledged the message', 'retry'));
      }
      this.#pending.clear();
      this.#logger.debug('producer closed');
    }
  }
}
