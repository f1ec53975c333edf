/**
 * How a failed produce reads over HTTP; the kafka layer's message already says what and why.
 * 503 with Retry-After only when nothing was written (a retry is safe); 504 with outcome
 * "unknown" when the message was handed to Kafka and no acknowledgement came in time (a retry
 * may duplicate it); what retrying cannot fix (too large, no such topic, not allowed) is a 4xx.
 * Nothing here is a 500.
 */
import { HttpError, KafkaError } from '../errors.js';
import { classifyProduceFailure } from '../kafka/error-map.js';

export function produceFailure(err: unknown, topic: string): HttpError {
  if (err instanceof HttpError) return err;
  const message = err instanceof Error ? err.message : String(err);
  switch (classifyProduceFailure(err instanceof KafkaError ? err.librdkafkaCode : undefined)) {
    case 'backpressure':
      return new HttpError(503, 'SF_KAFKA_UNAVAILABLE', message, 'nothing was written; retry after the Retry-After delay', {
        headers: { 'retry-after': '1' },
        outcome: 'not_written',
      });
    case 'too-large':
      return new HttpError(413, 'SF_HTTP_TOO_LARGE', message, 'send a smaller message, or raise max.message.bytes on the topic');
    case 'unknown-partition':
      // a request naming a partition that does not exist names a missing resource, as an
      // unknown topic does (Confluent's REST Proxy: 404, error 40402)
      return new HttpError(
        404,
        'SF_HTTP_NOT_FOUND',
        `topic ${topic} has no such partition (${message})`,
        'omit partition, or use one the topic has',
      );
    case 'unknown-topic':
      return new HttpError(404, 'SF_HTTP_NOT_FOUND', message, 'create the topic (a Strimzi KafkaTopic) first');
    case 'forbidden':
      return new HttpError(403, 'SF_HTTP_FORBIDDEN_TOPIC', message, 'grant the producer user Write on the topic');
    case 'unavailable':
      return new HttpError(
        503,
        'SF_KAFKA_UNAVAILABLE',
        message,
        'Kafka is unavailable; nothing was written, so retry after the Retry-After delay',
        {
          headers: { 'retry-after': '5' },
          outcome: 'not_written',
        },
      );
    case 'outcome-unknown':
      return new HttpError(
        504,
        'SF_KAFKA_OUTCOME_UNKNOWN',
        message,
        'the message may be in Kafka: check before sending it again, or make consumers tolerate duplicates',
        {
          outcome: 'unknown',
        },
      );
  }
}
