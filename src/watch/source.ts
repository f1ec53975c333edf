/** What the terminal view needs from Kafka; run-tui.ts provides it, tests fake it. */
import type { ConnectionState } from '../plane/control-plane.js';
import type { Incoming } from '../plane/reducer.js';

export type { ConnectionState };

export interface WatchSource {
  readonly brokers: string;
  readonly eventsTopic: string;
  /** batches of records, in the order read; returns an unsubscribe */
  subscribe(listener: (items: readonly Incoming[]) => void): () => void;
  connection(): ConnectionState;
  /** one ping to a queue: the round trip in ms, or undefined when no pong came in time */
  ping(queueId: string): Promise<number | undefined>;
  /** a stop command to a queue, resolved once Kafka has it */
  stop(queueId: string): Promise<void>;
}
