/** The JSON Schemas the HTTP layer validates with and documents, referenced by their $id. */
import type { SchemaName } from '../protocol/validators.js';

export const schemaNames: readonly SchemaName[] = [
  'json-value',
  'produce-request',
  'typed-event-request',
  'produce-response',
  'batch-response',
  'error-response',
  'kafka-rest-error',
  'kafka-v2-record',
  'kafka-v2-produce-request',
  'kafka-v2-binary-request',
  'kafka-v2-text-request',
  'kafka-v2-schema-request',
  'kafka-v2-produce-response',
  'kafka-v3-data',
  'kafka-v3-data-size',
  'kafka-v3-produce-record',
  'kafka-v3-produce-report',
  'kafka-v3-batch-request',
  'kafka-v3-batch-response',
];

export const ref = (name: SchemaName): { $ref: string } => ({ $ref: `https://streamforge.dev/schemas/${name}.schema.json#` });
