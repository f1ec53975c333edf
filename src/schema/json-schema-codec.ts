/**
 * JSON Schema, as Confluent's JSON Schema serializer writes it: the value's JSON text after the
 * wire format's header, written only when the value validates against the schema (ajv, with
 * the draft the schema's "$schema" names: draft-07 by default, 2019-09, 2020-12).
 */
import { Ajv, type AnySchema, type ErrorObject, type Options } from 'ajv';
import isSafeRegex from 'safe-regex2';
import type { Codec } from './codec.js';
import { mismatch, SchemaError } from './schema-error.js';
import { framed } from './wire-format.js';

const options: Options = {
  allErrors: false,
  // schemas written for other validators carry keywords ajv does not know: ignored, as they are there
  strict: false,
  validateFormats: false,
  logger: false,
  ownProperties: true,
};

async function validatorFor(draft: string | undefined): Promise<Ajv> {
  if (draft?.includes('2020-12')) return new (await import('ajv/dist/2020.js')).Ajv2020(options);
  if (draft?.includes('2019-09')) return new (await import('ajv/dist/2019.js')).Ajv2019(options);
  if (draft !== undefined && /draft-0[34]/.test(draft)) {
    throw new SchemaError(
      'schema-invalid',
      `the JSON Schema's $schema is ${draft}, which serve-producer does not validate: use draft-07, 2019-09 or 2020-12`,
    );
  }
  return new Ajv(options);
}

export async function jsonSchemaCodec(text: string): Promise<Codec> {
  const schema = JSON.parse(text) as unknown;
  if (typeof schema !== 'object' && typeof schema !== 'boolean')
    throw new SchemaError('schema-invalid', 'a JSON Schema is an object (or true/false)');
  refuseUnsafePatterns(schema);
  const draft = typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  const ajv = await validatorFor(typeof draft === 'string' ? draft : undefined);
  const validate = ajv.compile(schema as AnySchema);
  const title = typeof schema === 'object' && schema !== null ? (schema as { title?: unknown }).title : undefined;
  return {
    schemaType: 'JSON',
    recordName: typeof title === 'string' ? title : undefined,
    encode(schemaId, data, path) {
      if (!validate(data)) throw mismatch(path, describe(validate.errors));
      return framed(schemaId, Buffer.from(JSON.stringify(data)));
    },
  };
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'does not match the JSON Schema';
  const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'the value';
  return `${where} ${e.message ?? 'does not match'} (JSON Schema ${e.schemaPath})`;
}

/**
 * Every value is matched against the schema's patterns: one that backtracks exponentially
 * ((a+)+ on "aaaa…b") would let one request hold the server for seconds, as --topics' does.
 */
function refuseUnsafePatterns(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') checkPattern(value);
    if (key === 'patternProperties' && typeof value === 'object' && value !== null) for (const p of Object.keys(value)) checkPattern(p);
    refuseUnsafePatterns(value);
  }
}

function checkPattern(pattern: string): void {
  let safe: boolean;
  try {
    safe = isSafeRegex(new RegExp(pattern, 'u'));
  } catch (err) {
    throw new SchemaError(
      'schema-invalid',
      `the pattern ${JSON.stringify(pattern)} is not a regular expression: ${(err as Error).message}`,
    );
  }
  if (!safe)
    throw new SchemaError(
      'schema-invalid',
      `the pattern ${JSON.stringify(pattern)} can take exponential time on some values: write it without nested repetition`,
    );
}
