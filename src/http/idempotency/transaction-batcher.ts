/**
 * Kafka transactions shared by the keyed requests that arrive together (a group commit): one
 * transaction costs a few broker round trips (adding partitions, the commit, its markers), which
 * one request each would pay in full. Requests join the open transaction; it closes to newcomers
 * when its first member finishes, and commits once every member has finished (each with its
 * answer record, or with nothing written). Newcomers wait for the next one. A commit that fails
 * fails every member alike: their records were all in it.
 */
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { TransactionError } from '../../kafka/transaction-error.js';
import type { TransactionControl } from '../../kafka/transactions.js';
import type { KafkaError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';

/** The transactional producer a batcher drives (a KafkaProducer connected with `transactional`). */
export interface TransactionalSender {
  sendMany(msgs: readonly OutgoingMessage[]): Promise<Array<Delivery | KafkaError>>;
  readonly transactions: TransactionControl;
  close(timeoutMs: number): Promise<void>;
}

/** One request's part in a transaction. */
export interface Member {
  /** the request's records, in the transaction */
  send(msgs: readonly OutgoingMessage[]): Promise<Array<Delivery | KafkaError>>;
  /**
   * Done: with the answer record to commit beside the records, or with none (nothing to keep:
   * a member that sent records and has no answer dooms the transaction, which then aborts).
   * Resolves when the transaction committed; rejects with a TransactionError otherwise.
   */
  finish(answer: OutgoingMessage | undefined): Promise<void>;
}

interface Txn {
  members: number;
  finished: number;
  closed: boolean;
  /** a member sent records and finished without an answer: abort */
  doomed: boolean;
  /** the answer records' deliveries: one that failed must not let the records commit alone */
  readonly answers: Array<Promise<Array<Delivery | KafkaError>>>;
  readonly outcome: Promise<void>;
  /** the transaction has begun: records may go in */
  ready: Promise<void>;
  settle: (err?: TransactionError) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface BatcherOptions {
  readonly logger: Logger;
  /** (re)connects the producer: at start, and after it was fenced or a commit's outcome was lost */
  readonly connect: () => Promise<TransactionalSender>;
  readonly commitTimeoutMs: number;
  /** a transaction closes to newcomers this long after it began, even if no member has finished */
  readonly maxOpenMs: number;
  /** told of transactions whose outcome is not known (their records may or may not be in) once a new producer settled it */
  readonly onSettled?: () => void;
}

export class TransactionBatcher {
  readonly #opts: BatcherOptions;
  #sender: Promise<TransactionalSender>;
  #open: Txn | undefined;
  /** the transaction being committed (or aborted): the next begins after it */
  #ending: Promise<void> = Promise.resolve();
  #waiting: Array<() => void> = [];
  #closed = false;

  private constructor(opts: BatcherOptions, sender: TransactionalSender) {
    this.#opts = opts;
    this.#sender = Promise.resolve(sender);
  }

  static async start(opts: BatcherOptions): Promise<TransactionBatcher> {
    return new TransactionBatcher(opts, await opts.connect());
  }

  /** A place in the open transaction, or the next one. */
  async join(): Promise<Member> {
    if (this.#closed) throw new TransactionError('aborted', 'the server is shutting down');
    while (this.#open?.closed) await new Promise<void>((r) => this.#waiting.push(r));
    const sender = await this.#sender;
    const txn = this.#open ?? (await this.#begin(sender));
    txn.members++;
    try {
      await txn.ready;
    } catch (err) {
      txn.members--;
      throw err;
    }
    let sent = false;
    let done = false;
    return {
      send: (msgs) => {
        sent = true;
        return sender.sendMany(msgs);
      },
      finish: (answer) => {
        if (done) return txn.outcome;
        done = true;
        if (answer) txn.answers.push(sender.sendMany([answer]));
        else if (sent) txn.doomed = true;
        txn.finished++;
        txn.closed = true;
        if (txn.finished === txn.members) this.#end(txn, sender);
        return txn.outcome;
      },
    };
  }

  async #begin(sender: TransactionalSender): Promise<Txn> {
    await this.#ending;
    if (this.#open) return this.#open;
    let settle!: (err?: TransactionError) => void;
    const outcome = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
    // a member's own wait ends at the outcome; the promise is never left unobserved
    outcome.catch(() => undefined);
    const txn: Txn = {
      members: 0,
      finished: 0,
      closed: false,
      doomed: false,
      answers: [],
      outcome,
      ready: Promise.resolve(),
      settle,
      timer: undefined,
    };
    txn.ready = sender.transactions.begin().catch((err: unknown) => {
      // nothing began: this transaction takes no one, and the next join begins another
      if (this.#open === txn) this.#open = undefined;
      if (err instanceof TransactionError && err.failure === 'fenced') this.#replace(sender, err);
      throw err;
    });
    this.#open = txn;
    txn.timer = setTimeout(() => (txn.closed = true), this.#opts.maxOpenMs);
    return txn;
  }

  #end(txn: Txn, sender: TransactionalSender): void {
    clearTimeout(txn.timer);
    this.#ending = (async () => {
      try {
        const answered = (await Promise.all(txn.answers)).flat();
        if (answered.some((d) => d instanceof Error)) txn.doomed = true;
        if (txn.doomed) {
          await sender.transactions.abort(this.#opts.commitTimeoutMs);
          txn.settle(new TransactionError('aborted', 'a request in the same transaction failed after writing; nothing was written'));
        } else {
          await sender.transactions.commit(this.#opts.commitTimeoutMs);
          txn.settle();
        }
      } catch (err) {
        const failure = err instanceof TransactionError ? err : new TransactionError('unknown', String(err), { cause: err });
        txn.settle(failure);
        if (failure.failure !== 'aborted') this.#replace(sender, failure);
      } finally {
        this.#open = undefined;
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const wake of waiting) wake();
      }
    })();
  }

  /** A fenced producer, or one whose transaction's outcome was lost: a new one, whose init settles it. */
  #replace(old: TransactionalSender, why: TransactionError): void {
    this.#opts.logger.warn('transactional producer replaced', { reason: why.failure, error: why.message });
    const next = (async () => {
      await old.close(1000).catch(() => undefined);
      for (let attempt = 0; ; attempt++) {
        try {
          const sender = await this.#opts.connect();
          this.#opts.onSettled?.();
          return sender;
        } catch (err) {
          this.#opts.logger.warn('transactional producer did not reconnect; trying again', { attempt, error: (err as Error).message });
          await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
        }
      }
    })();
    this.#sender = next;
    this.#ending = next.then(() => undefined);
  }

  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    await this.#ending;
    await (await this.#sender).close(timeoutMs);
  }
}
