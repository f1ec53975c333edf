/**
 * serve-producer's one budget of what it has accepted and Kafka has not yet answered for, in
 * records and in bytes, shared by every produce route (`?async=true` included). Past it a
 * request is refused with 429 and Retry-After before anything is handed to Kafka, so a client
 * that floods the server meets a bound instead of growing it until the heap runs out (an
 * unbounded async flood took the process from 100 MB to 2.5 GB and killed it).
 *
 * The defaults are librdkafka's own queue bounds, which serve-producer sets to the same values
 * (client-props.ts): whatever the budget admits fits in librdkafka's queue, so its "Local:
 * Queue full" no longer reaches a client of one process. Pure: no clock, no I/O.
 */
export interface AdmissionLimits {
  /** records accepted and not yet acknowledged or failed */
  readonly records: number;
  /** their key, value and header bytes */
  readonly bytes: number;
}

/**
 * A fifth of librdkafka's own queue.buffering.max.messages (100,000): what is admitted waits in
 * librdkafka's queue, so the bound is a latency as much as a memory bound. Here Kafka acknowledged
 * an async flood's records at about 30,000 a second; with 100,000 admitted, a well-behaved
 * /produce waited 5-10 s behind them, near --produce-timeout. 20,000 drain in well under a
 * second, and leave /produce/batch at 64 connections (6,400 records in flight) its room. The
 * bytes bound keeps a pod's memory in check.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = Object.freeze({ records: 20_000, bytes: 64 * 1024 * 1024 });

/**
 * Who asks: a client that waits for its answer, or `?async=true`, which does not and so never
 * slows down by itself. Fire-and-forget may hold at most a quarter of the budget, so that
 * clients that wait always find room, and wait behind few fire-and-forget records in librdkafka's
 * queue: in bench:soak, a well-behaved /produce's p99 under an async flood went from 824 ms with
 * half to 460 ms with a quarter.
 */
export type Admitted = 'waits' | 'async';

/** The part of the budget fire-and-forget may hold. */
export const ASYNC_SHARE = 0.25;

/** The smallest a record can be in a request body (`{"value":0},`): a body's length bounds its record count. */
export const MIN_RECORD_BODY_BYTES = 12;

/** What a refusal says: which bound was reached, and how much is held. */
export interface AdmissionRefusal {
  /** which bound: the whole budget's, or fire-and-forget's share of it */
  readonly bound: 'records' | 'bytes' | 'async-share';
  readonly heldRecords: number;
  readonly heldBytes: number;
}

export class AdmissionBudget {
  readonly limits: AdmissionLimits;
  #records = 0;
  #bytes = 0;
  #asyncRecords = 0;
  #asyncBytes = 0;
  #refused = { records: 0, bytes: 0, 'async-share': 0 };

  constructor(limits: AdmissionLimits) {
    if (!(limits.records >= 1 && limits.bytes >= 1)) throw new RangeError('admission limits must be at least 1');
    this.limits = limits;
  }

  get heldRecords(): number {
    return this.#records;
  }

  get heldBytes(): number {
    return this.#bytes;
  }

  /** Refusals so far, by the bound that refused them. */
  get refused(): Readonly<Record<AdmissionRefusal['bound'], number>> {
    return this.#refused;
  }

  /**
   * Takes `records` and `bytes`, or takes nothing and says which bound refused. A request
   * always gets in while nothing is held, whatever its size, so one request within the body and
   * batch limits is never refused forever.
   */
  take(records: number, bytes: number, who: Admitted = 'waits'): AdmissionRefusal | undefined {
    if (this.#records > 0 || this.#bytes > 0) {
      const bound = this.#over(records, bytes, who);
      if (bound) {
        this.#refused[bound]++;
        return { bound, heldRecords: this.#records, heldBytes: this.#bytes };
      }
    }
    this.#records += records;
    this.#bytes += bytes;
    if (who === 'async') {
      this.#asyncRecords += records;
      this.#asyncBytes += bytes;
    }
    return undefined;
  }

  /**
   * Whether a body of `bytes` holding at most `records` could be admitted now: a request that
   * cannot fit is refused before its body is read or parsed. Counted as a refusal when it does not fit.
   */
  roomFor(bytes: number, records: number, who: Admitted = 'waits'): AdmissionRefusal | undefined {
    if (this.#records === 0 && this.#bytes === 0) return undefined;
    const bound = this.#over(records, bytes, who);
    if (!bound) return undefined;
    this.#refused[bound]++;
    return { bound, heldRecords: this.#records, heldBytes: this.#bytes };
  }

  release(records: number, bytes: number, who: Admitted = 'waits'): void {
    this.#records = Math.max(0, this.#records - records);
    this.#bytes = Math.max(0, this.#bytes - bytes);
    if (who === 'async') {
      this.#asyncRecords = Math.max(0, this.#asyncRecords - records);
      this.#asyncBytes = Math.max(0, this.#asyncBytes - bytes);
    }
  }

  #over(records: number, bytes: number, who: Admitted): AdmissionRefusal['bound'] | undefined {
    if (this.#records + records > this.limits.records) return 'records';
    if (this.#bytes + bytes > this.limits.bytes) return 'bytes';
    if (
      who === 'async' &&
      (this.#asyncRecords + records > this.limits.records * ASYNC_SHARE || this.#asyncBytes + bytes > this.limits.bytes * ASYNC_SHARE) &&
      this.#asyncRecords > 0
    ) {
      return 'async-share';
    }
    return undefined;
  }
}
