/**
 * Whether the cluster answers metadata requests, judged on the answers alone: stale after
 * `failuresToStale` probes in a row failed (librdkafka timed each one out on its own clock),
 * fresh again at the first answer. No JavaScript clock takes part: an event loop held up by a
 * large request delays the probes, and a delayed probe is not a silent broker. Judged by the
 * time since the last answer, a 10 s busy loop once read as "Kafka is down" and refused other
 * clients' records for it.
 */
export class MetadataFreshness {
  readonly #failuresToStale: number;
  #failuresInARow = 0;

  constructor(failuresToStale: number) {
    if (!(failuresToStale >= 1)) throw new RangeError('failuresToStale must be at least 1');
    this.#failuresToStale = failuresToStale;
  }

  /** How many failed probes in a row make the cluster stale, for a probe every `everyMs` that should go stale after `staleAfterMs`. */
  static forPeriod(everyMs: number, staleAfterMs: number): MetadataFreshness {
    return new MetadataFreshness(Math.max(1, Math.ceil(staleAfterMs / everyMs)));
  }

  /** One probe's result: answered, or failed (timed out or refused). */
  record(answered: boolean): void {
    this.#failuresInARow = answered ? 0 : this.#failuresInARow + 1;
  }

  get fresh(): boolean {
    return this.#failuresInARow < this.#failuresToStale;
  }

  get failuresInARow(): number {
    return this.#failuresInARow;
  }
}
