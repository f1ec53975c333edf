/** What the HTTP layer needs from Kafka; server.ts adapts a KafkaProducer to it (publisherOver), tests fake it. */
import type { ClusterIdentity } from '../../kafka/cluster-id.js';
import type { Delivery, KafkaProducer, OutgoingMessage, ProducerTally } from '../../kafka/producer.js';
import type { TopicInfo } from '../../kafka/topics.js';

export type { ClusterIdentity, TopicInfo };

export interface PublisherHealth {
  /** the producer is connected */
  readonly connected: boolean;
  /** a broker answered a metadata request recently */
  readonly metadataFresh: boolean;
}

export interface Publisher {
  publish(message: OutgoingMessage): Promise<Delivery>;
  /** every message's outcome, in order; never rejects for one message's failure */
  publishMany(messages: readonly OutgoingMessage[]): Promise<Array<Delivery | Error>>;
  health(): PublisherHealth;
  queueDepth(): number;
  inFlight(): number;
  /** what became of messages: acknowledged, failed, unknown, and late reports of unknown ones */
  tally(): Readonly<ProducerTally>;
  /** every topic of the cluster and its partitions; rejects with a KafkaError when Kafka does not answer */
  topics(timeoutMs: number): Promise<TopicInfo[]>;
  clusterIdentity(): Promise<ClusterIdentity>;
}

/** The part of KafkaProducer a Publisher is made of (a type import: this module loads no Kafka). */
type IngestProducer = Pick<
  KafkaProducer,
  'send' | 'sendMany' | 'connected' | 'brokersUp' | 'metadataFresh' | 'queueDepth' | 'inFlight' | 'tally' | 'topics' | 'clusterIdentity'
>;

/** The HTTP layer's view of a Kafka producer. */
export function publisherOver(producer: IngestProducer): Publisher {
  return {
    publish: (msg) => producer.send(msg),
    publishMany: (msgs) => producer.sendMany(msgs),
    health: () => ({ connected: producer.connected && producer.brokersUp, metadataFresh: producer.metadataFresh }),
    queueDepth: () => producer.queueDepth,
    inFlight: () => producer.inFlight,
    tally: () => producer.tally,
    topics: (timeoutMs) => producer.topics(timeoutMs),
    clusterIdentity: () => producer.clusterIdentity(),
  };
}
