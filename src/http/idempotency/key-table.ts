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

/** What a request with this key gets, from the table as it stands. */
export type Lookup =
  { readonly kind: 'free' } | { readonly kind: 'answered'; readonly answer: Answer } | { readonly kind: 'claimed'; readonly claim: Claim };

/**
 * An answer as the table holds it: one string (time, status, claim, fingerprint, media type,
 * body, apart by newlines, which none of the first five can hold): a million live keys held
 * as objects took 1.1 KB a key, as one string each about a third of that (docs/benchmarks.md).
 */
// join, not a template: it makes one flat string, where concatenation makes a rope of the parts
// that holds every part (485 against 325 bytes a key)
const pack = (a: Answer): string => [a.at, a.status, a.nonce, a.fp, a.contentType, a.body].join('\n');

function unpack(packed: string): Answer {
  const fields: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const to = packed.indexOf('\n', from);
    fields.push(packed.slice(from, to));
    from = to + 1;
  }
  const [at, status, nonce, fp, contentType] = fields as [string, string, string, string, string];
  return { at: Number(at), status: Number(status), nonce, fp, contentType, body: packed.slice(from) };
}

const answeredAt = (packed: string): number => Number(packed.slice(0, packed.indexOf('\n')));

export class KeyTable {
  /** answers, in the order they came (about their times' order: the sweep relies on it) */
  readonly #answers = new Map<string, string>();
  /** claims not yet answered */
  readonly #claims = new Map<string, Claim>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** keys answered or claimed */
  get size(): number {
    return this.#answers.size + this.#claims.size;
  }

  /** The key as of `now`: an expired answer or claim counts as absent. */
  lookup(key: string, now: number): Lookup {
    const packed = this.#answers.get(key);
    if (packed !== undefined && answeredAt(packed) + this.#ttlMs > now) return { kind: 'answered', answer: unpack(packed) };
    const claim = this.#claims.get(key);
    if (claim && claim.at + this.#ttlMs > now) return { kind: 'claimed', claim };
    return { kind: 'free' };
  }

  /** Applies a claim read from the log; true when it won (it now holds the key). */
  applyClaim(key: string, claim: Claim): boolean {
    // expiry is judged on the records' own times, the same on every replica
    const packed = this.#answers.get(key);
    if (packed !== undefined) {
      if (answeredAt(packed) + this.#ttlMs > claim.at) return false;
      this.#answers.delete(key);
    }
    const holder = this.#claims.get(key);
    if (holder && holder.at + this.#ttlMs > claim.at && claim.over !== holder.nonce) return false;
    this.#claims.set(key, claim);
    return true;
  }

  /** A release by the holding claim frees the key; any other is stale and changes nothing. */
  applyRelease(key: string, nonce: string): void {
    if (this.#claims.get(key)?.nonce === nonce) this.#claims.delete(key);
  }

  /** An answer, committed with the key's records: it settles the key. */
  applyAnswer(key: string, answer: Answer): void {
    const packed = this.#answers.get(key);
    if (packed !== undefined && answeredAt(packed) >= answer.at) return;
    this.#claims.delete(key);
    // moved to the end: the map stays in about the order of the answers' times
    this.#answers.delete(key);
    this.#answers.set(key, pack(answer));
  }

  /** Forgets what expired before `now`; returns how many keys went. Called now and then, not per request. */
  sweep(now: number): number {
    let gone = 0;
    for (const [key, packed] of this.#answers) {
      if (answeredAt(packed) + this.#ttlMs > now) break;
      this.#answers.delete(key);
      gone++;
    }
    for (const [key, claim] of this.#claims) {
      if (claim.at + this.#ttlMs <= now) {
        this.#claims.delete(key);
        gone++;
      }
    }
    return gone;
  }
}
