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

/** The methods of KafkaProducer a Publisher is made of (a type: this module loads no Kafka). */
interface IngestProducer {
  send(message: OutgoingMessage): Promise<Delivery>;
  sendMany(messages: readonly OutgoingMessage[]): Promise<Array<Delivery | Error>>;
  readonly connected: boolean;
  readonly brokersUp: boolean;
  readonly metadataFresh: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly tally: Readonly<ProducerTally>;
}

/** The HTTP layer's view of a Kafka producer. */
export function publisherOver(producer: IngestProducer): Publisher {
  return {
    publish: (msg) => producer.send(msg),
    publishMany: (msgs) => producer.sendMany(msgs),
    health: () => ({ connected: producer.connected && producer.brokersUp, metadataFresh: producer.metadataFresh }),
    queueDepth: () => producer.queueDepth,
    inFlight: () => producer.inFlight,
    tally: () => producer.tally,
  };
}
