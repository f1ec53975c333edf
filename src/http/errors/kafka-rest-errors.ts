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

/** Confluent's error_code for an HttpError: its failure's (40401, 40301, 42901, 50003...), a finer one it carries, or the status. */
export function kafkaRestCode(err: HttpError): number {
  return err.kafkaRestCode ?? err.statusCode;
}

export function kafkaRestMessage(err: HttpError): string {
  return err.hint ? `${err.message} (${err.hint})` : err.message;
}

export function kafkaRestBody(err: HttpError): { error_code: number; message: string } {
  return { error_code: kafkaRestCode(err), message: kafkaRestMessage(err) };
}

/**
 * A v2 offsets entry's error_code, as the REST Proxy's v2 answers: its failure's (50003 when a
 * retry may succeed: nothing was written, or the outcome is unknown, as the message says), else
 * 50002 (a record refused as it is). The entry's message says what and why.
 */
export function v2EntryCode(err: HttpError): number {
  return err.meaning?.kafkaRestEntryCode ?? 50002;
}

/** Of a request's failures, the one its answer is when no record was written: the lowest rank, the first of equals. */
export function mostTelling(failures: readonly HttpError[]): HttpError {
  let best = failures[0] as HttpError;
  for (const f of failures) if ((f.meaning?.rank ?? 4) < (best.meaning?.rank ?? 4)) best = f;
  return best;
}

export function noSuchTopic(topic: string): HttpError {
  return HttpError.of('no-such-topic', unknownTopicMessage(topic));
}

export function noSuchPartition(topic: string, partition: number, count: number): HttpError {
  return HttpError.of(
    'no-such-partition',
    `Partition ${partition} of topic ${topic} not found: it has ${count} partition${count === 1 ? '' : 's'}`,
    count > 0 ? `use a partition from 0 to ${count - 1}, or none` : 'use none',
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
        ? `${what}: the ${registry[1]} format needs a Schema Registry, and serve-producer runs without one`
        : `${what}: the embedded formats are json, binary and text (avro, jsonschema and protobuf with a Schema Registry)`,
      registry
        ? `start serve-producer with --schema-registry-url (SCHEMA_REGISTRY_URL), or send Content-Type: ${V2_TYPES}`
        : `send Content-Type: ${V2_TYPES}`,
    );
  }
  return new HttpError(
    415,
    'SF_HTTP_MEDIA_TYPE',
    !contentType ? what : format === 'kafka-rest-v3' ? `${what}: v3 records are JSON` : `${what}: the body must be JSON`,
    'send the body as JSON with Content-Type: application/json',
  );
}
