/** What the HTTP layer needs from Kafka; the command adapts KafkaProducer to it, tests fake it. */
import type { Delivery, OutgoingMessage, ProducerTally } from '../kafka/producer.js';

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
}
