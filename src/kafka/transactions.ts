/**
 * Kafka transactions over a node-rdkafka producer that has a transactional.id: records written
 * between begin and commit become visible to read_committed readers all together, or never.
 * librdkafka's answers are read here, once, into what a caller decides on: committed, certainly
 * not written (aborted; or fenced: another producer with the same transactional.id took over,
 * and this one must be made anew), or unknown (the commit's answer never came).
 */
import Kafka from 'node-rdkafka';
import { KafkaError } from '../errors.js';
import { TransactionError } from './transaction-error.js';
import type { Logger } from '../observability/logger.js';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { connectionProps, splitTopicProps } from './client-props.js';
import { connectClient, disconnectWithin } from './connect.js';
import { buildClient } from './error-map.js';

interface TxnError {
  readonly code: number;
  readonly message: string;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;
}

/** The transaction calls of a producer that has a transactional.id. */
export interface TransactionControl {
  /** once, after connecting: fences (aborts) whatever an earlier producer with the same id left open */
  init(timeoutMs: number): Promise<void>;
  /** rejects with a TransactionError: fenced (make a new producer) or aborted (nothing began) */
  begin(): Promise<void>;
  /** resolves once committed; rejects with a TransactionError (aborted, fenced or unknown) */
  commit(timeoutMs: number): Promise<void>;
  /** rejects with a TransactionError when the abort itself cannot be confirmed ('unknown') or the producer is fenced */
  abort(timeoutMs: number): Promise<void>;
}

const call = (fn: (cb: (err: TxnError | null | undefined) => void) => void): Promise<TxnError | undefined> =>
  new Promise((resolve) => fn((err) => resolve(err ?? undefined)));

const RETRY_PAUSE_MS = 50;

/**
 * The calls over one node-rdkafka producer. A retriable commit error (a coordinator moving) is
 * retried until `timeoutMs`; one that requires an abort is aborted here, so that a rejection
 * says what is true of the records: not written, or unknown.
 */
export function transactionControl(client: Kafka.Producer): TransactionControl {
  const abort = async (timeoutMs: number, why: string): Promise<void> => {
    const err = await call((cb) => client.abortTransaction(timeoutMs, cb));
    if (!err) return;
    if (err.isFatal)
      throw new TransactionError('fenced', `the abort failed: ${err.message} (${why})`, { librdkafkaCode: err.code, cause: err });
    // an abort librdkafka could not confirm in time: the coordinator aborts the transaction at
    // its timeout anyway (it was never committed), but this producer cannot begin another yet
    throw new TransactionError('unknown', `the abort was not confirmed: ${err.message} (${why})`, { librdkafkaCode: err.code, cause: err });
  };
  return {
    async init(timeoutMs) {
      const err = await call((cb) => client.initTransactions(timeoutMs, cb));
      if (err) {
        throw new KafkaError(
          'SF_KAFKA',
          'unreachable',
          `cannot start transactions: ${err.message}`,
          'check the transactional id ACL (Write and Describe on it) and that the brokers are up',
          {
            librdkafkaCode: err.code,
            cause: err,
          },
        );
      }
    },
    async begin() {
      // node-rdkafka runs it on libuv's pool: a record produced before it is done is refused ("Erroneous state")
      const err = await call((cb) => client.beginTransaction(cb));
      if (err)
        throw new TransactionError(err.isFatal ? 'fenced' : 'aborted', `cannot begin a transaction: ${err.message}`, {
          librdkafkaCode: err.code,
          cause: err,
        });
    },
    async commit(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const err = await call((cb) => client.commitTransaction(Math.max(1, deadline - Date.now()), cb));
        if (!err) return;
        const from = { librdkafkaCode: err.code, cause: err };
        if (err.isFatal) throw new TransactionError('fenced', `the commit was refused: ${err.message}`, from);
        if (err.isTxnRequiresAbort) {
          await abort(Math.max(1000, deadline - Date.now()), err.message);
          throw new TransactionError('aborted', `the transaction was aborted: ${err.message}`, from);
        }
        if (err.isRetriable && Date.now() + RETRY_PAUSE_MS < deadline) {
          await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
          continue;
        }
        throw new TransactionError('unknown', `the commit was not confirmed within ${timeoutMs} ms: ${err.message}`, from);
      }
    },
    abort: (timeoutMs) => abort(timeoutMs, 'asked to abort'),
  };
}

/** librdkafka's own transaction timeout must hold every message's delivery timeout. */
export const transactionProps = (transactionalId: string, transactionTimeoutMs: number): Record<string, string | number> => ({
  'transactional.id': transactionalId,
  'transaction.timeout.ms': transactionTimeoutMs,
});

/**
 * Fences a transactional.id: a producer of our own takes it (its init aborts whatever
 * transaction the id had open, and bumps its epoch so that the producer holding it can commit
 * nothing more), then goes. How a replica takes over the work of one that went silent.
 */
export async function fenceTransactionalId(
  conn: KafkaConnection,
  opts: { readonly clientId: string; readonly transactionalId: string; readonly timeoutMs: number; readonly logger: Logger },
): Promise<void> {
  const props = { ...connectionProps(conn, opts.clientId), 'transactional.id': opts.transactionalId, dr_cb: false };
  const { global, topic } = splitTopicProps(props);
  const client = buildClient(() => new Kafka.Producer(global, topic));
  await connectClient(client, conn, opts.logger, 'fencing producer');
  try {
    await transactionControl(client).init(opts.timeoutMs);
  } finally {
    await disconnectWithin((done) => client.disconnect(done), 5000, opts.logger, 'fencing producer');
  }
}
