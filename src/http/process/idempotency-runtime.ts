/**
 * The Kafka parts of Idempotency-Key, started at the first keyed request (a server that never
 * sees one starts nothing): the two topics, the table's reader (both topics from their start,
 * read_committed), the transactional producer behind the group commits, and the fencing of a
 * silent replica's transactional.id. The protocol itself is idempotency/idempotency-store.ts.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaConnection } from '../../config/kafka-connection.js';
import { HttpError } from '../../errors.js';
import type { IngestProfile } from '../../kafka/client-props.js';
import { KafkaProducer } from '../../kafka/producer.js';
import { KafkaReader, type ReceivedMessage } from '../../kafka/reader.js';
import { ensureTopics } from '../../kafka/topics.js';
import { fenceTransactionalId } from '../../kafka/transactions.js';
import type { Logger } from '../../observability/logger.js';
import { IdempotencyStore, type IdempotencyTopics, type KeyedRequests } from '../idempotency/idempotency-store.js';
import { KeyTable } from '../idempotency/key-table.js';
import { decodeAnswer, decodeClaimsRecord } from '../idempotency/table-records.js';
import { TransactionBatcher, type TransactionalSender } from '../idempotency/transaction-batcher.js';

export interface IdempotencyOptions {
  /** the topics' prefix: <prefix>-claims, <prefix>-answers */
  readonly topic: string;
  readonly ttlMs: number;
  readonly transactionTimeoutMs: number;
  readonly replicaId: string;
}

export interface IdempotencyDeps {
  readonly conn: KafkaConnection;
  readonly clientId: string;
  /** the server's ingest producer: claims and releases go through it */
  readonly producer: KafkaProducer;
  readonly profile: Omit<IngestProfile, 'queueMaxMessages' | 'queueMaxBytes'>;
  /** this process's worker number (0 alone) */
  readonly worker: number;
  readonly logger: Logger;
}

/** What the app calls: begin a keyed request (starting everything the first time). */
export interface IdempotencyService extends KeyedRequests {
  close(timeoutMs: number): Promise<void>;
}

/** A claim whose transaction may still be open is taken over this long after the transaction timeout. */
const TAKEOVER_MARGIN_MS = 5000;
/** reading the table to its end at start: past this, keyed requests get 503 and the next one starts again */
const CATCH_UP_MS = 60_000;

function withinMs<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the idempotency topics were not read to their end within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Transactions open side by side per process. One: two measured no faster here (a keyed /produce
 * at 64 connections 1,890-2,050 req/s with two, 1,880-2,120 with one), the machine being the
 * limit (the broker took half a core, the server 0.8), and one is one producer fewer.
 */
const LANES = 1;

/** a group commit takes newcomers this long at most */
const MAX_OPEN_MS = 20;

const topicsOf = (prefix: string): IdempotencyTopics => ({ claims: `${prefix}-claims`, answers: `${prefix}-answers` });

/** Starts on the first call to begin; a failed start is tried again by the next keyed request. */
export function lazyIdempotency(opts: IdempotencyOptions, deps: IdempotencyDeps): IdempotencyService {
  let running: Promise<Running> | undefined;
  const start = (): Promise<Running> => {
    running ??= startIdempotency(opts, deps).catch((err: unknown) => {
      running = undefined;
      deps.logger.warn('Idempotency-Key could not start', { error: (err as Error).message });
      throw HttpError.of('idempotency-unavailable', `keyed requests cannot be served now: ${(err as Error).message}`);
    });
    return running;
  };
  return {
    begin: async (key, fp) => (await start()).store.begin(key, fp),
    close: async (timeoutMs) => {
      const r = await running?.catch(() => undefined);
      await r?.close(timeoutMs);
    },
  };
}

interface Running {
  readonly store: IdempotencyStore;
  close(timeoutMs: number): Promise<void>;
}

async function startIdempotency(opts: IdempotencyOptions, deps: IdempotencyDeps): Promise<Running> {
  const { conn, logger } = deps;
  const topics = topicsOf(opts.topic);
  // expired keys' records go with the log (no compaction needed for claims, written once per request)
  const retention = String(opts.ttlMs + 2 * (opts.transactionTimeoutMs + TAKEOVER_MARGIN_MS));
  await ensureTopics(conn, deps.producer, [topics.claims], {
    clientId: deps.clientId,
    logger,
    config: { 'cleanup.policy': 'delete', 'retention.ms': retention },
  });
  await ensureTopics(conn, deps.producer, [topics.answers], {
    clientId: deps.clientId,
    logger,
    config: { 'cleanup.policy': 'compact,delete', 'retention.ms': retention },
  });
  const owner = `${opts.topic}-${opts.replicaId}-${deps.worker}`;
  // first: its init fences this id's earlier life, so that what that life left open is settled before the table is read
  const settling: { store?: IdempotencyStore } = {};
  const batcher = await TransactionBatcher.start({
    logger,
    lanes: LANES,
    connect: (lane) => transactionalSender(opts, deps, `${owner}-${lane}`),
    commitTimeoutMs: opts.transactionTimeoutMs,
    maxOpenMs: MAX_OPEN_MS,
    onSettled: () =>
      void store?.settleUnknown().catch((err: unknown) => logger.warn('unsettled keys not resolved', { error: String(err) })),
  });
  const table = new KeyTable(opts.ttlMs);
  const progress = new ReadProgress();
  const store = new IdempotencyStore({
    table,
    topics,
    owner,
    incarnation: randomBytes(6).toString('base64url'),
    sendClaim: (msg) => deps.producer.send(msg),
    batcher,
    fence: (transactionalId) =>
      fenceTransactionalId(conn, {
        clientId: `${deps.clientId}-fence`,
        transactionalId,
        timeoutMs: opts.transactionTimeoutMs + TAKEOVER_MARGIN_MS,
        logger,
      }),
    answersRead: async () => progress.reached((await reader.endOffsets(conn.connectTimeoutMs)).filter((p) => p.topic === topics.answers)),
    takeoverAfterMs: opts.transactionTimeoutMs + TAKEOVER_MARGIN_MS,
    claimTimeoutMs: Math.max(5000, deps.profile.deliveryTimeoutMs),
    now: () => Date.now(),
    logger,
  });
  settling.store = store;
  const reader = await openTableReader(deps, topics, store, progress);
  try {
    await withinMs(CATCH_UP_MS, progress.reached(reader.ranges.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.end }))));
  } catch (err) {
    await reader.close();
    await batcher.close(1000).catch(() => undefined);
    throw err;
  }
  store.markCaughtUp();
  logger.info('Idempotency-Key ready', { topics, transactional_id: owner, keys: table.size });
  const sweeper = setInterval(() => table.sweep(Date.now()), Math.min(60_000, opts.ttlMs / 10));
  sweeper.unref();
  return {
    store,
    close: async (timeoutMs) => {
      clearInterval(sweeper);
      await batcher.close(timeoutMs).catch(() => undefined);
      await reader.close();
    },
  };
}

/** Both topics from their start, every record applied to the store's table in its log's order. */
function openTableReader(
  deps: IdempotencyDeps,
  topics: IdempotencyTopics,
  store: IdempotencyStore,
  progress: ReadProgress,
): Promise<KafkaReader> {
  const apply = (m: ReceivedMessage): void => {
    const key = m.key?.toString('utf8');
    if (key === undefined) return;
    if (m.topic === topics.claims) {
      const record = decodeClaimsRecord(m.value);
      if (record) store.onClaimsRecord(key, record);
    } else {
      const answer = decodeAnswer(m.value);
      if (answer) store.onAnswer(key, answer);
    }
  };
  return KafkaReader.open(deps.conn, {
    clientId: `${deps.clientId}-idempotency`,
    logger: deps.logger,
    topics: [topics.claims, topics.answers],
    start: { kind: 'beginning' },
    profile: 'table',
    followNewPartitionsMs: 30_000,
    onBatch: (msgs) => {
      for (const m of msgs) {
        apply(m);
        progress.read(m.topic, m.partition, m.offset + 1);
      }
    },
    onPartitionEnd: (topic, partition, offset) => progress.read(topic, partition, offset),
    onError: (err) => deps.logger.error('the idempotency table stopped reading', { error: err.message }),
  });
}

/** A transactional producer for keyed requests: the ingest tuning, its delivery timeout within the transaction's. */
async function transactionalSender(opts: IdempotencyOptions, deps: IdempotencyDeps, owner: string): Promise<TransactionalSender> {
  const producer = await KafkaProducer.connect(deps.conn, {
    clientId: `${deps.clientId}-txn`,
    logger: deps.logger,
    profile: { ...deps.profile, deliveryTimeoutMs: Math.min(deps.profile.deliveryTimeoutMs, opts.transactionTimeoutMs) },
    refuseWhileDown: true,
    transactional: { id: owner, timeoutMs: opts.transactionTimeoutMs },
  });
  const transactions = producer.transactions;
  if (!transactions) throw new Error('a transactional producer without transactions');
  return { sendMany: (msgs) => producer.sendMany(msgs), transactions, close: (ms) => producer.close(ms) };
}

/** How far the reader has read each partition, and waits for it to reach given offsets. */
class ReadProgress {
  readonly #at = new Map<string, number>();
  #waiters: Array<{ readonly targets: ReadonlyArray<{ topic: string; partition: number; offset: number }>; readonly done: () => void }> =
    [];

  read(topic: string, partition: number, offset: number): void {
    const k = `${topic}/${partition}`;
    if ((this.#at.get(k) ?? 0) >= offset) return;
    this.#at.set(k, offset);
    this.#waiters = this.#waiters.filter((w) => {
      if (!this.#all(w.targets)) return true;
      w.done();
      return false;
    });
  }

  #all(targets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): boolean {
    return targets.every((t) => t.offset <= 0 || (this.#at.get(`${t.topic}/${t.partition}`) ?? 0) >= t.offset);
  }

  reached(targets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (this.#all(targets)) return Promise.resolve();
    return new Promise((done) => this.#waiters.push({ targets, done }));
  }
}
