/**
 * A registered schema compiled once into what writes a key or value in Confluent's wire format.
 * Each format's library loads only when a schema of its format is first compiled: Avro (avsc),
 * JSON Schema (ajv), Protobuf (protobufjs).
 */
import type { SchemaType } from './registry-client.js';
import { SchemaError } from './schema-error.js';

export interface Codec {
  readonly schemaType: SchemaType;
  /** what RecordNameStrategy names a subject after: Avro's full name, Protobuf's package.Message, a JSON Schema's title */
  readonly recordName: string | undefined;
  /** The framed bytes of `data` (its JSON form, as the REST Proxy takes it); throws SchemaError 'schema-mismatch' naming `path`. */
  encode(schemaId: number, data: unknown, path: string): Buffer;
}

/** Compiles a schema's text; throws SchemaError 'schema-invalid' saying what is wrong with it. */
export async function compileCodec(schemaType: SchemaType, text: string): Promise<Codec> {
  try {
    switch (schemaType) {
      case 'AVRO':
        return (await import('./avro-codec.js')).avroCodec(text);
      case 'JSON':
        // awaited here: its rejection (a schema that is not JSON) is this catch's to answer
        return await (await import('./json-schema-codec.js')).jsonSchemaCodec(text);
      case 'PROTOBUF':
        return (await import('./protobuf-codec.js')).protobufCodec(text);
    }
  } catch (err) {
    if (err instanceof SchemaError) throw err;
    throw new SchemaError('schema-invalid', `the ${schemaType} schema is not valid: ${(err as Error).message}`);
  }
}
