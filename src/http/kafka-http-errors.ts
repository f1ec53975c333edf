/**
 * How a failed produce reads over HTTP, decided on the failure's kind (src/kafka/ decided it
 * once from librdkafka's code); the kafka layer's message already says what and why. 503 with
 * Retry-After only when nothing was written (a retry is safe); 504 with outcome "unknown" when
 * the message was handed to Kafka and no acknowledgement came in time (a retry may duplicate
 * it); what retrying cannot fix (too large, no such topic, not allowed) is a 4xx. Nothing here
 * is a 500. This module knows no librdkafka: the app's module graph never loads node-rdkafka.
 */
import { HttpError, KafkaError, type KafkaErrorKind } from '../errors.js';

const unavailable = (message: string, retryAfterS: number, hint: string): HttpError =>
  new HttpError(503, 'SF_KAFKA_UNAVAILABLE', message, hint, { headers: { 'retry-after': String(retryAfterS) }, outcome: 'not_written' });

const byKind: Record<KafkaErrorKind, (message: string) => HttpError> = {
  backpressure: (m) => unavailable(m, 1, 'nothing was written; retry after the Retry-After delay'),
  'too-large': (m) => new HttpError(413, 'SF_HTTP_TOO_LARGE', m, 'send a smaller message, or raise max.message.bytes on the topic'),
  // a request naming a partition that does not exist names a missing resource, as an unknown
  // topic does (Confluent's REST Proxy: 404, error 40402)
  'no-such-partition': (m) =>
    new HttpError(404, 'SF_HTTP_NOT_FOUND', m, 'omit partition, or use one the topic has', { kafkaRestCode: 40402 }),
  'no-such-topic': (m) =>
    new HttpError(404, 'SF_HTTP_NOT_FOUND', m, 'create the topic (a Strimzi KafkaTopic) first', { kafkaRestCode: 40401 }),
  'invalid-record': (m) =>
    new HttpError(
      422,
      'SF_HTTP_VALIDATION',
      m,
      "nothing was written; fix the record (a timestamp within the broker's accepted range; a key for a compacted topic)",
      {
        outcome: 'not_written',
      },
    ),
  forbidden: (m) => new HttpError(403, 'SF_HTTP_FORBIDDEN_TOPIC', m, 'grant the producer user Write on the topic'),
  'outcome-unknown': (m) =>
    new HttpError(
      504,
      'SF_KAFKA_OUTCOME_UNKNOWN',
      m,
      'the message may be in Kafka: check before sending it again, or make consumers tolerate duplicates',
      { outcome: 'unknown' },
    ),
  // refused before anything was handed over, or the cluster cannot be reached at all
  'not-written': (m) => unavailable(m, 5, 'Kafka is unavailable; nothing was written, so retry after the Retry-After delay'),
  unreachable: (m) => unavailable(m, 5, 'Kafka is unavailable; nothing was written, so retry after the Retry-After delay'),
  auth: (m) => unavailable(m, 5, 'the producer cannot log in to Kafka; nothing was written (see its log)'),
  tls: (m) => unavailable(m, 5, 'the producer cannot reach Kafka over TLS; nothing was written (see its log)'),
  // a broker error we cannot vouch for: the message may have been written
  failed: (m) =>
    new HttpError(504, 'SF_KAFKA_OUTCOME_UNKNOWN', m, 'the message may be in Kafka: check before sending it again', {
      outcome: 'unknown',
    }),
};

export function produceFailure(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof KafkaError) return byKind[err.kind](err.message);
  // not from the kafka layer: it failed before handing anything over
  const message = err instanceof Error ? err.message : String(err);
  return byKind['not-written'](message);
}
