/**
 * Avro, as the REST Proxy takes it: the record's JSON in Avro's JSON encoding (a union's value
 * wrapped as {"branch": value}, null bare; bytes and fixed as strings of code points 0-255),
 * checked field by field against the schema and written with avsc. A field the schema does not
 * have is refused, not dropped: the writer would lose it without a word.
 */
import avro from 'avsc';
import type { Codec } from './codec.js';
import { mismatch } from './schema-error.js';
import { framed } from './wire-format.js';

type AvroType = avro.Type;

interface Field {
  readonly name: string;
  readonly type: AvroType;
  defaultValue(): unknown;
}

export function avroCodec(text: string): Codec {
  const schema = JSON.parse(text) as avro.Schema;
  // wrapped unions: avsc then takes {"branch": value}, the form a client sends
  const type = avro.Type.forSchema(schema, { wrapUnions: true });
  return {
    schemaType: 'AVRO',
    recordName: type.typeName === 'record' || type.typeName === 'error' ? type.name : undefined,
    encode(schemaId, data, path) {
      return framed(schemaId, type.toBuffer(fromJson(type, data, path)));
    },
  };
}

const describe = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 60));

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const MAX_LONG = 2 ** 53 - 2;

/** `json` as the value avsc writes for `type`; throws the mismatch naming the path. */
function fromJson(type: AvroType, json: unknown, path: string): unknown {
  const t = type as unknown as Record<string, unknown>;
  switch (type.typeName) {
    case 'null':
      if (json !== null) throw mismatch(path, `expected null, got ${describe(json)}`);
      return null;
    case 'boolean':
      if (typeof json !== 'boolean') throw mismatch(path, `expected a boolean, got ${describe(json)}`);
      return json;
    case 'int':
      if (!Number.isInteger(json) || (json as number) < INT_MIN || (json as number) > INT_MAX)
        throw mismatch(path, `expected an int (32 bits), got ${describe(json)}`);
      return json;
    case 'long':
      // avsc's bound: JavaScript's exact integers, less one at each end
      if (!Number.isInteger(json) || Math.abs(json as number) > MAX_LONG)
        throw mismatch(path, `expected a long within ±${MAX_LONG} (JavaScript's exact integers), got ${describe(json)}`);
      return json;
    case 'float':
    case 'double':
      if (typeof json !== 'number') throw mismatch(path, `expected a number, got ${describe(json)}`);
      return json;
    case 'string':
      if (typeof json !== 'string') throw mismatch(path, `expected a string, got ${describe(json)}`);
      return json;
    case 'bytes':
      return latin1(json, path, undefined);
    case 'fixed':
      return latin1(json, path, t.size as number);
    case 'enum':
      if (typeof json !== 'string' || !(t.symbols as string[]).includes(json))
        throw mismatch(path, `expected one of ${(t.symbols as string[]).join(', ')}, got ${describe(json)}`);
      return json;
    case 'array':
      if (!Array.isArray(json)) throw mismatch(path, `expected an array, got ${describe(json)}`);
      return json.map((item, i) => fromJson(t.itemsType as AvroType, item, `${path}[${i}]`));
    case 'map':
      return mapFromJson(t.valuesType as AvroType, json, path);
    case 'record':
    case 'error':
      return recordFromJson(type.name ?? 'record', t.fields as Field[], json, path);
    case 'union:wrapped':
      return unionFromJson(t.types as AvroType[], json, path);
    default:
      throw mismatch(path, `the schema's type ${type.typeName} is not supported`);
  }
}

// every code unit fits one byte: Avro's JSON encoding writes a byte as the character of its code
const isLatin1 = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
};

function latin1(json: unknown, path: string, size: number | undefined): Buffer {
  if (typeof json !== 'string' || !isLatin1(json))
    throw mismatch(path, `expected bytes as a string of code points 0-255 (Avro's JSON encoding), got ${describe(json)}`);
  if (size !== undefined && json.length !== size) throw mismatch(path, `expected ${size} bytes, got ${json.length}`);
  return Buffer.from(json, 'latin1');
}

function mapFromJson(values: AvroType, json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw mismatch(path, `expected a map (an object), got ${describe(json)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = fromJson(values, v, `${path}.${k}`);
  return out;
}

function recordFromJson(name: string, fields: readonly Field[], json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw mismatch(path, `expected a ${name} record (an object), got ${describe(json)}`);
  const given = json as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (Object.hasOwn(given, f.name)) {
      out[f.name] = fromJson(f.type, given[f.name], `${path}.${f.name}`);
      continue;
    }
    const fallback = f.defaultValue();
    if (fallback === undefined) throw mismatch(`${path}.${f.name}`, `the ${name} record's field ${f.name} is missing and has no default`);
    out[f.name] = fallback;
  }
  const known = new Set(fields.map((f) => f.name));
  const extra = Object.keys(given).find((k) => !known.has(k));
  if (extra !== undefined) throw mismatch(`${path}.${extra}`, `the ${name} record has no field ${extra} (it would be lost)`);
  return out;
}

function unionFromJson(branches: readonly AvroType[], json: unknown, path: string): unknown {
  const names = branches.map((b) => b.branchName as string);
  if (json === null) {
    if (names.includes('null')) return null;
    throw mismatch(path, `null is not a branch of the union [${names.join(', ')}]`);
  }
  const keys = typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
  const branch = keys.length === 1 ? branches[names.indexOf(keys[0] as string)] : undefined;
  if (!branch) {
    throw mismatch(path, `a union's value is written {"<branch>": value} with a branch of [${names.join(', ')}], got ${describe(json)}`);
  }
  const name = keys[0] as string;
  return { [name]: fromJson(branch, (json as Record<string, unknown>)[name], `${path}.${name}`) };
}
