/** What the HTTP layer needs from Kafka; the command adapts KafkaProducer to it, tests fake it. */
import type { Delivery, OutgoingMessage } from '../kafka/producer.js';

export interface PublisherHealth {
  /** the producer is connected */
  readonly connected: boolean;
  /** a broker answered a metadata request recently */
  readonly metadataFresh: boolean;
}

export interface Publisher {
  publish(message: OutgoingMessage): Promise<Delivery>;
  health(): PublisherHealth;
  queueDepth(): number;
  inFlight(): number;
}
