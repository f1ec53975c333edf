/**
 * A reader that never misses a reply: it is assigned every partition of its topics at the
 * high watermark *before* `open` resolves, so whatever is produced afterwards is read. Readers
 * for ping and watch join no shared group and commit nothing (docs/protocol.md). A service's command
 * reader keeps its place in a named group instead (`resumeGroup`): it starts after the group's
 * committed offsets and commits what it handled, yet it still assigns its partitions itself and
 * never joins the group: a join waits 3 s on a broker with Kafka's default initial rebalance
 * delay, and after a SIGKILLed member 45 s for its session to expire (npm run bench:startup).
 */
import { randomUUID } from 'node:crypto';
import Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { Logger } from '../observability/logger.js';
import { connectionProps, readerProps, redactProps, splitTopicProps, type LibrdkafkaProps, type ReadProfile } from './client-props.js';
import { connectClient, disconnectWithin } from './connect.js';
import { buildClient, mapConnectError, mapGroupError, type RdkafkaErrorLike } from './error-map.js';
import { fetchPartitions } from './topics.js';

/** librdkafka's RD_KAFKA_OFFSET_BEGINNING */
const OFFSET_BEGINNING = -2;

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number | undefined;
  /** the record's headers, one object per header (node-rdkafka's form); undefined when it has none */
  readonly headers?: ReadonlyArray<Readonly<Record<string, Buffer>>>;
}

/** Where reading starts in every partition. */
export type StartPosition = { readonly kind: 'end' } | { readonly kind: 'beginning' } | { readonly kind: 'time'; readonly ms: number };

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** the first offset this reader will read */
  readonly start: number;
  /** the high watermark when the reader opened: "the end" for --exit-at-end */
  readonly end: number;
  /** with `resumeGroup`: the offset the group had committed, if it had one */
  readonly committed?: number;
}

/** The next offset to read in one partition: what a consumer group commits. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface ReaderOptions {
  readonly clientId: string;
  readonly logger: Logger;
  readonly topics: readonly string[];
  /** one message at a time, as soon as it arrives (latency) */
  readonly onMessage?: (msg: ReceivedMessage) => void;
  /**
   * or whole batches (throughput: watch reads hundreds of thousands of events a second);
   * a returned promise holds the next batch (backpressure)
   */
  readonly onBatch?: (msgs: ReceivedMessage[]) => void | Promise<void>;
  /**
   * What the reader is for (default 'latency'); 'bounded-memory' requires onBatch: the flowing
   * mode copies messages to JavaScript as fast as they arrive.
   */
  readonly profile?: ReadProfile;
  readonly start?: StartPosition;
  /**
   * Look for partitions that appear later (a topic created after we started, partitions added)
   * this often, and read them from their start. For long-running viewers.
   */
  readonly followNewPartitionsMs?: number;
  /**
   * With onBatch: the reader has read every record of a partition there is (its high
   * watermark, `offset`); a table read from a topic knows from this that it has caught up.
   */
  readonly onPartitionEnd?: (topic: string, partition: number, offset: number) => void;
  /** a failure after opening, e.g. the consume loop stopped */
  readonly onError?: (err: Error) => void;
  /**
   * Resume where this consumer group committed, and allow `commit()`: each partition starts at
   * the group's committed offset, or at `start` where the group has none.
   */
  readonly resumeGroup?: string;
}

/** How long one consume call waits for a message; close() waits a little longer than this. */
const CONSUME_TIMEOUT_MS = 100;
/**
 * One message per consume call when memory is bounded: node-rdkafka returns a batch of n > 1
 * only at n messages or at the partition's end, which the next fetch reports after
 * fetch.wait.max.ms: batches of 4 took a ping's round trip from 2 ms to 17 ms.
 */
const BOUNDED_BATCH = 1;
/** librdkafka's OffsetCommit answer when there was nothing new to commit */
const NO_OFFSET = Kafka.CODES.ERRORS.ERR__NO_OFFSET;
const TIMED_OUT = Kafka.CODES.ERRORS.ERR__TIMED_OUT;
/**
 * Answers that mean "ask again shortly": a group's coordinator moves, or loads, or (on a fresh
 * cluster) its offsets topic is still being created. librdkafka does not retry committed() or
 * a commit on them: the first start against a new broker failed with "Not coordinator".
 */
const COORDINATOR_MOVING = new Set<number>([
  Kafka.CODES.ERRORS.ERR_COORDINATOR_LOAD_IN_PROGRESS,
  Kafka.CODES.ERRORS.ERR_COORDINATOR_NOT_AVAILABLE,
  Kafka.CODES.ERRORS.ERR_NOT_COORDINATOR,
  Kafka.CODES.ERRORS.ERR__WAIT_COORD,
  Kafka.CODES.ERRORS.ERR__TRANSPORT,
]);
const COORDINATOR_RETRY_MS = 100;

async function whileCoordinatorMoves<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as RdkafkaErrorLike).code;
      if (!COORDINATOR_MOVING.has(code) || Date.now() + COORDINATOR_RETRY_MS >= deadline) throw err;
      await new Promise((r) => setTimeout(r, COORDINATOR_RETRY_MS));
    }
  }
}

export class KafkaReader {
  readonly #client: Kafka.KafkaConsumer;
  readonly #logger: Logger;
  readonly #group: string | undefined;
  #closed = false;
  #ranges: PartitionRange[] = [];
  #follow: NodeJS.Timeout | undefined;
  /** commits go one at a time: librdkafka answers each through one shared event */
  #commits: Promise<void> = Promise.resolve();

  private constructor(client: Kafka.KafkaConsumer, logger: Logger, group: string | undefined) {
    this.#client = client;
    this.#logger = logger;
    this.#group = group;
  }

  /** Each assigned partition with its first offset and the end it had when the reader opened. */
  get ranges(): readonly PartitionRange[] {
    return this.#ranges;
  }

  /** Positioned at the end of every partition before it resolves: nothing sent later is missed. */
  static openAtEnd(conn: KafkaConnection, opts: ReaderOptions): Promise<KafkaReader> {
    return KafkaReader.open(conn, { ...opts, start: { kind: 'end' } });
  }

  static async open(conn: KafkaConnection, opts: ReaderOptions): Promise<KafkaReader> {
    const props: LibrdkafkaProps = {
      ...readerProps(opts.profile ?? 'latency', opts.onBatch !== undefined),
      ...connectionProps(conn, opts.clientId),
      // librdkafka wants a group id even for assign(); a unique one shares nothing.
      'group.id': opts.resumeGroup ?? `${opts.clientId}-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      // commit() learns its outcome from this callback (node-rdkafka emits 'offset.commit')
      ...(opts.resumeGroup ? { offset_commit_cb: true } : {}),
    };
    opts.logger.debug('connecting reader', { props: redactProps(props), topics: opts.topics });
    // a user's -X topic property (auto.offset.reset, say) would be dropped among the global ones
    const { global, topic } = splitTopicProps(props);
    const client = buildClient(() => new Kafka.KafkaConsumer(global, { 'auto.offset.reset': 'latest', ...topic }));
    await connectClient(client, conn, opts.logger, 'reader');
    const reader = new KafkaReader(client, opts.logger, opts.resumeGroup);
    try {
      reader.#ranges = await reader.#positions(opts.topics, opts.start ?? { kind: 'end' }, conn.connectTimeoutMs, opts.resumeGroup);
      client.assign(reader.#ranges.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.start })));
      opts.logger.debug('reader positioned', { start: opts.start ?? { kind: 'end' }, ranges: reader.#ranges });
    } catch (err) {
      await reader.close();
      throw err;
    }
    const toReceived = (m: Kafka.Message): ReceivedMessage => ({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: typeof m.key === 'string' ? Buffer.from(m.key) : (m.key ?? null),
      value: m.value,
      timestamp: m.timestamp,
      ...(m.headers?.length ? { headers: m.headers as unknown as ReadonlyArray<Record<string, Buffer>> } : {}),
    });
    const failed = (err: Kafka.LibrdKafkaError): void => {
      opts.logger.error('kafka reader stopped', { code: err.code, error: err.message });
      opts.onError?.(mapConnectError(err, conn.brokers, conn.connectTimeoutMs));
    };
    if (opts.followNewPartitionsMs) reader.#followNewPartitions(opts.topics, opts.followNewPartitionsMs, conn.connectTimeoutMs);
    // A short consume timeout keeps close() prompt.
    client.setDefaultConsumeTimeout(CONSUME_TIMEOUT_MS);
    if (opts.onBatch) {
      const onBatch = opts.onBatch;
      const onEnd = opts.onPartitionEnd;
      if (onEnd)
        client.on('partition.eof', (e: { topic: string; partition: number; offset: number }) => onEnd(e.topic, e.partition, e.offset));
      // consume(n) returns as soon as the local queue is drained, with up to n messages.
      const loop = (): void => {
        if (reader.#closed) return;
        client.consume(opts.profile === 'bounded-memory' ? BOUNDED_BATCH : 5000, (err, msgs) => {
          if (reader.#closed) return;
          if (err) return failed(err);
          const held = msgs.length > 0 ? onBatch(msgs.map(toReceived)) : undefined;
          if (held) held.then(loop, failed);
          else setImmediate(loop);
        });
      };
      loop();
      return reader;
    }
    const onMessage = opts.onMessage ?? (() => undefined);
    // after close(), messages still draining from the consume loop are freed but not delivered
    client.on('data', (m) => void (reader.#closed || onMessage(toReceived(m))));
    // The flowing loop sleeps this long after an empty poll: 0 keeps replies prompt.
    client.setDefaultConsumeLoopTimeoutDelay(0);
    client.consume((err) => {
      if (err && !reader.#closed) failed(err);
    });
    return reader;
  }

  #followNewPartitions(topics: readonly string[], everyMs: number, timeoutMs: number): void {
    let busy = false;
    this.#follow = setInterval(() => {
      if (busy || this.#closed) return;
      busy = true;
      void (async () => {
        for (const topic of topics) {
          const known = new Set(this.#ranges.filter((r) => r.topic === topic).map((r) => r.partition));
          const fresh = (await fetchPartitions(this.#client, topic, timeoutMs)).filter((p) => !known.has(p));
          if (fresh.length === 0 || this.#closed) continue;
          // new partitions are read from their first record: nothing in them is older than us
          this.#client.incrementalAssign(fresh.map((partition) => ({ topic, partition, offset: OFFSET_BEGINNING })));
          this.#ranges = [...this.#ranges, ...fresh.map((partition) => ({ topic, partition, start: 0, end: 0 }))];
          this.#logger.debug('reading new partitions', { topic, partitions: fresh });
        }
      })()
        .catch((err: Error) => this.#logger.debug('partition check failed', { error: err.message }))
        .finally(() => (busy = false));
    }, everyMs);
    this.#follow.unref();
  }

  /**
   * Where each partition starts. With a group, its committed offset wins over `start`: one
   * below the log start (those commands expired) starts at the log start, one beyond the end
   * (the topic was recreated) at the end.
   */
  async #positions(
    topics: readonly string[],
    start: StartPosition,
    timeoutMs: number,
    group: string | undefined,
  ): Promise<PartitionRange[]> {
    const ranges: PartitionRange[] = [];
    for (const topic of topics) {
      const partitions = await fetchPartitions(this.#client, topic, timeoutMs);
      const committed = group ? await this.#committed(group, topic, partitions, timeoutMs) : [];
      const times =
        start.kind === 'time'
          ? await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
              this.#client.offsetsForTimes(
                partitions.map((partition) => ({ topic, partition, offset: start.ms })),
                timeoutMs,
                (err, offsets) => (err ? reject(mapConnectError(err, topic, timeoutMs)) : resolve(offsets)),
              ),
            )
          : [];
      for (const partition of partitions) {
        const { lowOffset, highOffset } = await this.#watermarks(topic, partition, timeoutMs);
        // offsetsForTimes answers -1 when no record is that recent: start at the end then.
        const atTime = times.find((t) => t.partition === partition)?.offset ?? -1;
        const first = start.kind === 'beginning' ? lowOffset : start.kind === 'time' ? (atTime >= 0 ? atTime : highOffset) : highOffset;
        const stored = committed.find((c) => c.partition === partition)?.offset ?? -1;
        ranges.push(
          stored >= 0
            ? { topic, partition, start: Math.min(Math.max(stored, lowOffset), highOffset), end: highOffset, committed: stored }
            : { topic, partition, start: first, end: highOffset },
        );
      }
    }
    return ranges;
  }

  /** The group's committed offsets for these partitions (negative where it has none). */
  #committed(group: string, topic: string, partitions: readonly number[], timeoutMs: number): Promise<Kafka.TopicPartitionOffset[]> {
    const deadline = Date.now() + timeoutMs;
    return whileCoordinatorMoves(
      deadline,
      () =>
        new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
          this.#client.committed(
            partitions.map((partition) => ({ topic, partition })),
            Math.max(100, deadline - Date.now()),
            (err, offsets) => (err ? reject(err) : resolve(offsets)),
          ),
        ),
    ).catch((err: RdkafkaErrorLike) => {
      throw mapGroupError(err, group);
    });
  }

  /** Every read partition's high watermark now: how far a reader that is caught up has read. */
  async endOffsets(timeoutMs: number): Promise<Position[]> {
    return Promise.all(
      this.#ranges.map(async (r) => ({
        topic: r.topic,
        partition: r.partition,
        offset: (await this.#watermarks(r.topic, r.partition, timeoutMs)).highOffset,
      })),
    );
  }

  #watermarks(topic: string, partition: number, timeoutMs: number): Promise<Kafka.WatermarkOffsets> {
    return new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
      this.#client.queryWatermarkOffsets(topic, partition, timeoutMs, (err, offsets) =>
        err ? reject(mapConnectError(err, topic, timeoutMs)) : resolve(offsets),
      ),
    );
  }

  /**
   * Commits these positions to the `resumeGroup` and resolves once the broker has stored them.
   * Commits run one after another, in the order they were asked for.
   */
  commit(positions: readonly Position[], timeoutMs: number): Promise<void> {
    const group = this.#group;
    if (!group) return Promise.reject(new Error('commit() needs a reader opened with resumeGroup'));
    if (positions.length === 0) return Promise.resolve();
    const run = (): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      return whileCoordinatorMoves(deadline, () => this.#commitOnce(positions, Math.max(100, deadline - Date.now()))).catch(
        (err: RdkafkaErrorLike) => {
          throw mapGroupError(err, group);
        },
      );
    };
    const next = this.#commits.then(run, run);
    this.#commits = next.catch(() => undefined);
    return next;
  }

  #commitOnce(positions: readonly Position[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#closed || !this.#client.isConnected()) return reject({ code: -1, message: 'the reader is closed' });
      const timer = setTimeout(() => {
        this.#client.removeListener('offset.commit', onCommit);
        reject({ code: TIMED_OUT, message: `no answer to the commit within ${timeoutMs} ms` });
      }, timeoutMs);
      const onCommit = (err: Kafka.LibrdKafkaError | undefined): void => {
        clearTimeout(timer);
        this.#client.removeListener('offset.commit', onCommit);
        if (err && err.code !== NO_OFFSET) reject(err);
        else resolve();
      };
      this.#client.on('offset.commit', onCommit);
      try {
        this.#client.commit(positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset })));
      } catch (err) {
        onCommit(err as Kafka.LibrdKafkaError);
      }
    });
  }

  /**
   * Whether a broker answers a metadata request for the reader's first topic within `timeoutMs`.
   * librdkafka reconnects by itself and reports nothing when it is back, so a long-running
   * reader's readiness is asked, not remembered.
   */
  async reachable(timeoutMs: number): Promise<boolean> {
    const topic = this.#ranges[0]?.topic;
    if (this.#closed || topic === undefined) return false;
    return fetchPartitions(this.#client, topic, timeoutMs).then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#follow);
    if (this.#client.isConnected()) {
      // node-rdkafka's disconnect discards the messages its consume loop has handed over and
      // JavaScript has not taken yet, without freeing them; each keeps a reference that makes
      // librdkafka's destroy wait forever, and process.exit with it (ping hung in 5 of 10 runs on
      // a loaded machine while the dummy kept sending events). So: no more partitions, then a
      // pause longer than one consume timeout for what is in flight to arrive and be freed.
      try {
        this.#client.unassign();
      } catch (err) {
        this.#logger.debug('unassign before close failed', { error: (err as Error).message });
      }
      await new Promise((r) => setTimeout(r, CONSUME_TIMEOUT_MS + 50));
      await disconnectWithin((done) => this.#client.disconnect(done), 5000, this.#logger, 'reader');
    }
    this.#logger.debug('reader closed');
  }
}
