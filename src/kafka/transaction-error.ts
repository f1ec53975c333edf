/**
 * What became of a Kafka transaction that did not commit, apart from node-rdkafka so that the
 * HTTP layer can tell the cases apart without loading librdkafka.
 */
import { KafkaError } from '../errors.js';

/** What became of a transaction that did not commit. */
export type TransactionFailure =
  /** aborted: none of its records is visible to read_committed readers; a retry is safe */
  | 'aborted'
  /** another producer took this transactional.id over: its epoch aborted ours; make a new producer */
  | 'fenced'
  /** no answer within the time given: it may yet commit or abort */
  | 'unknown';

export class TransactionError extends KafkaError {
  readonly failure: TransactionFailure;

  constructor(failure: TransactionFailure, message: string, opts: { librdkafkaCode?: number; cause?: unknown } = {}) {
    super(
      'SF_KAFKA_PRODUCE',
      failure === 'unknown' ? 'outcome-unknown' : 'not-written',
      message,
      failure === 'unknown'
        ? 'the transaction may yet commit: retry with the same Idempotency-Key, which answers with its outcome'
        : 'nothing was written: retry',
      opts,
    );
    this.failure = failure;
  }
}
