/**
 * Which topics and partitions exist, from the cluster's metadata, so that the gateway routes
 * answer an unknown topic or partition with a 404 at once. The Bridge and the Confluent REST
 * Proxy hand such a record to the producer, which waits for it to appear in metadata for
 * max.block.ms (60 s) before failing it, their users' first complaint. One metadata request serves
 * many lookups: a known topic is trusted for `maxAgeMs`; a name not found asks the cluster
 * again, unless that name was asked for within `missRefreshMs`: a topic created a moment ago is
 * found on its first request, and a flood of requests for one missing name costs one metadata
 * request per interval. Concurrent lookups share one request. Pure apart from `fetch`; the
 * clock is injected.
 */
import type { TopicInfo } from '../../kafka/topics.js';

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
  /** names (and partitions, as "name/p") not found, and when they were last asked for */
  readonly #missed = new Map<string, number>();

  constructor(opts: TopicCatalogOptions) {
    this.#opts = opts;
  }

  /** The topic, or undefined when the cluster has none of that name. */
  async topic(name: string): Promise<TopicInfo | undefined> {
    const fetchedBefore = this.#fetchedAt;
    let found = (await this.#current()).get(name);
    // not asked again when the answer in hand is this moment's
    if (!found && this.#mayAskAgain(name) && this.#fetchedAt === fetchedBefore) found = (await this.#refresh()).get(name);
    return found;
  }

  /** Whether the topic and (when given) the partition exist; a partition added since the last answer is asked for again. */
  async partition(name: string, partition: number | undefined): Promise<PartitionLookup> {
    let topic = await this.topic(name);
    if (!topic) return { kind: 'no-topic' };
    if (partition === undefined || hasPartition(topic, partition)) return { kind: 'found', topic };
    if (this.#mayAskAgain(`${name}/${partition}`)) topic = (await this.#refresh()).get(name);
    if (!topic) return { kind: 'no-topic' };
    return hasPartition(topic, partition) ? { kind: 'found', topic } : { kind: 'no-partition' };
  }

  /**
   * The topic, at once and without a request, when the last answer is fresh and names it (and
   * the partition, if given); undefined when only `partition()` can tell. The hot path of every
   * gateway produce: most requests name a topic the catalog knows.
   */
  known(name: string, partition?: number): TopicInfo | undefined {
    if (this.#opts.now() - this.#fetchedAt >= this.#opts.maxAgeMs) return undefined;
    const topic = this.#topics.get(name);
    return topic && (partition === undefined || hasPartition(topic, partition)) ? topic : undefined;
  }

  /** Whether the last answer named the topic, however old it is (no request: for labels, not for checks). */
  has(name: string): boolean {
    return this.#topics.has(name);
  }

  /** Every topic, by name. */
  async all(): Promise<TopicInfo[]> {
    return [...(await this.#current()).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** True unless `key` missed within missRefreshMs; remembers this miss. */
  #mayAskAgain(key: string): boolean {
    const now = this.#opts.now();
    const last = this.#missed.get(key);
    if (last !== undefined && now - last < this.#opts.missRefreshMs) return false;
    // many distinct names (a fuzzer, a typo in a loop) must not grow it without bound
    if (this.#missed.size >= 10_000) this.#missed.clear();
    this.#missed.set(key, now);
    return true;
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
