/**
 * A v2 produce request (Confluent REST Proxy v2, Strimzi Bridge) as Kafka records. Pure: the
 * route checks the topic and partitions against metadata.
 */
import type { OutgoingMessage } from '../../kafka/producer.js';
import type { KafkaV2ProduceRequest } from '../../protocol/types.js';
import { recordBytes, recordHeaders, type EmbeddedFormat } from './record-bytes.js';
import type { ScannedV2Body } from './v2-scan.js';
import type { V2SchemaBytes } from './schema-records.js';

export type V2Format = 'json' | 'binary' | 'text';

const embedded: Record<V2Format, EmbeddedFormat> = { json: 'JSON', binary: 'BINARY', text: 'STRING' };

/**
 * One record per request record, in order. A record's partition overrides the path's (the
 * Confluent REST Proxy and Karapace; the Bridge refuses the pair, which no client relies on).
 * Throws the 400 naming the first record that does not fit the format.
 */
export function v2Records(
  topic: string,
  pathPartition: number | undefined,
  format: V2Format,
  body: KafkaV2ProduceRequest,
): OutgoingMessage[] {
  const as = embedded[format];
  return body.records.map((r, i) => ({
    topic,
    key: recordBytes(r.key, as, `records[${i}].key`),
    value: recordBytes(r.value, as, `records[${i}].value`),
    partition: r.partition ?? pathPartition,
    headers: recordHeaders(
      r.headers?.map((h) => ({ name: h.key, value: h.value })),
      `records[${i}].headers`,
    ),
    timestamp: r.timestamp,
  }));
}

/** The same with keys and values written with their schemas (schema-records.ts). */
export function schemaTypedV2Records(
  topic: string,
  pathPartition: number | undefined,
  body: KafkaV2ProduceRequest,
  typed: V2SchemaBytes,
): OutgoingMessage[] {
  return body.records.map((r, i) => ({
    topic,
    key: typed.keys[i] ?? null,
    value: typed.values[i] ?? null,
    partition: r.partition ?? pathPartition,
    headers: recordHeaders(
      r.headers?.map((h) => ({ name: h.key, value: h.value })),
      `records[${i}].headers`,
    ),
    timestamp: r.timestamp,
  }));
}

/** The same for a body read from its bytes (v2-scan.ts): its keys and values are ready. */
export function scannedV2Records(topic: string, pathPartition: number | undefined, body: ScannedV2Body): OutgoingMessage[] {
  return body.records.map((r) => ({
    topic,
    key: r.key,
    value: r.value,
    partition: r.partition ?? pathPartition,
    headers: undefined,
    timestamp: r.timestamp,
  }));
}
