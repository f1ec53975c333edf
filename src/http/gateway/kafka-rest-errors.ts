/**
 * Errors in the gateways' dialect: `{"error_code", "message"}`, the shape the Confluent REST
 * Proxy, Karapace and the Strimzi Bridge all answer. error_code is
 * Confluent's finer code where it has one, else the HTTP status. Our hint goes into the message:
 * the shape has no field for it, and a client that shows the message shows what to do.
 */
import { HttpError, unknownTopicMessage } from '../../errors.js';

/** Which routes answer in which dialect: set as a route's `config.errorFormat`. */
export type ErrorFormat = 'streamforge' | 'kafka-rest-v2' | 'kafka-rest-v3';

export const KAFKA_V2_JSON = 'application/vnd.kafka.v2+json';

/** A schema as the OpenAPI document states it for v2's media type (what schemathesis checks answers against). */
export function v2Content(schema: unknown, description?: string): Record<string, unknown> {
  return { ...(description ? { description } : {}), content: { [KAFKA_V2_JSON]: { schema } } };
}

/** Content type of a dialect's answers (and of its errors). */
export function dialectContentType(format: Exclude<ErrorFormat, 'streamforge'>): string {
  return format === 'kafka-rest-v2' ? KAFKA_V2_JSON : 'application/json';
}

/** Confluent's error_code for an HttpError: 40401, 40402, 40301, 50003, or the status itself. */
export function kafkaRestCode(err: HttpError): number {
  if (err.kafkaRestCode !== undefined) return err.kafkaRestCode;
  if (err.code === 'SF_HTTP_FORBIDDEN_TOPIC') return 40301;
  // Kafka unavailable (nothing written) or no acknowledgement in time: Confluent's "retriable"
  if (err.statusCode === 503 || err.statusCode === 504) return 50003;
  return err.statusCode;
}

export function kafkaRestMessage(err: HttpError): string {
  return err.hint ? `${err.message} (${err.hint})` : err.message;
}

export function kafkaRestBody(err: HttpError): { error_code: number; message: string } {
  return { error_code: kafkaRestCode(err), message: kafkaRestMessage(err) };
}

/**
 * A v2 offsets entry's error_code: 50003 when a retry may succeed (nothing was written, or the
 * outcome is unknown: the message says which), 50002 when it will not, as the REST Proxy's v2
 * answers. The entry's message says what and why.
 */
export function v2EntryCode(err: HttpError): number {
  return err.statusCode === 503 || err.statusCode === 504 ? 50003 : 50002;
}

export function noSuchTopic(topic: string): HttpError {
  return new HttpError(404, 'SF_HTTP_NOT_FOUND', unknownTopicMessage(topic), 'create the topic (a Strimzi KafkaTopic) first', {
    kafkaRestCode: 40401,
  });
}

export function noSuchPartition(topic: string, partition: number, count: number): HttpError {
  return new HttpError(
    404,
    'SF_HTTP_NOT_FOUND',
    `Partition ${partition} of topic ${topic} not found: it has ${count} partition${count === 1 ? '' : 's'}`,
    count > 0 ? `use a partition from 0 to ${count - 1}, or none` : 'use none',
    { kafkaRestCode: 40402 },
  );
}

/** A request the dialect refuses as a whole with 422 (no records, a bad batch). */
export function unprocessable(message: string, hint: string, kafkaRestCode = 422): HttpError {
  return new HttpError(422, 'SF_HTTP_VALIDATION', message, hint, { kafkaRestCode });
}

const V2_TYPES = 'application/vnd.kafka.json.v2+json, application/vnd.kafka.binary.v2+json or application/vnd.kafka.text.v2+json';

/** 415, naming the content types the route's dialect takes. */
export function unsupportedMediaType(contentType: string | undefined, format: ErrorFormat): HttpError {
  const what = contentType ? `content type ${contentType} is not supported` : 'the request has a body but no Content-Type';
  if (format === 'kafka-rest-v2') {
    const registry = /^application\/vnd\.kafka\.(avro|jsonschema|protobuf)\.v[12]\+json/i.exec(contentType ?? '');
    return new HttpError(
      415,
      'SF_HTTP_MEDIA_TYPE',
      registry
        ? `${what}: the ${registry[1]} format needs a Schema Registry, which serve-producer does not use`
        : `${what}: the embedded formats are json, binary and text`,
      `send Content-Type: ${V2_TYPES}`,
    );
  }
  return new HttpError(
    415,
    'SF_HTTP_MEDIA_TYPE',
    !contentType ? what : format === 'kafka-rest-v3' ? `${what}: v3 records are JSON` : `${what}: the body must be JSON`,
    'send the body as JSON with Content-Type: application/json',
  );
}
