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
  /**
   * Transactions open side by side, each on a producer of its own (a transactional producer
   * has one at a time): while one commits, the next takes newcomers.
   */
  readonly lanes: number;
  /** (re)connects lane `lane`'s producer: at start, and after it was fenced or a commit's outcome was lost */
  readonly connect: (lane: number) => Promise<TransactionalSender>;
  readonly commitTimeoutMs: number;
  /** a transaction closes to newcomers this long after it began, even if no member has finished */
  readonly maxOpenMs: number;
  /** told of transactions whose outcome is not known (their records may or may not be in) once a new producer settled it */
  readonly onSettled?: () => void;
}

/**
 * The lanes together: a newcomer joins the transaction that takes newcomers, else begins one on
 * a free lane, else waits for a lane to end its transaction.
 */
export class TransactionBatcher {
  readonly #lanes: TransactionLane[];
  #waiting: Array<() => void> = [];
  #closed = false;

  private constructor(lanes: TransactionLane[]) {
    this.#lanes = lanes;
  }

  static async start(opts: BatcherOptions): Promise<TransactionBatcher> {
    const batcher: TransactionBatcher = new TransactionBatcher([]);
    const wake = (): void => {
      const waiting = batcher.#waiting;
      batcher.#waiting = [];
      for (const w of waiting) w();
    };
    const lanes = await Promise.all(
      Array.from(
        { length: opts.lanes },
        async (_, lane) => new TransactionLane({ ...opts, connect: () => opts.connect(lane) }, await opts.connect(lane), wake),
      ),
    );
    batcher.#lanes.push(...lanes);
    return batcher;
  }

  async join(): Promise<Member> {
    for (;;) {
      if (this.#closed) throw new TransactionError('aborted', 'the server is shutting down');
      const lane = this.#lanes.find((l) => l.accepting) ?? this.#lanes.find((l) => l.free);
      if (lane) return lane.join();
      await new Promise<void>((r) => this.#waiting.push(r));
    }
  }

  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#lanes.map((l) => l.close(timeoutMs)));
  }
}

type LaneOptions = Omit<BatcherOptions, 'connect' | 'lanes'> & { readonly connect: () => Promise<TransactionalSender> };

/** One transactional producer: one transaction at a time, shared by the requests that join it. */
class TransactionLane {
  readonly #opts: LaneOptions;
  #sender: Promise<TransactionalSender>;
  #open: Txn | undefined;
  /** the transaction being committed (or aborted): the next begins after it */
  #ending: Promise<void> = Promise.resolve();
  #busy = false;
  #replacing: Promise<void> | undefined;
  #waiting: Array<() => void> = [];
  #closed = false;
  readonly #freed: () => void;

  constructor(opts: LaneOptions, sender: TransactionalSender, freed: () => void) {
    this.#opts = opts;
    this.#sender = Promise.resolve(sender);
    this.#freed = freed;
  }

  /** its transaction takes newcomers */
  get accepting(): boolean {
    return this.#open !== undefined && !this.#open.closed;
  }

  /** no transaction, none ending: one may begin */
  get free(): boolean {
    return this.#open === undefined && !this.#busy;
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
        if (answer) txn.answers.push(sender.sendMany([answer]).catch((err: KafkaError) => [err]));
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
    this.#busy = true;
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
        // a replaced producer first: the lane is free once its successor is connected
        await this.#replacing;
        this.#busy = false;
        this.#freed();
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
    this.#replacing = next.then(() => {
      this.#replacing = undefined;
    });
  }

  /** After the open transaction (if any) has ended, within `timeoutMs`; then the producer closes. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    const open = this.#open;
    if (open) await Promise.race([open.outcome.catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.#ending;
    await (await this.#sender).close(timeoutMs);
  }
}
