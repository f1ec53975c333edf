/**
 * Every live Idempotency-Key, as every replica sees it: the claims and answers read from Kafka,
 * applied in their logs' order, so that each replica reaches the same verdict on a claim (which
 * one won) without asking another. Pure: no clock (times come with the records and the calls),
 * no I/O.
 *
 * The rules, per key:
 * - an answer settles the key: it is replayed until it expires, and claims are ignored meanwhile;
 * - the first claim of a free key (never claimed, released, or its claim and answer expired) wins;
 * - a later claim wins over the holder only when it names the holder's claim (`over`): a
 *   takeover after fencing the holder, or the holder's own claim again after its transaction
 *   aborted; two such claims over the same holder: the first in the log wins;
 * - a release by the holder's claim frees the key (its transaction aborted: nothing was written).
 */

/** One claim record: who means to write the key's records, and for which request. */
export interface Claim {
  /** the request's fingerprint (fingerprint.ts) */
  readonly fp: string;
  /** the transactional.id that will write the records */
  readonly owner: string;
  /** this claim's own id: the claimer's incarnation and a counter */
  readonly nonce: string;
  /** when it was claimed (ms since the epoch, the claimer's clock) */
  readonly at: number;
  /** the holder's claim this one takes over, if any */
  readonly over?: string;
}

/** One answer record: what every request with the key is answered, first or retried. */
export interface Answer {
  readonly fp: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly at: number;
  /** the claim that wrote it */
  readonly nonce: string;
}

export interface KeyState {
  claim?: Claim;
  answer?: Answer;
}

/** What a request with this key gets, from the table as it stands. */
export type Lookup =
  { readonly kind: 'free' } | { readonly kind: 'answered'; readonly answer: Answer } | { readonly kind: 'claimed'; readonly claim: Claim };

export class KeyTable {
  readonly #keys = new Map<string, KeyState>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The key as of `now`: an expired answer or claim counts as absent. */
  lookup(key: string, now: number): Lookup {
    const state = this.#keys.get(key);
    if (state?.answer && state.answer.at + this.#ttlMs > now) return { kind: 'answered', answer: state.answer };
    if (state?.claim && state.claim.at + this.#ttlMs > now) return { kind: 'claimed', claim: state.claim };
    return { kind: 'free' };
  }

  /** Applies a claim read from the log; true when it won (it now holds the key). */
  applyClaim(key: string, claim: Claim): boolean {
    const state = this.#keys.get(key);
    if (!state) {
      this.#keys.set(key, { claim });
      return true;
    }
    // expiry is judged on the records' own times, the same on every replica
    const answerLive = state.answer !== undefined && state.answer.at + this.#ttlMs > claim.at;
    if (answerLive) return false;
    if (state.answer) delete state.answer;
    const holder = state.claim;
    if (holder && holder.at + this.#ttlMs > claim.at && claim.over !== holder.nonce) return false;
    state.claim = claim;
    return true;
  }

  /** A release by the holding claim frees the key; any other is stale and changes nothing. */
  applyRelease(key: string, nonce: string): void {
    const state = this.#keys.get(key);
    if (state?.claim?.nonce !== nonce) return;
    if (state.answer) delete state.claim;
    else this.#keys.delete(key);
  }

  /** An answer, committed with the key's records: it settles the key. */
  applyAnswer(key: string, answer: Answer): void {
    const state = this.#keys.get(key);
    if (state?.answer && state.answer.at >= answer.at) return;
    this.#keys.set(key, { answer });
  }

  /** Forgets what expired before `now`; returns how many keys went. Called now and then, not per request. */
  sweep(now: number): number {
    let gone = 0;
    for (const [key, state] of this.#keys) {
      const latest = Math.max(state.answer?.at ?? 0, state.claim?.at ?? 0);
      if (latest + this.#ttlMs <= now) {
        this.#keys.delete(key);
        gone++;
      }
    }
    return gone;
  }
}
