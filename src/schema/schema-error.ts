/**
 * Why a schema-typed key or value cannot be written: one of failureMeanings' schema rows
 * (errors.ts), with a message that names the field and the schema. The gateway routes answer
 * it through HttpError.of; nothing here knows HTTP.
 */
import type { SchemaFailureKind } from '../errors.js';

export type { SchemaFailureKind };

export class SchemaError extends Error {
  constructor(
    readonly kind: SchemaFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** A value that does not match its schema, at `path` (records[2].value.address.zip). */
export const mismatch = (path: string, why: string): SchemaError => new SchemaError('schema-mismatch', `${path}: ${why}`);
