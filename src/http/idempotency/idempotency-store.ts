/**
 * The Idempotency-Key store: every replica's copy of the key table (key-table.ts), fed by a
 * reader of the claims and answers topics, and the protocol a keyed request follows on it:
 * look the key up (replay, 422, 409), claim it in the claims topic and wait until the claim is
 * read back (the first claim in the log wins), write the request's records and its answer in one
 * transaction (transaction-batcher.ts), then answer. A claim whose holder went silent is taken
 * over only after fencing the holder's transactional.id (whatever it left open is then aborted
 * or committed, for good) and reading the answers to their end. Kafka does the I/O through the
 * functions passed in; this module loads none of it.
 */
import { HttpError } from '../../errors.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { TransactionError } from '../../kafka/transaction-error.js';
import type { Logger } from '../../observability/logger.js';
import type { Answer, Claim, KeyTable } from './key-table.js';
import { encodeAnswer, encodeClaim, encodeRelease, type ClaimsRecord } from './table-records.js';
import type { Member, TransactionBatcher } from './transaction-batcher.js';

export interface IdempotencyTopics {
  readonly claims: string;
  readonly answers: string;
}

export interface StoreDeps {
  readonly table: KeyTable;
  readonly topics: IdempotencyTopics;
  /** this process's transactional.id, written into its claims */
  readonly owner: string;
  /** unique to this process's life: its claims' ids start with it */
  readonly incarnation: string;
  /** the plain (idempotent, acks=all) producer: claims and releases */
  readonly sendClaim: (msg: OutgoingMessage) => Promise<Delivery>;
  readonly batcher: TransactionBatcher;
  /** fences another process's transactional.id */
  readonly fence: (transactionalId: string) => Promise<void>;
  /** resolves once the table has read the answers topic up to its end as of the call */
  readonly answersRead: () => Promise<void>;
  /** a claim unanswered for this long may be taken over (past the transaction timeout) */
  readonly takeoverAfterMs: number;
  /** how long a claim may take to be written and read back */
  readonly claimTimeoutMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

/** A won claim: the request's records go through `member`, then `settle` commits them with the answer. */
export interface Lease {
  readonly member: Member;
  /**
   * With the answer to keep (the request wrote records) or without (it wrote none). Resolves
   * once committed; rejects with a TransactionError (aborted: nothing written; unknown).
   */
  settle(answer: { status: number; contentType: string; body: string } | undefined): Promise<void>;
}

export type Begun = { readonly kind: 'replay'; readonly answer: Answer } | { readonly kind: 'lease'; readonly lease: Lease };

/** What the app asks of Idempotency-Key: a keyed request begun (a replay or a lease), or its 409/422/503 thrown. */
export interface KeyedRequests {
  begin(key: string, fp: string): Promise<Begun>;
}

interface Waiter {
  readonly resolve: (won: boolean) => void;
}

export class IdempotencyStore implements KeyedRequests {
  readonly #d: StoreDeps;
  #caughtUp = false;
  #counter = 0;
  /** claims of this process waiting to be read back, by nonce */
  readonly #waiters = new Map<string, Waiter>();
  /** keys this process is working on now: key -> its claim's nonce */
  readonly #inFlight = new Map<string, string>();
  /** claims whose transaction's outcome is not known yet: never reclaimed by this process until settled */
  readonly #unsettled = new Map<string, string>();

  constructor(deps: StoreDeps) {
    this.#d = deps;
  }

  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** The reader read both topics to the end they had at start. */
  markCaughtUp(): void {
    this.#caughtUp = true;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A record of the claims topic, in log order. */
  onClaimsRecord(key: string, record: ClaimsRecord): void {
    if (record.kind === 'release') return this.#d.table.applyRelease(key, record.nonce);
    const won = this.#d.table.applyClaim(key, record.claim);
    const waiter = this.#waiters.get(record.claim.nonce);
    if (waiter) {
      this.#waiters.delete(record.claim.nonce);
      waiter.resolve(won);
    }
  }

  onAnswer(key: string, answer: Answer): void {
    this.#d.table.applyAnswer(key, answer);
  }

  /** The protocol for one keyed request, up to a replay or a won claim; throws the 409, 422 or 503. */
  async begin(key: string, fp: string): Promise<Begun> {
    if (!this.#caughtUp) throw unavailable('serve-producer is still reading the idempotency topics');
    if (this.#inFlight.has(key)) throw inProgress(key);
    const over = await this.#claimable(key, fp);
    if ('replay' in over) return { kind: 'replay', answer: over.replay };
    const nonce = `${this.#d.incarnation}.${(this.#counter++).toString(36)}`;
    this.#inFlight.set(key, nonce);
    try {
      const claim: Claim = { fp, owner: this.#d.owner, nonce, at: this.#d.now(), ...(over.nonce ? { over: over.nonce } : {}) };
      const won = await this.#claim(key, claim);
      if (!won) {
        this.#inFlight.delete(key);
        const now = await this.#claimable(key, fp, false);
        if ('replay' in now) return { kind: 'replay', answer: now.replay };
        throw inProgress(key);
      }
      let member: Member;
      try {
        member = await this.#d.batcher.join();
      } catch (err) {
        this.#release(key, nonce);
        throw unavailable(`no Kafka transaction could begin: ${(err as Error).message}`);
      }
      return { kind: 'lease', lease: this.#lease(key, fp, nonce, member) };
    } catch (err) {
      if (this.#inFlight.get(key) === nonce) this.#inFlight.delete(key);
      throw err;
    }
  }

  /**
   * What the table says of a key before claiming it: a replay, a 422 or 409 (thrown), or the
   * claim a new claim must name to take the key over (none for a free key).
   */
  async #claimable(key: string, fp: string, mayTakeOver = true): Promise<{ replay: Answer } | { nonce?: string }> {
    const look = this.#d.table.lookup(key, this.#d.now());
    if (look.kind === 'free') return {};
    const held = look.kind === 'answered' ? look.answer : look.claim;
    if (held.fp !== fp) throw reused(key);
    if (look.kind === 'answered') return { replay: look.answer };
    const claim = look.claim;
    if (!mayTakeOver || this.#unsettled.has(claim.nonce) || this.#inFlight.get(key) === claim.nonce) throw inProgress(key);
    // this process's own claim, from an earlier life (its start fenced that) or whose transaction aborted
    if (claim.owner === this.#d.owner) return { nonce: claim.nonce };
    if (this.#d.now() - claim.at < this.#d.takeoverAfterMs) throw inProgress(key);
    this.#d.logger.info('taking over an unanswered Idempotency-Key claim', {
      owner: claim.owner,
      claimed_ms_ago: this.#d.now() - claim.at,
    });
    try {
      await this.#d.fence(claim.owner);
      await this.#d.answersRead();
    } catch (err) {
      throw unavailable(`the silent claim's producer could not be fenced: ${(err as Error).message}`);
    }
    return this.#claimable(key, fp, false).catch((err: unknown) => {
      // still held by the same claim: its producer is fenced and it has no answer, so it is ours to take
      const again = this.#d.table.lookup(key, this.#d.now());
      if (again.kind === 'claimed' && again.claim.nonce === claim.nonce) return { nonce: claim.nonce };
      throw err;
    });
  }

  /** Writes the claim and waits for it to be read back; true when it won. */
  async #claim(key: string, claim: Claim): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const readBack = new Promise<boolean>((resolve) => {
      this.#waiters.set(claim.nonce, { resolve });
      timer = setTimeout(() => resolve(false), this.#d.claimTimeoutMs);
    });
    try {
      await this.#d.sendClaim({ topic: this.#d.topics.claims, key, value: encodeClaim(claim) });
    } catch (err) {
      this.#waiters.delete(claim.nonce);
      clearTimeout(timer);
      throw unavailable(`the claim could not be written: ${(err as Error).message}`);
    }
    const won = await readBack;
    clearTimeout(timer);
    if (this.#waiters.delete(claim.nonce)) throw unavailable(`the claim was not read back within ${this.#d.claimTimeoutMs} ms`);
    return won;
  }

  #lease(key: string, fp: string, nonce: string, member: Member): Lease {
    let sent = false;
    const tracked: Member = {
      send: (msgs) => {
        sent = true;
        return member.send(msgs);
      },
      finish: (answer) => member.finish(answer),
    };
    return {
      member: tracked,
      settle: async (reply) => {
        if (!reply || (!sent && !isFinal(reply.status))) {
          await member.finish(undefined).catch(() => undefined);
          this.#release(key, nonce);
          return;
        }
        const answer: Answer = { fp, status: reply.status, contentType: reply.contentType, body: reply.body, at: this.#d.now(), nonce };
        try {
          await member.finish({ topic: this.#d.topics.answers, key, value: encodeAnswer(answer) });
          // committed: known here before the reader brings it back, so a retry here replays it
          this.#d.table.applyAnswer(key, answer);
          this.#inFlight.delete(key);
        } catch (err) {
          if (err instanceof TransactionError && err.failure === 'unknown') {
            this.#unsettled.set(nonce, key);
            this.#inFlight.delete(key);
          } else this.#release(key, nonce);
          throw err;
        }
      },
    };
  }

  /** Nothing of this claim was written: others may claim the key at once. */
  #release(key: string, nonce: string): void {
    // not applied to the table here: a claim again by this process names this one (`over`), which
    // every replica's table accepts whether it has read the release yet or not
    this.#inFlight.delete(key);
    this.#d.sendClaim({ topic: this.#d.topics.claims, key, value: encodeRelease(nonce) }).catch((err: unknown) => {
      // not fatal: the claim is this process's, which may claim again; others wait for the takeover
      this.#d.logger.warn('an Idempotency-Key release was not written', { error: (err as Error).message });
    });
  }

  /**
   * A new transactional producer settled the transactions whose outcome was lost: each of
   * their claims has its answer by now, or was aborted with nothing written.
   */
  async settleUnknown(): Promise<void> {
    if (this.#unsettled.size === 0) return;
    await this.#d.answersRead();
    for (const [nonce, key] of this.#unsettled) {
      this.#unsettled.delete(nonce);
      const look = this.#d.table.lookup(key, this.#d.now());
      if (look.kind === 'answered' && look.answer.nonce === nonce) continue;
      this.#release(key, nonce);
    }
  }
}

/**
 * An answer that a retry would get again, so it is kept even when nothing was written (a 400, a
 * 404, a 413): every answer but those that say "try again" (408, 409, 425, 429 and 5xx), after
 * which a retry must be free to succeed.
 */
export const isFinal = (status: number): boolean => status < 500 && ![408, 409, 425, 429].includes(status);

const inProgress = (key: string): HttpError =>
  HttpError.of('idempotency-in-progress', `a request with Idempotency-Key ${JSON.stringify(key)} is still in progress`);

const reused = (key: string): HttpError =>
  HttpError.of(
    'idempotency-key-reused',
    `Idempotency-Key ${JSON.stringify(key)} was used for a different request (another method, path, media type or body)`,
  );

const unavailable = (why: string): HttpError => HttpError.of('idempotency-unavailable', `keyed requests cannot be served now: ${why}`);
