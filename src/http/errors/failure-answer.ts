/**
 * How a failed produce reads over HTTP: the row of its kind in failureMeanings (errors.ts),
 * decided once in src/kafka/ from librdkafka's code; the kafka layer's message already says
 * what and why. This module knows no librdkafka: the app's module graph never loads node-rdkafka.
 */
import { HttpError, KafkaError } from '../../errors.js';

export function produceFailure(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof KafkaError) return HttpError.of(err.kind, err.message);
  // not from the kafka layer: it failed before handing anything over
  return HttpError.of('not-written', err instanceof Error ? err.message : String(err));
}
