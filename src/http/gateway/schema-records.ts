/**
 * Schema-typed keys and values (Avro, JSON Schema, Protobuf through a Schema Registry) as the
 * bytes Kafka stores, in Confluent's wire format, for the v2 and v3 routes. Each request's
 * schemas are resolved once (schema/schema-resolver.ts: cached by id, a registry outage leaves
 * cached subjects working); each record is checked against its schema before any is sent, so a
 * request is refused whole, with nothing written, when one record does not match.
 */
import { HttpError } from '../../errors.js';
import type { SchemaType } from '../../schema/registry-client.js';
import type { RecordPart, ResolvedSchema, SchemaChoice, SchemaResolver, SubjectStrategy } from '../../schema/schema-resolver.js';
import { SchemaError } from '../../schema/schema-error.js';
import type { KafkaV2ProduceRequest, KafkaV3Data, KafkaV3Record } from '../../protocol/types.js';

/** A SchemaError as the answer its row in failureMeanings gives. */
export function schemaAnswer(err: unknown): unknown {
  return err instanceof SchemaError ? HttpError.of(err.kind, err.message) : err;
}

export interface V2SchemaBytes {
  readonly keys: Array<Buffer | null>;
  readonly values: Array<Buffer | null>;
  readonly keySchemaId: number | null;
  readonly valueSchemaId: number | null;
}

/** The request's keys and values written with its key and value schemas (v2: one of each per request). */
export async function v2SchemaBytes(
  schemas: SchemaResolver,
  topic: string,
  schemaType: SchemaType,
  body: KafkaV2ProduceRequest,
): Promise<V2SchemaBytes> {
  try {
    const [key, value] = await Promise.all([
      v2Schema(
        schemas,
        topic,
        'key',
        schemaType,
        body.key_schema,
        body.key_schema_id,
        body.records.some((r) => r.key != null),
      ),
      v2Schema(
        schemas,
        topic,
        'value',
        schemaType,
        body.value_schema,
        body.value_schema_id,
        body.records.some((r) => r.value != null),
      ),
    ]);
    return {
      keys: body.records.map((r, i) => encoded(key, r.key, `records[${i}].key`)),
      values: body.records.map((r, i) => encoded(value, r.value, `records[${i}].value`)),
      keySchemaId: key?.id ?? null,
      valueSchemaId: value?.id ?? null,
    };
  } catch (err) {
    throw schemaAnswer(err);
  }
}

async function v2Schema(
  schemas: SchemaResolver,
  topic: string,
  part: RecordPart,
  schemaType: SchemaType,
  schema: string | null | undefined,
  schemaId: number | null | undefined,
  needed: boolean,
): Promise<ResolvedSchema | undefined> {
  const field = `${part}_schema`;
  if (schema != null) return schemas.resolve(topic, part, { schemaType, schema }, field);
  if (schemaId != null) return schemas.resolve(topic, part, { schemaType, schemaId }, `${field}_id`);
  if (!needed) return undefined;
  throw new SchemaError(
    part === 'key' ? 'key-schema-missing' : 'value-schema-missing',
    `the request has ${part}s but neither ${field} nor ${field}_id`,
  );
}

function encoded(schema: ResolvedSchema | undefined, data: unknown, path: string): Buffer | null {
  if (data === null || data === undefined || !schema) return null;
  return schema.codec.encode(schema.id, data, path);
}

/** v3's names of the three formats. */
const v3Types: Record<SchemaType, 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF'> = { AVRO: 'AVRO', JSON: 'JSONSCHEMA', PROTOBUF: 'PROTOBUF' };
const registryTypes: Record<string, SchemaType> = { AVRO: 'AVRO', JSONSCHEMA: 'JSON', PROTOBUF: 'PROTOBUF' };

/** A v3 key or value that goes through the registry: a schema type, or a schema field, or data without a type. */
export function isSchemaData(data: KafkaV3Data | null | undefined): data is KafkaV3Data {
  if (!data) return false;
  if (data.type !== undefined) return registryTypes[data.type] !== undefined;
  return data.schema_id != null || data.schema != null || data.schema_version != null || data.subject != null || data.data != null;
}

/** What v3's report says of a schema-typed key or value. */
export interface V3SchemaSize {
  readonly type: 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF';
  readonly size: number;
  readonly subject?: string;
  readonly schema_id: number;
  readonly schema_version?: number;
}

export interface V3SchemaBytes {
  readonly bytes: Buffer | null;
  readonly size: V3SchemaSize;
}

/** A v3 key or value written with the schema its fields name (the REST Proxy's rules, schema-resolver.ts). */
export async function v3SchemaBytes(
  schemas: SchemaResolver,
  topic: string,
  part: RecordPart,
  data: KafkaV3Data,
  field: string,
): Promise<V3SchemaBytes> {
  const choice: SchemaChoice = {
    ...(data.type !== undefined ? { schemaType: registryTypes[data.type] } : {}),
    ...(data.schema != null ? { schema: data.schema } : {}),
    ...(data.schema_id != null ? { schemaId: data.schema_id } : {}),
    ...(data.schema_version != null ? { schemaVersion: data.schema_version } : {}),
    ...(data.subject != null ? { subject: data.subject } : {}),
    ...(data.subject_name_strategy != null ? { strategy: data.subject_name_strategy as SubjectStrategy } : {}),
  };
  try {
    const schema = await schemas.resolve(topic, part, choice, field);
    const bytes = encoded(schema, data.data, `${field}.data`);
    return {
      bytes,
      size: {
        type: v3Types[schema.schemaType],
        size: bytes?.length ?? 0,
        ...(schema.subject !== undefined ? { subject: schema.subject } : {}),
        schema_id: schema.id,
        ...(schema.version !== undefined ? { schema_version: schema.version } : {}),
      },
    };
  } catch (err) {
    throw schemaAnswer(err);
  }
}

/** A v3 record's schema-typed key and value, written; undefined when it has none (the common, synchronous case). */
export function v3SchemaParts(
  schemas: SchemaResolver,
  topic: string,
  record: KafkaV3Record,
  where: string,
): Promise<V3SchemaTyped> | undefined {
  const key = isSchemaData(record.key) ? record.key : undefined;
  const value = isSchemaData(record.value) ? record.value : undefined;
  if (!key && !value) return undefined;
  return Promise.all([
    key && v3SchemaBytes(schemas, topic, 'key', key, `${where}key`),
    value && v3SchemaBytes(schemas, topic, 'value', value, `${where}value`),
  ]).then(([k, v]) => ({ ...(k ? { key: k } : {}), ...(v ? { value: v } : {}) }));
}

export interface V3SchemaTyped {
  readonly key?: V3SchemaBytes;
  readonly value?: V3SchemaBytes;
}
