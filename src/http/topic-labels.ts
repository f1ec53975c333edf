/**
 * The `topic` label of serve-producer's metrics. Topic names come from clients, and every
 * distinct label value is a series kept for the life of the process, and in every Prometheus that
 * scrapes it: 10,000 requests to 10,000 made-up names once left 10,000 series and 18 MB that were
 * never freed. So a name the cluster does not have is counted under UNKNOWN_TOPIC, and past `max`
 * distinct names every other one under OTHER_TOPICS, each record so counted also counted as an
 * overflow. Pure: whether a topic exists is asked of the caller.
 */

/** The label value of every topic the cluster does not have (unknown, invalid or never created). */
export const UNKNOWN_TOPIC = '(unknown)';
/** The label value of topics past the cap. */
export const OTHER_TOPICS = '(other)';
/** Distinct topic label values per process: far more than a pipeline writes to, few enough for Prometheus. */
export const MAX_TOPIC_LABELS = 1000;

export interface TopicLabelsOptions {
  readonly max: number;
  /** whether the cluster has this topic, as far as the server knows */
  readonly exists: (topic: string) => boolean;
  /** `count` records were counted under OTHER_TOPICS */
  readonly overflowed: (count: number) => void;
}

export class TopicLabels {
  readonly #opts: TopicLabelsOptions;
  readonly #named = new Set<string>();

  constructor(opts: TopicLabelsOptions) {
    this.#opts = opts;
  }

  /** The label for `count` records to `topic`; `exists` when the caller knows (Kafka acknowledged them). */
  of(topic: string, count = 1, exists?: boolean): string {
    if (this.#named.has(topic)) return topic;
    if (!(exists ?? this.#opts.exists(topic))) return UNKNOWN_TOPIC;
    if (this.#named.size >= this.#opts.max) {
      this.#opts.overflowed(count);
      return OTHER_TOPICS;
    }
    this.#named.add(topic);
    return topic;
  }
}
