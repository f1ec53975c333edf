/**
 * A v3 record (Confluent REST Proxy v3) as a Kafka record, and its report. Pure: the route
 * checks the topic and partition against metadata.
 */
import { HttpError } from '../../errors.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { dateTimeMs } from '../../protocol/json-safety.js';
import type { KafkaV3Data, KafkaV3Record } from '../../protocol/types.js';
import { recordBytes, recordHeaders, type EmbeddedFormat } from './record-bytes.js';
import type { V3SchemaBytes, V3SchemaSize, V3SchemaTyped } from './schema-records.js';

/** What the report says of a key or value: its type and stored size. */
export interface DataSize {
  readonly type: EmbeddedFormat;
  readonly size: number;
}

export interface V3Prepared {
  readonly message: OutgoingMessage;
  readonly key: DataSize | V3SchemaSize | undefined;
  readonly value: DataSize | V3SchemaSize | undefined;
}

const schemaFields = ['subject', 'subject_name_strategy', 'schema_id', 'schema_version', 'schema'] as const;

function needsSchemaRegistry(field: string, why: string): HttpError {
  return new HttpError(
    422,
    'SF_HTTP_VALIDATION',
    `${field}: ${why} needs a Schema Registry, and serve-producer runs without one`,
    'start serve-producer with --schema-registry-url (SCHEMA_REGISTRY_URL), or send the data as type BINARY, JSON or STRING',
    { kafkaRestCode: 42207 },
  );
}

const registryTypes = new Set(['AVRO', 'JSONSCHEMA', 'PROTOBUF']);

/**
 * The 422 for a key or value that needs a Schema Registry (a type or a schema field the served
 * schema does not list), checked before that schema so that it is named as such, not as a
 * mismatch.
 */
export function registryProblem(record: unknown, where = ''): HttpError | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  for (const field of ['key', 'value'] as const) {
    const data = (record as Record<string, unknown>)[field];
    if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
    const d = data as Record<string, unknown>;
    const schemaField = schemaFields.find((f) => d[f] !== undefined && d[f] !== null);
    if (schemaField) return needsSchemaRegistry(`${where}${field}`, schemaField);
    if (typeof d.type === 'string' && registryTypes.has(d.type)) return needsSchemaRegistry(`${where}${field}`, `type ${d.type}`);
    if (d.type === undefined && d.data !== undefined && d.data !== null)
      return needsSchemaRegistry(`${where}${field}`, 'data without a type');
  }
  return undefined;
}

/**
 * The 400 for a key or value whose data does not fit its type, in words (the schema's anyOf
 * would list every branch's complaint), checked before the schema as registryProblem is.
 */
export function dataProblem(record: unknown, where = ''): HttpError | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  for (const field of ['key', 'value'] as const) {
    const data = (record as Record<string, unknown>)[field];
    if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
    const { type, data: inner } = data as { type?: unknown; data?: unknown };
    if (type === undefined) continue;
    if (type === 'AVRO' || type === 'JSONSCHEMA' || type === 'PROTOBUF') continue;
    if (type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') {
      return new HttpError(
        400,
        'SF_HTTP_VALIDATION',
        `${where}${field}.type must be BINARY, JSON, STRING, AVRO, JSONSCHEMA or PROTOBUF`,
        'see /docs, "kafka-rest v3"',
      );
    }
    // any JSON fits JSON; only BINARY and STRING can fail (and cost no stringify to check)
    if (type === 'JSON') continue;
    try {
      recordBytes(inner, type, `${where}${field}.data`);
    } catch (err) {
      return err as HttpError;
    }
  }
  return undefined;
}

/** A key or value that passed the schema: BINARY, JSON or STRING, written with its schema (typed), or none. */
function dataBytes(
  data: KafkaV3Data | null | undefined,
  field: string,
  typed: V3SchemaBytes | undefined,
): { bytes: Buffer | null; size: DataSize | V3SchemaSize | undefined } {
  if (typed) return typed;
  const type = data?.type;
  if (!type || type === 'AVRO' || type === 'JSONSCHEMA' || type === 'PROTOBUF') return { bytes: null, size: undefined };
  const bytes = recordBytes(data.data, type, `${field}.data`);
  return { bytes, size: { type, size: bytes?.length ?? 0 } };
}

/** Throws the HttpError (400, 422) that names the field when the record cannot be produced. */
export function v3Record(topic: string, record: KafkaV3Record, where = '', typed?: V3SchemaTyped): V3Prepared {
  const key = dataBytes(record.key, `${where}key`, typed?.key);
  const value = dataBytes(record.value, `${where}value`, typed?.value);
  let timestamp: number | undefined;
  if (record.timestamp !== undefined && record.timestamp !== null) {
    timestamp = dateTimeMs(record.timestamp);
    if (Number.isNaN(timestamp)) {
      throw new HttpError(
        400,
        'SF_HTTP_VALIDATION',
        `${where}timestamp: ${record.timestamp} is not an ISO-8601 date-time`,
        'send e.g. 2026-12-02T10:00:00Z',
      );
    }
    // Kafka's timestamps count from 1970 (-1 means none): refused as the broker refuses a timestamp
    if (timestamp < 0) {
      throw new HttpError(
        422,
        'SF_HTTP_VALIDATION',
        `${where}timestamp: ${record.timestamp} is before 1970, which Kafka cannot store`,
        'send a timestamp from 1970 on',
      );
    }
  }
  return {
    message: {
      topic,
      key: key.bytes,
      value: value.bytes,
      partition: record.partition_id ?? undefined,
      headers: recordHeaders(record.headers, `${where}headers`),
      timestamp,
    },
    key: key.size,
    value: value.size,
  };
}

/** The report of a delivered record (error_code 200, as the REST Proxy writes it). */
export function v3Report(clusterId: string, prepared: V3Prepared, d: Delivery, timestamp: string): Record<string, unknown> {
  return {
    error_code: 200,
    cluster_id: clusterId,
    topic_name: d.topic,
    partition_id: d.partition,
    offset: d.offset,
    timestamp,
    ...(prepared.key ? { key: prepared.key } : {}),
    ...(prepared.value ? { value: prepared.value } : {}),
  };
}
