/**
 * Which topics and partitions exist, from the cluster's metadata, so that the gateway routes
 * answer an unknown topic or partition with a 404 at once. The Bridge and the Confluent REST
 * Proxy hand such a record to the producer, which waits for it to appear in metadata for
 * max.block.ms (60 s) before failing it (HTTP-GATEWAYS.md, 7). One metadata request serves
 * many lookups: a known topic is trusted for `maxAgeMs`; a name not found asks the cluster
 * again, at most every `missRefreshMs`, so a topic created a moment ago is found and a flood of
 * requests for a missing one costs one request per interval. Concurrent lookups share one
 * request. Pure apart from `fetch`; the clock is injected.
 */
import type { TopicInfo } from '../kafka/topics.js';

export interface TopicCatalogOptions {
  readonly fetch: (timeoutMs: number) => Promise<TopicInfo[]>;
  readonly now: () => number;
  /** how long an answer is trusted for a topic it names */
  readonly maxAgeMs: number;
  /** the least time between two requests made because a name was not found */
  readonly missRefreshMs: number;
  readonly timeoutMs: number;
}

export type PartitionLookup = { readonly kind: 'found'; readonly topic: TopicInfo } | { readonly kind: 'no-topic' | 'no-partition' };

export class TopicCatalog {
  readonly #opts: TopicCatalogOptions;
  #topics = new Map<string, TopicInfo>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<Map<string, TopicInfo>> | undefined;

  constructor(opts: TopicCatalogOptions) {
    this.#opts = opts;
  }

  /** The topic, or undefined when the cluster has none of that name. */
  async topic(name: string): Promise<TopicInfo | undefined> {
    let topics = await this.#current();
    let found = topics.get(name);
    if (!found && this.#opts.now() - this.#fetchedAt >= this.#opts.missRefreshMs) {
      topics = await this.#refresh();
      found = topics.get(name);
    }
    return found;
  }

  /** Whether the topic and (when given) the partition exist; a partition added since the last answer is asked for again. */
  async partition(name: string, partition: number | undefined): Promise<PartitionLookup> {
    let topic = await this.topic(name);
    if (!topic) return { kind: 'no-topic' };
    if (partition === undefined || hasPartition(topic, partition)) return { kind: 'found', topic };
    if (this.#opts.now() - this.#fetchedAt >= this.#opts.missRefreshMs) topic = (await this.#refresh()).get(name);
    if (!topic) return { kind: 'no-topic' };
    return hasPartition(topic, partition) ? { kind: 'found', topic } : { kind: 'no-partition' };
  }

  /** Every topic, by name. */
  async all(): Promise<TopicInfo[]> {
    return [...(await this.#current()).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  #current(): Promise<Map<string, TopicInfo>> {
    if (this.#opts.now() - this.#fetchedAt < this.#opts.maxAgeMs) return Promise.resolve(this.#topics);
    return this.#refresh();
  }

  #refresh(): Promise<Map<string, TopicInfo>> {
    this.#inFlight ??= this.#opts
      .fetch(this.#opts.timeoutMs)
      .then((list) => {
        this.#topics = new Map(list.map((t) => [t.name, t]));
        this.#fetchedAt = this.#opts.now();
        return this.#topics;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}

const hasPartition = (topic: TopicInfo, partition: number): boolean => topic.partitions.some((p) => p.id === partition);
