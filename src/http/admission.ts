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

/** librdkafka's queue.buffering.max.messages default; the bytes bound keeps a pod's memory in check. */
export const DEFAULT_ADMISSION: AdmissionLimits = Object.freeze({ records: 100_000, bytes: 64 * 1024 * 1024 });

/** What a refusal says: which bound was reached, and how much is held. */
export interface AdmissionRefusal {
  readonly bound: 'records' | 'bytes';
  readonly heldRecords: number;
  readonly heldBytes: number;
}

export class AdmissionBudget {
  readonly limits: AdmissionLimits;
  #records = 0;
  #bytes = 0;
  #refused = { records: 0, bytes: 0 };

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
  get refused(): Readonly<{ records: number; bytes: number }> {
    return this.#refused;
  }

  /**
   * Takes `records` and `bytes`, or takes nothing and says which bound refused. A request
   * always gets in while nothing is held, whatever its size, so one request within the body and
   * batch limits is never refused forever.
   */
  take(records: number, bytes: number): AdmissionRefusal | undefined {
    if (this.#records > 0 || this.#bytes > 0) {
      const bound =
        this.#records + records > this.limits.records ? 'records' : this.#bytes + bytes > this.limits.bytes ? 'bytes' : undefined;
      if (bound) {
        this.#refused[bound]++;
        return { bound, heldRecords: this.#records, heldBytes: this.#bytes };
      }
    }
    this.#records += records;
    this.#bytes += bytes;
    return undefined;
  }

  /**
   * Whether a body of `bytes` could be admitted now: a request whose Content-Length does not fit
   * is refused before its body is read. Counted as a refusal when it does not fit.
   */
  roomFor(bytes: number): AdmissionRefusal | undefined {
    if (this.#records === 0 && this.#bytes === 0) return undefined;
    const bound = this.#records >= this.limits.records ? 'records' : this.#bytes + bytes > this.limits.bytes ? 'bytes' : undefined;
    if (!bound) return undefined;
    this.#refused[bound]++;
    return { bound, heldRecords: this.#records, heldBytes: this.#bytes };
  }

  release(records: number, bytes: number): void {
    this.#records = Math.max(0, this.#records - records);
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }
}
