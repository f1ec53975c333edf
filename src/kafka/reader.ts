/**
 * A reader that never misses a reply: it is assigned every partition of its topics at the
 * high watermark *before* `open` resolves, so whatever is produced afterwards is read. It joins
 * no shared group and commits nothing (PROTOCOL.md: readers for ping and watch never commit).
 */
import { randomUUID } from 'node:crypto';
import Kafka from 'node-rdkafka';
import { librdkafkaProps, redactProps, type KafkaConnection, type LibrdkafkaProps } from '../config/kafka-connection.js';
import type { Logger } from '../observability/logger.js';
import { connectClient } from './connect.js';
import { mapConnectError } from './error-map.js';
import { fetchPartitions } from './topics.js';

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number | undefined;
}

export interface ReaderOptions {
  readonly clientId: string;
  readonly logger: Logger;
  readonly topics: readonly string[];
  readonly onMessage: (msg: ReceivedMessage) => void;
  /** a failure after opening, e.g. the consume loop stopped */
  readonly onError?: (err: Error) => void;
  readonly props?: LibrdkafkaProps;
}

export class KafkaReader {
  readonly #client: Kafka.KafkaConsumer;
  readonly #logger: Logger;
  #closed = false;

  private constructor(client: Kafka.KafkaConsumer, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  static async openAtEnd(conn: KafkaConnection, opts: ReaderOptions): Promise<KafkaReader> {
    const props: LibrdkafkaProps = {
      // Low fetch wait: control-plane replies are tiny and latency is what ping measures.
      'fetch.wait.max.ms': 10,
      'socket.nagle.disable': true,
      ...opts.props,
      ...librdkafkaProps(conn, opts.clientId),
      // librdkafka wants a group id even for assign(); a unique one shares nothing.
      'group.id': `${opts.clientId}-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
    };
    opts.logger.debug('connecting reader', { props: redactProps(props), topics: opts.topics });
    const client = new Kafka.KafkaConsumer(props, { 'auto.offset.reset': 'latest' });
    await connectClient(client, conn, opts.logger, 'reader');
    const reader = new KafkaReader(client, opts.logger);
    try {
      const assignment = await reader.#endOffsets(opts.topics, conn.connectTimeoutMs);
      client.assign(assignment);
      opts.logger.debug('reader positioned at the end', { assignment });
    } catch (err) {
      await reader.close();
      throw err;
    }
    client.on('data', (m) =>
      opts.onMessage({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: typeof m.key === 'string' ? Buffer.from(m.key) : (m.key ?? null),
        value: m.value,
        timestamp: m.timestamp,
      }),
    );
    // The flowing loop sleeps this long after an empty poll: 0 keeps replies prompt, and
    // the short consume timeout keeps close() prompt.
    client.setDefaultConsumeLoopTimeoutDelay(0);
    client.setDefaultConsumeTimeout(100);
    client.consume((err) => {
      if (err && !reader.#closed) {
        opts.logger.error('kafka reader stopped', { code: err.code, error: err.message });
        opts.onError?.(mapConnectError(err, conn.brokers, conn.connectTimeoutMs));
      }
    });
    return reader;
  }

  async #endOffsets(topics: readonly string[], timeoutMs: number): Promise<Kafka.TopicPartitionOffset[]> {
    const assignment: Kafka.TopicPartitionOffset[] = [];
    for (const topic of topics) {
      const partitions = await fetchPartitions(this.#client, topic, timeoutMs);
      for (const partition of partitions) {
        const { highOffset } = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
          this.#client.queryWatermarkOffsets(topic, partition, timeoutMs, (err, offsets) =>
            err ? reject(mapConnectError(err, topic, timeoutMs)) : resolve(offsets),
          ),
        );
        assignment.push({ topic, partition, offset: highOffset });
      }
    }
    return assignment;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      if (!this.#client.isConnected()) return resolve();
      this.#client.disconnect(() => resolve());
    });
    this.#logger.debug('reader closed');
  }
}
