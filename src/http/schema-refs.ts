/** The JSON Schemas the HTTP layer validates with and documents, referenced by their $id. */
import type { SchemaName } from '../protocol/validators.js';

export const schemaNames: readonly SchemaName[] = [
  'json-value',
  'produce-request',
  'typed-event-request',
  'produce-response',
  'batch-response',
  'error-response',
];

export const ref = (name: SchemaName): { $ref: string } => ({ $ref: `https://streamforge.dev/schemas/${name}.schema.json#` });
