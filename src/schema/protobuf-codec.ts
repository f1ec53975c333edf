/**
 * Protobuf, as the REST Proxy takes it: the record's JSON in Protobuf's JSON mapping (field
 * names as in the .proto or in lowerCamelCase, 64-bit integers as numbers or strings, enums by
 * name or number, bytes as base64), for the first message of the schema's file (message
 * indexes [0], what Confluent's serializers write by default). protobufjs's fromObject turns
 * what does not fit into zeros without a word; every field is checked here first, and a field
 * the message does not have is refused, not dropped.
 */
import protobuf from 'protobufjs';
import { isBase64 } from '../protocol/json-safety.js';
import type { Codec } from './codec.js';
import { mismatch, SchemaError } from './schema-error.js';
import { framed } from './wire-format.js';

export function protobufCodec(text: string): Codec {
  const parsed = protobuf.parse(text, { keepCase: true });
  if (parsed.imports?.length || parsed.weakImports?.length) {
    throw new SchemaError(
      'schema-invalid',
      `the .proto imports ${[...(parsed.imports ?? []), ...(parsed.weakImports ?? [])].join(', ')}: schema references are not supported yet; inline the messages it needs`,
    );
  }
  parsed.root.resolveAll();
  const scope = parsed.package ? parsed.root.lookup(parsed.package) : parsed.root;
  const message = (scope as protobuf.Namespace | null)?.nestedArray.find((n): n is protobuf.Type => n instanceof protobuf.Type);
  if (!message) throw new SchemaError('schema-invalid', 'the .proto declares no message');
  return {
    schemaType: 'PROTOBUF',
    recordName: message.fullName.replace(/^\./, ''),
    encode(schemaId, data, path) {
      const plain = messageFromJson(message, data, path);
      return framed(schemaId, message.encode(message.fromObject(plain)).finish(), [0]);
    },
  };
}

const describe = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 60));

const lowerCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The message's JSON with its fields under their .proto names, every value checked. */
function messageFromJson(type: protobuf.Type, json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw mismatch(path, `expected a ${type.name} message (an object), got ${describe(json)}`);
  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(lowerCamel(f.name), f);
  }
  const out: Record<string, unknown> = {};
  const oneofs = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = byName.get(key);
    if (!field) throw mismatch(`${path}.${key}`, `the ${type.name} message has no field ${key} (it would be lost)`);
    // null is the field's default in Protobuf's JSON mapping
    if (value === null) continue;
    const group = field.partOf?.name;
    if (group !== undefined) {
      const other = oneofs.get(group);
      if (other !== undefined) throw mismatch(`${path}.${key}`, `${key} and ${other} are both in the oneof ${group}: send one`);
      oneofs.set(group, key);
    }
    out[field.name] = fieldFromJson(field, value, `${path}.${key}`);
  }
  return out;
}

function fieldFromJson(field: protobuf.Field, json: unknown, path: string): unknown {
  if (field instanceof protobuf.MapField) {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw mismatch(path, `expected a map (an object), got ${describe(json)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) {
      if (field.keyType !== 'string') scalarFromJson(field.keyType, /^-?\d+$/.test(k) ? k : Number.NaN, `${path}.${k} (its key)`);
      out[k] = valueFromJson(field, v, `${path}.${k}`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(json)) throw mismatch(path, `expected an array, got ${describe(json)}`);
    return json.map((item, i) => valueFromJson(field, item, `${path}[${i}]`));
  }
  return valueFromJson(field, json, path);
}

function valueFromJson(field: protobuf.Field, json: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageFromJson(resolved, json, path);
  if (resolved instanceof protobuf.Enum) {
    const known =
      typeof json === 'string'
        ? resolved.values[json] !== undefined
        : Number.isInteger(json) && resolved.valuesById[json as number] !== undefined;
    if (!known)
      throw mismatch(
        path,
        `expected a value of the enum ${resolved.name} (${Object.keys(resolved.values).join(', ')}), got ${describe(json)}`,
      );
    return json;
  }
  return scalarFromJson(field.type, json, path);
}

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

function scalarFromJson(type: string, json: unknown, path: string): unknown {
  const range = INT_RANGES[type];
  if (range) {
    // integers as numbers or decimal strings (Protobuf's JSON mapping writes 64-bit ones as strings)
    const ok = (typeof json === 'number' && Number.isSafeInteger(json)) || (typeof json === 'string' && /^-?\d{1,20}$/.test(json));
    const n = ok ? BigInt(json as number | string) : undefined;
    if (n === undefined || n < range[0] || n > range[1]) throw mismatch(path, `expected a ${type} integer, got ${describe(json)}`);
    return json;
  }
  switch (type) {
    case 'double':
    case 'float':
      if (typeof json === 'number' || json === 'NaN' || json === 'Infinity' || json === '-Infinity') return json;
      throw mismatch(path, `expected a ${type} (a number), got ${describe(json)}`);
    case 'bool':
      if (typeof json === 'boolean') return json;
      throw mismatch(path, `expected a bool, got ${describe(json)}`);
    case 'string':
      if (typeof json === 'string') return json;
      throw mismatch(path, `expected a string, got ${describe(json)}`);
    case 'bytes':
      if (typeof json === 'string' && isBase64(json)) return json;
      throw mismatch(path, `expected bytes as a base64 string, got ${describe(json)}`);
    default:
      throw mismatch(path, `the field's type ${type} is not supported`);
  }
}
