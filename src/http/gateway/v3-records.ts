/**
 * A v3 record (Confluent REST Proxy v3) as a Kafka record, and its report. Pure: the route
 * checks the topic and partition against metadata.
 */
import { HttpError } from '../../errors.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { dateTimeMs } from '../../protocol/json-safety.js';
import type { KafkaV3Data, KafkaV3Record } from '../../protocol/types.js';
import { recordBytes, recordHeaders, type EmbeddedFormat } from './record-bytes.js';

/** What the report says of a key or value: its type and stored size. */
export interface DataSize {
  readonly type: EmbeddedFormat;
  readonly size: number;
}

export interface V3Prepared {
  readonly message: OutgoingMessage;
  readonly key: DataSize | undefined;
  readonly value: DataSize | undefined;
}

const schemaFields = ['subject', 'subject_name_strategy', 'schema_id', 'schema_version', 'schema'] as const;

function needsSchemaRegistry(field: string, why: string): HttpError {
  return new HttpError(
    422,
    'SF_HTTP_VALIDATION',
    `${field}: ${why} needs a Schema Registry, which serve-producer does not use`,
    'send the data as type BINARY, JSON or STRING',
    { kafkaRestCode: 42207 },
  );
}

function dataBytes(data: KafkaV3Data | null | undefined, field: string): { bytes: Buffer | null; size: DataSize | undefined } {
  if (data === null || data === undefined) return { bytes: null, size: undefined };
  const schemaField = schemaFields.find((f) => data[f] !== undefined && data[f] !== null);
  if (schemaField) throw needsSchemaRegistry(field, `${schemaField}`);
  const type = data.type;
  if (type === undefined) {
    if (data.data === undefined || data.data === null) return { bytes: null, size: undefined };
    throw needsSchemaRegistry(field, 'data without a type');
  }
  if (type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') throw needsSchemaRegistry(field, `type ${type}`);
  const bytes = recordBytes(data.data, type, `${field}.data`);
  return { bytes, size: { type, size: bytes?.length ?? 0 } };
}

/** Throws the HttpError (400, 422) that names the field when the record cannot be produced. */
export function v3Record(topic: string, record: KafkaV3Record, where = ''): V3Prepared {
  const key = dataBytes(record.key, `${where}key`);
  const value = dataBytes(record.value, `${where}value`);
  let timestamp: number | undefined;
  if (record.timestamp !== undefined && record.timestamp !== null) {
    timestamp = dateTimeMs(record.timestamp);
    if (Number.isNaN(timestamp) || timestamp < 0) {
      throw new HttpError(
        400,
        'SF_HTTP_VALIDATION',
        `${where}timestamp: ${record.timestamp} is not an ISO-8601 date-time after 1970`,
        'send e.g. 2026-12-02T10:00:00Z',
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
